import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from support import ROOT

from slstm.spec import lstm_stack


def test_train_json_has_the_verdict_the_choice_made_and_all_three_splits_on_36_rows(tmp_path):
    t = np.arange(36.0)
    path = tmp_path / "short.csv"
    pd.DataFrame({"month": pd.date_range("2020-01", periods=36, freq="MS"), "sales": 100 + 5 * t}).to_csv(path)
    env = {**os.environ, "SLSTM_HOME": str(tmp_path / "home"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    args = ["train", "--csv", str(path), "--target", "sales", "--features", "sales", "--epochs", "2", "--json"]
    out = subprocess.run(
        [sys.executable, "-m", "slstm", *args, "--spec", lstm_stack(4).to_json()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result["metrics"]) == {"val", "test"}  # lookback 24 on 36 rows: every split is evaluated
    assert result["data_config"]["target_form"] == "change"  # a trend: the change from the last input value
    verdict = result["verdict"]
    assert verdict["text"].startswith(("Better than the naive forecast", "Worse than the naive forecast"))
    assert set(verdict["beats"]) == {"val", "test"} and result["notes"] == []
