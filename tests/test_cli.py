import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "slstm", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize(("rs", "shape"), [(False, [None, 1]), (True, [None, 3, 1])])
def test_shapes_json_for_the_tutorial_example(rs, shape):
    spec = json.dumps({"layers": [{"kind": "lstm", "units": 1, "return_sequences": rs}], "head": "none"})
    out = cli("shapes", "--spec", spec, "--timesteps", "3", "--features", "1", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["layers"] == [{"name": "lstm_1", "kind": "lstm", "output_shape": shape, "params": 12}]
    assert result["total_params"] == 12


def test_shapes_reads_a_spec_file_and_prints_a_summary(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(
        json.dumps({"layers": [{"kind": "gru", "units": 4, "return_sequences": True}, {"kind": "lstm", "units": 2}]})
    )
    out = cli("shapes", "--spec", str(path), "--timesteps", "7", "--features", "3")
    assert out.returncode == 0
    assert "gru_1 (GRU)" in out.stdout and "(batch, 7, 4)" in out.stdout
    assert f"Total params: {3 * 4 * (3 + 4 + 2) + 4 * 2 * (4 + 2 + 1) + 3}" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--spec", '{"layers": [{"kind": "lstm", "units": -2}]}'], "units=-2"),
        (["--spec", "nope.json"], "neither a JSON object nor an existing file"),
        (["--spec", "{not json"], "not valid JSON"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args, message):
    out = cli("shapes", *args, "--timesteps", "3", "--features", "1")
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_code_prints_a_script_that_compiles_and_refuses_a_broken_stack():
    spec = json.dumps({"layers": [{"kind": "lstm", "units": 8, "return_sequences": True}, {"kind": "gru", "units": 4}]})
    out = cli("code", "--spec", spec, "--timesteps", "12", "--features", "3")
    assert out.returncode == 0, out.stderr
    compile(out.stdout, "model.py", "exec")
    assert "keras.Input(shape=(12, 3))" in out.stdout and 'name="gru_2"' in out.stdout
    broken = json.dumps({"layers": [{"kind": "lstm", "units": 8}, {"kind": "gru", "units": 4}]})
    out = cli("code", "--spec", broken, "--timesteps", "12", "--features", "3")
    assert out.returncode == 2 and "Set return_sequences=True on layer 1" in out.stderr


@pytest.fixture
def sample_csv(tmp_path, monkeypatch):
    from slstm.data.samples import SAMPLES

    monkeypatch.setenv("SLSTM_HOME", str(tmp_path / "home"))

    def write(key):
        path = tmp_path / f"{key}.csv"
        SAMPLES[key].make().to_csv(path, index=False)
        return str(path)

    return write


def cli_env(*args):
    import os

    return subprocess.run(
        [sys.executable, "-m", "slstm", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        timeout=300,
    )


def test_train_json_on_a_sample_exported_to_csv(sample_csv):
    out = cli_env(
        "train",
        "--csv",
        sample_csv("sine_trend"),
        "--target",
        "value",
        "--lookback",
        "12",
        "--spec",
        '{"layers":[{"kind":"lstm","units":4}]}',
        "--epochs",
        "2",
        "--json",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["status"] == "finished" and result["task"] == "regression"
    assert result["input_shape"] == [len(range(840 - 12)), 12, 1]
    assert result["epochs_run"] == 2 and len(result["history"]["loss"]) == 2
    assert set(result["metrics"]) == {"val", "test"} and set(result["metrics"]["test"]) == {"rmse", "mae"}
    assert {"training mean", "persistence (last value)"} <= set(result["baselines"]["test"])
    digest = hashlib.sha256(Path(sample_csv("sine_trend")).read_bytes()).hexdigest()
    assert result["data_choice"] == {  # the run's record, as an upload's: digest, roles, settings that differ
        "source": f"upload:{digest}",
        "target": "value",
        "features": ["value"],
        "settings": {"lookback": 12},
    }


def test_train_classification_on_the_long_format_sample(sample_csv):
    out = cli_env(
        "train",
        "--csv",
        sample_csv("gestures"),
        "--target",
        "gesture",
        "--sequence-id",
        "sequence",
        "--features",
        "ax,ay,az",
        "--spec",
        '{"layers":[{"kind":"gru","units":4}]}',
        "--epochs",
        "1",
        "--json",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["task"] == "classification"
    assert set(result["metrics"]["test"]) == {"accuracy"}
    assert result["baselines"]["test"]["majority class"]["accuracy"] == pytest.approx(1 / 3, abs=0.1)
    assert result["train_config"]["patience"] == 20  # 36 validation sequences: early stopping on
    assert "Early stopping is off" not in out.stderr


def test_train_a_classifier_with_few_validation_sequences_without_early_stopping_and_say_why(tmp_path, monkeypatch):
    monkeypatch.setenv("SLSTM_HOME", str(tmp_path / "home"))
    rows = [f"{k},{s},{(k * 7 + s) % 5 * 0.3:.1f},{'up' if k % 2 else 'down'}" for k in range(40) for s in range(6)]
    path = tmp_path / "traces.csv"
    path.write_text("trace,step,x,label\n" + "\n".join(rows) + "\n")
    spec = '{"layers":[{"kind":"gru","units":4}]}'
    common = ["train", "--csv", str(path), "--target", "label", "--sequence-id", "trace", "--spec", spec, "--json"]
    out = cli_env(*common, "--epochs", "2")
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["train_config"]["patience"] is None and result["epochs_run"] == 2
    assert "note: Early stopping is off for this data: the validation split has only 6 sequences" in out.stderr
    assert "--patience N" in out.stderr
    chosen = cli_env(*common, "--epochs", "1", "--patience", "5")
    assert chosen.returncode == 0 and json.loads(chosen.stdout)["train_config"]["patience"] == 5
    assert "Early stopping is off" not in chosen.stderr


@pytest.mark.parametrize(("text", "value"), [("auto", "auto"), ("AUTO", "auto"), ("0", None), ("7", 7)])
def test_patience_flag(text, value):
    from slstm.cli_args import patience_arg

    assert patience_arg(text) == value


@pytest.mark.parametrize("text", ["-1", "soon", "2.5"])
def test_a_bad_patience_flag_is_refused(text):
    import argparse

    from slstm.cli_args import patience_arg

    with pytest.raises(argparse.ArgumentTypeError, match="expected auto or a whole number"):
        patience_arg(text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "nope"], "Column(s) 'nope' are not in"),
        (["--target", "value", "--lookback", "900"], "Each sample needs"),
        (["--target", "value", "--lookback", "5000"], "SLSTM_MAX_TIMESTEPS"),
    ],
)
def test_train_bad_input_is_one_line_and_status_2(sample_csv, args, message):
    out = cli_env("train", "--csv", sample_csv("sine_trend"), "--spec", '{"layers":[{"kind":"lstm","units":4}]}', *args)
    assert out.returncode == 2 and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_data_report_as_json(sample_csv):
    out = cli_env("data", sample_csv("sine_trend"), "--json")
    assert out.returncode == 0
    report = json.loads(out.stdout)
    assert report["time_column"] == "time" and report["rows"] == 1200


def test_sweep_json_lists_one_result_per_cell_and_resumes(sample_csv):
    args = [
        "sweep",
        "--csv",
        sample_csv("sine_trend"),
        "--target",
        "value",
        "--lookback",
        "8",
        "--depths",
        "1,2",
        "--units",
        "2,4",
        "--epochs",
        "1",
        "--json",
    ]
    out = cli_env(*args)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert [(c["depth"], c["units"]) for c in result["cells"]] == [(1, 2), (1, 4), (2, 2), (2, 4)]
    assert all(c["best val_loss"] is not None for c in result["cells"])
    again = json.loads(cli_env(*args).stdout)
    assert [c["run"] for c in again["cells"]] == [c["run"] for c in result["cells"]]  # nothing trained twice
