"""slstm.results: durations, tables and the CSV files users download."""

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.results import (
    config_dict,
    confusion_table,
    duration,
    history_csv,
    load_predictions,
    metric_table,
    predictions_csv,
    predictions_in_units,
    spreadsheet_safe,
)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0 s"), (7.5, "8 s"), (59.4, "59 s"), (125, "2 min 05 s"), (3725, "1 h 02 min")]
)
def test_duration_reads_as_a_person_writes_it(seconds, text):
    assert duration(seconds) == text


def test_config_dict_compares_equal_to_what_the_store_gives_back():
    @dataclasses.dataclass
    class Config:
        features: tuple = ("a", "b")
        epochs: int = 3

    assert config_dict(Config()) == {"features": ["a", "b"], "epochs": 3}


def test_metric_table_has_one_row_per_forecaster_and_skips_non_metric_entries():
    report = {"model": {"rmse": 1.0, "mae": 0.5}, "persistence (last value)": {"rmse": 2.0, "mae": 1.5}, "n": 9}
    table = metric_table(report)
    assert table.index.tolist() == ["model", "persistence (last value)"]
    assert table.columns.tolist() == ["RMSE", "MAE"] and table.loc["model", "RMSE"] == 1.0


def test_confusion_table_labels_rows_as_true_classes():
    table = confusion_table({"classes": ["a", "b"], "confusion": [[3, 1], [0, 2]]})
    assert table.index.tolist() == ["true a", "true b"] and table.columns.tolist() == ["a", "b"]
    assert table.loc["true a", "b"] == 1


def test_formula_like_text_is_made_inert_and_numbers_stay_numbers():
    frame = pd.DataFrame({"=cmd": ["=1+1", "+SUM(A1)", "-x", "@a", "plain"], "v": [-1.5, 2, 3, 4, 5]})
    safe = spreadsheet_safe(frame)
    assert safe.columns.tolist() == ["'=cmd", "v"]
    assert safe["'=cmd"].tolist() == ["'=1+1", "'+SUM(A1)", "'-x", "'@a", "plain"]
    assert safe["v"].tolist() == [-1.5, 2, 3, 4, 5] and frame["=cmd"][0] == "=1+1"  # the input is untouched


def test_history_and_predictions_csv_round_trip(tmp_path):
    history = {"epoch": [1, 2], "loss": [0.5, 0.25], "val_loss": [0.6, 0.3]}
    assert pd.read_csv(io.BytesIO(history_csv(history))).to_dict("list") == history
    truth, predicted = np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2) + 0.5
    np.savez(tmp_path / "predictions.npz", test_truth=truth, test_pred=predicted)
    loaded = load_predictions(tmp_path)
    table = pd.read_csv(io.BytesIO(predictions_csv(loaded, targets=("a", "b"))))
    assert table.columns.tolist() == ["sample", "a (truth)", "a (predicted)", "b (truth)", "b (predicted)"]
    np.testing.assert_allclose(table["b (predicted)"], predicted[:, 1])
    assert predictions_csv(loaded, split="val") == b"" and load_predictions(tmp_path / "none") == {}


def test_change_predictions_come_back_as_values_and_value_runs_unchanged():
    t = np.arange(300, dtype=float)
    frame = pd.DataFrame({"y": t * 0.5 + np.sin(t / 4)})
    w = prepare(frame, DataConfig(("y",), ("y",), lookback=8, target_form="change"))
    change = np.asarray(w.test.y - w.test.y.mean(), dtype="float64").reshape(len(w.test), -1)  # saved as changes
    saved = {"test_truth": change, "test_pred": change + 0.1}
    back = predictions_in_units(saved, w)
    np.testing.assert_allclose(back["test_pred"] - back["test_truth"], 0.1, atol=1e-9)
    np.testing.assert_allclose(back["test_truth"], change + w.test.base)
    plain = prepare(frame, DataConfig(("y",), ("y",), lookback=8, target_form="value"))
    assert predictions_in_units(saved, plain) is saved


def test_durations_and_tables_in_chinese_and_english_unchanged():
    assert [duration(s, lang="zh") for s in (7.5, 125, 3725)] == ["8 秒", "2 分 05 秒", "1 小时 02 分"]
    report = {"model": {"accuracy": 0.9}, "majority class": {"accuracy": 0.5}, "someone else": {"accuracy": 0.1}}
    table = metric_table(report, lang="zh")
    assert table.index.tolist() == ["模型", "多数类", "someone else"] and table.columns.tolist() == ["准确率"]
    assert metric_table(report).index.tolist() == ["model", "majority class", "someone else"]
    regression = {"training mean": {"rmse": 1.0, "mae": 0.5}, "persistence (last value)": {"rmse": 2.0, "mae": 1.0}}
    assert metric_table(regression, lang="zh").index.tolist() == ["训练集均值", "持续性预测（沿用最后一个值）"]
    assert metric_table(regression, lang="zh").columns.tolist() == ["RMSE", "MAE"]
    confusion = confusion_table({"classes": ["a", "b"], "confusion": [[3, 1], [0, 2]]}, lang="zh")
    assert confusion.index.tolist() == ["真实类别 a", "真实类别 b"] and confusion.columns.tolist() == ["a", "b"]


def test_progress_counts_finished_epochs_and_the_batches_of_the_current_one():
    from types import SimpleNamespace as Job

    from slstm.results import progress

    starting = progress(Job(epochs=4, epoch=0, batch=0, steps=0, started=None), [], now=50.0)
    assert (starting.fraction, starting.epoch, starting.elapsed, starting.left) == (0.0, 0, 0.0, None)
    first = progress(Job(epochs=4, epoch=1, batch=3, steps=12, started=40.0), [], now=50.0)
    assert first.fraction == 0.0625 and first.epoch == 1 and first.elapsed == 10.0 and first.left is None
    later = progress(Job(epochs=4, epoch=3, batch=6, steps=12, started=40.0), [3.0, 5.0], now=50.0)
    assert later.fraction == (2 + 0.5) / 4 and later.left == 2 * 4.0
    between = progress(Job(epochs=4, epoch=2, batch=12, steps=12, started=40.0), [3.0, 5.0], now=50.0)
    assert between.fraction == 0.5  # epoch 2 is on record: its last batch is not counted again
    over = progress(Job(epochs=2, epoch=2, batch=12, steps=12, started=0.0), [1.0, 1.0, None], now=5.0)
    assert over.fraction == 1.0 and over.epoch == 3 and over.left == 0.0  # a resumed run past its budget
