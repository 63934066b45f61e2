"""slstm.metrics: errors in the target's units and the naive baselines a model must beat."""

import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.metrics import baselines, classification_report, mae, regression_report, rmse


def series(n=200, **columns):
    t = np.arange(n, dtype=float)
    return pd.DataFrame({"y": np.sin(t / 5) * 10 + 50, **columns})


def test_rmse_and_mae_of_known_errors():
    assert rmse([0, 0, 0, 0], [1, -1, 1, -1]) == 1.0
    assert rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert mae([0, 0], [3, -4]) == 3.5


def test_persistence_is_the_last_input_value_in_the_targets_units():
    w = prepare(series(), DataConfig(("y",), ("y",), lookback=6, target_form="value"))
    guess = baselines(w, w.val)["persistence (last value)"]
    last = w.feature_scaler.inverse(w.val.x[:, -1, :])  # the window's last row, unscaled
    np.testing.assert_allclose(guess[:, 0], last[:, 0], rtol=1e-5)
    assert 40 <= guess.min() and guess.max() <= 60  # in the series' own units, not standardised


def test_no_persistence_baseline_when_the_target_is_not_a_feature():
    frame = series(x=np.arange(200, dtype=float))
    w = prepare(frame, DataConfig(("x",), ("y",), lookback=6))
    assert list(baselines(w, w.val)) == ["training mean"]


def test_the_training_mean_baseline_is_the_mean_of_the_training_rows():
    w = prepare(series(), DataConfig(("y",), ("y",), lookback=6, target_form="value"))
    mean = baselines(w, w.test)["training mean"]
    assert mean.shape == (len(w.test), 1)
    training_rows = series()["y"][: 6 + len(w.train)]  # every row up to the last training target's
    assert mean[0, 0] == pytest.approx(training_rows.mean(), rel=1e-4)
    assert (mean == mean[0, 0]).all()


def test_a_perfect_model_has_zero_error_and_the_baselines_do_not():
    w = prepare(series(), DataConfig(("y",), ("y",), lookback=6, target_form="value"))
    report = regression_report(w, w.test, w.test.y)  # predicting the truth itself
    assert report["model"] == {"rmse": pytest.approx(0, abs=1e-4), "mae": pytest.approx(0, abs=1e-4)}
    assert report["persistence (last value)"]["rmse"] > 0.1 and report["training mean"]["rmse"] > 1


def test_classification_report_counts_the_confusion_and_the_majority_rate():
    t = np.arange(300)
    frame = pd.DataFrame({"x": np.sin(t / 3), "label": np.where(t % 10 < 7, "calm", "spike")})
    w = prepare(frame, DataConfig(("x",), ("label",), lookback=5, task="classification"))
    truth = np.asarray(w.test.y).reshape(-1).astype(int)
    always_first = np.tile([1.0, 0.0], (len(truth), 1))  # predicts class 0 every time
    report = classification_report(w, w.test, always_first)
    assert report["classes"] == ["calm", "spike"]
    assert report["model"]["accuracy"] == pytest.approx(np.mean(truth == 0))
    assert report["majority class"]["accuracy"] == pytest.approx(np.mean(truth == 0))  # calm is the majority
    assert np.asarray(report["confusion"]).sum() == len(truth)
    assert np.asarray(report["confusion"])[:, 1].sum() == 0  # nothing predicted as spike
