import re

import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, detect_task, prepare
from slstm.data.samples import SAMPLES
from slstm.errors import DataError
from slstm.figures import charts as plots


def ramp(n=100, **columns):
    return pd.DataFrame({"t": np.arange(n, dtype=float), **columns})


@pytest.mark.parametrize(("lookback", "horizon"), [(5, 1), (3, 4), (10, 2)])
def test_y_of_sample_0_is_the_target_at_row_t_plus_h_minus_1(lookback, horizon):
    w = prepare(ramp(), DataConfig(("t",), ("t",), lookback=lookback, horizon=horizon, scaling="none"))
    assert w.train.y[0, 0] == lookback + horizon - 1
    np.testing.assert_array_equal(w.train.x[0, :, 0], np.arange(lookback))
    assert w.train.x.shape == (70 - lookback - horizon + 1, lookback, 1)


def test_multi_step_targets_are_the_next_h_rows():
    w = prepare(ramp(), DataConfig(("t",), ("t",), lookback=4, horizon=3, multi_step=True, scaling="none"))
    np.testing.assert_array_equal(w.train.y[0], [4, 5, 6])
    assert w.config.num_outputs == 3


def test_windows_are_views_of_one_scaled_array():
    w = prepare(ramp(1000), DataConfig(("t",), ("t",), lookback=50))
    assert not w.train.x.flags.owndata
    assert w.train.x.base is not None


def test_no_window_straddles_a_split_boundary():
    w = prepare(ramp(200), DataConfig(("t",), ("t",), lookback=8, horizon=2, scaling="none"))
    for split in (w.train, w.val, w.test):
        lo, hi = split.rows
        assert split.x[:, 0, 0].min() >= lo
        assert split.y.max() < hi


@pytest.mark.parametrize("scaling", ["standard", "minmax"])
def test_scaling_statistics_come_from_training_rows_only(scaling):
    frame = ramp(100)
    frame.loc[70:, "t"] = 1e6  # wild values in validation and test must not move the scaler
    w = prepare(frame, DataConfig(("t",), ("t",), lookback=5, scaling=scaling))
    train = frame["t"].to_numpy()[:70]
    expected = train.mean() if scaling == "standard" else train.min()
    assert w.feature_scaler.shift[0] == pytest.approx(expected)
    assert w.unscale_y(w.train.y)[0, 0] == pytest.approx(5.0, rel=1e-5)


def test_missing_values_are_refused_with_a_pointer_to_the_policy():
    frame = ramp(50)
    frame.loc[3, "t"] = np.nan
    with pytest.raises(DataError, match=r"missing or infinite values: 't' \(1\).*policy"):
        prepare(frame, DataConfig(("t",), ("t",), lookback=5))


def test_too_short_for_one_sample():
    with pytest.raises(DataError, match="Each sample needs 31 rows"):
        prepare(ramp(20), DataConfig(("t",), ("t",), lookback=30))


@pytest.mark.parametrize("bad", [{"lookback": 0}, {"horizon": -1}, {"scaling": "log"}, {"features": ()}])
def test_bad_config_is_a_data_error(bad):
    with pytest.raises(DataError):
        DataConfig(**{"features": ("t",), "targets": ("t",), **bad})


def test_text_columns_are_refused():
    frame = pd.DataFrame({"t": ["a"] * 40})
    with pytest.raises(DataError, match="hold text"):
        prepare(frame, DataConfig(("t",), ("t",), lookback=3))


@pytest.mark.parametrize("key", list(SAMPLES))
def test_samples_are_deterministic_and_finite(key):
    sample = SAMPLES[key]
    a, b = sample.make(), sample.make()
    pd.testing.assert_frame_equal(a, b)
    assert {sample.target, *sample.features} <= set(a.columns)
    assert np.isfinite(a[list(sample.features)].to_numpy()).all()


# --- task detection and classification (layout A) ---


@pytest.mark.parametrize(
    ("column", "task"),
    [
        (["up", "down", "flat"] * 40, "classification"),  # text
        ([0, 1, 2, 3] * 30, "classification"),  # few whole numbers
        ([0.0, 1.0, 2.0] * 40, "classification"),  # whole numbers stored as floats
        (np.linspace(0, 1, 120), "regression"),  # floats
        (list(range(120)), "regression"),  # many whole numbers
        ([0, 1, 2, 3, 4, 5, 6] * 10, "regression"),  # 7 distinct values are more than 5 % of 70 rows
        ([True, False] * 60, "classification"),
    ],
)
def test_auto_task_detection(column, task):
    assert detect_task(pd.Series(column)) == task


def labelled(n=120):
    """A series whose class at row r is r % 3 (as text), and a numeric feature equal to the row."""
    return pd.DataFrame({"t": np.arange(n, dtype=float), "label": np.array(["a", "b", "c"])[np.arange(n) % 3]})


@pytest.mark.parametrize(("lookback", "horizon", "stride"), [(5, 1, 1), (4, 3, 1), (6, 2, 3)])
def test_classification_label_is_the_class_at_row_t_plus_h_minus_1(lookback, horizon, stride):
    w = prepare(labelled(), DataConfig(("t",), ("label",), lookback=lookback, horizon=horizon, stride=stride))
    assert w.task == "classification" and w.classes == ("a", "b", "c") and w.num_outputs == 3
    assert w.train.y.dtype == np.int32 and w.train.y.shape == (len(w.train),)
    label_rows = w.train.starts + lookback + horizon - 1
    np.testing.assert_array_equal(w.train.y, label_rows % 3)
    np.testing.assert_array_equal(w.test.y, (w.test.starts + lookback + horizon - 1) % 3)
    assert not w.masked and w.timesteps == lookback


def test_numeric_classes_sort_as_numbers_and_are_not_scaled():
    frame = pd.DataFrame({"x": np.arange(300.0), "k": np.arange(300) % 11 + 1})
    w = prepare(frame, DataConfig(("x",), ("k",), lookback=4, task="classification"))
    assert w.classes == tuple(str(i) for i in range(1, 12))
    assert w.train.y[0] == (0 + 4) % 11  # row 4 holds class "5", index 4
    with pytest.raises(DataError, match="class indices"):
        w.unscale_y(w.train.y)


def test_regression_keeps_its_shapes_and_num_outputs():
    w = prepare(ramp(), DataConfig(("t",), ("t",), lookback=4, horizon=3, multi_step=True))
    assert (w.task, w.classes, w.num_outputs, w.train.y.shape[1]) == ("regression", (), 3, 3)


def test_multi_step_with_classes_is_refused():
    with pytest.raises(DataError, match="regression only"):
        DataConfig(("t",), ("label",), multi_step=True, task="classification")
    with pytest.raises(DataError, match="regression only"):
        prepare(labelled(), DataConfig(("t",), ("label",), lookback=3, multi_step=True))  # auto finds classes


@pytest.mark.parametrize(
    ("target", "task", "match"),
    [
        (np.linspace(0, 1, 100), "classification", "not whole"),
        (["only"] * 100, "auto", "one value only"),
        (["a", None] * 50, "auto", "empty cell"),
    ],
)
def test_unusable_class_columns_are_data_errors(target, task, match):
    frame = pd.DataFrame({"t": np.arange(100.0), "y": target})
    with pytest.raises(DataError, match=match):
        prepare(frame, DataConfig(("t",), ("y",), lookback=3, task=task))


def test_a_class_missing_from_training_is_noted():
    frame = labelled(200)
    frame.loc[150:, "label"] = "late"  # appears only after the training rows
    w = prepare(frame, DataConfig(("t",), ("label",), lookback=3))
    assert "late" in w.classes
    assert any("'late' never appear in the training split" in n for n in w.notes)


# --- a separate test file ---


def test_separate_test_table_is_the_test_split_scaled_with_training_statistics():
    main, extra = ramp(100), ramp(40)
    extra["t"] += 1000.0
    w = prepare(main, DataConfig(("t",), ("t",), lookback=5), test_table=extra)
    assert w.train.rows == (0, 85) and w.val.rows == (80, 100)  # no test rows taken from the main table
    assert len(w.val) == 15  # validation targets are rows 85-99; their inputs reach back to row 80
    assert len(w.test) == 40 - 5 and w.test.rows == (0, 40)
    assert w.feature_scaler.shift[0] == pytest.approx(np.arange(85).mean())
    np.testing.assert_allclose(w.feature_scaler.inverse(w.test.x[0, :, :])[:, 0], 1000 + np.arange(5), rtol=1e-5)
    assert w.unscale_y(w.test.y)[0, 0] == pytest.approx(1005.0)
    assert any("test fraction (0.15) is not used" in n for n in w.notes)


def test_separate_test_table_must_have_the_columns():
    with pytest.raises(DataError, match=r"test file lacks the feature column\(s\) 'u'; target column\(s\) 'v'"):
        prepare(ramp(50, u=1.0, v=2.0), DataConfig(("t", "u"), ("v",), lookback=3), test_table=ramp(20))


def test_separate_test_table_classes_join_the_training_ones():
    extra = labelled(30).assign(label="d")
    w = prepare(labelled(), DataConfig(("t",), ("label",), lookback=3), test_table=extra)
    assert w.classes == ("a", "b", "c", "d") and set(w.test.y) == {3}


# --- window preview ---


def test_window_preview_shades_the_x_rows_and_marks_the_y_row():
    w = prepare(ramp(200), DataConfig(("t",), ("t",), lookback=24, horizon=1, stride=2))
    fig = plots.window_preview(ramp(200), w, 6)
    assert fig.layout.title.text == "Sample 6: X = rows 12–35, y = row 36"
    band = fig.layout.shapes[0]
    assert (band.x0, band.x1) == (11.5, 35.5)
    line, y = fig.data
    assert list(y.x) == [36] and list(y.y) == [36.0] and y.name.startswith("y: t = 36")
    assert min(line.x) <= 12 and max(line.x) > 36
    assert "0-based" in fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "t"


def test_window_preview_multi_step_and_classes():
    w = prepare(ramp(), DataConfig(("t",), ("t",), lookback=4, horizon=3, multi_step=True))
    assert plots.window_preview(ramp(), w, 0).layout.title.text == "Sample 0: X = rows 0–3, y = rows 4–6"
    w = prepare(labelled(), DataConfig(("t",), ("label",), lookback=5))
    fig = plots.window_preview(labelled(), w, 1)
    assert fig.data[1].name == "y: class a (row 6)"  # row 6 holds class 6 % 3 = 0
    assert fig.layout.yaxis.title.text == "t"  # a text target cannot be drawn: the first feature is
    with pytest.raises(IndexError, match="out of range"):
        plots.window_preview(labelled(), w, len(w.train))


# --- splits by target row; the change from the last input value (issue 14) ---


@pytest.mark.parametrize(
    ("lookback", "horizon", "multi_step", "stride"), [(24, 1, False, 1), (5, 3, False, 2), (4, 3, True, 1)]
)
def test_a_samples_target_rows_lie_in_its_split_and_its_inputs_may_precede_it(lookback, horizon, multi_step, stride):
    c = DataConfig(
        ("t",), ("t",), lookback=lookback, horizon=horizon, multi_step=multi_step, stride=stride, scaling="none"
    )
    w = prepare(ramp(60), c)  # t is the row number: every value names its row
    n_train, n_val = 60 - 9 - 9, 9
    bounds = {"train": (0, n_train), "val": (n_train, n_train + n_val), "test": (n_train + n_val, 60)}
    for name, split in (("train", w.train), ("val", w.val), ("test", w.test)):
        lo, hi = bounds[name]
        assert len(split) > 0
        targets = w.unscale_y(split.y)  # (samples, outputs): the target rows themselves
        assert targets.min() >= lo and targets.max() < hi
        inputs = split.x[:, :, 0]  # (samples, lookback): rows before each target
        assert np.all(inputs[:, -1] < targets.min(axis=1))
    assert w.val.x[0, 0, 0] < n_train  # the first validation sample's inputs come from training rows


def test_a_36_row_series_gets_all_three_splits_with_lookback_24():
    w = prepare(pd.DataFrame({"v": np.sin(np.arange(36.0))}), DataConfig(("v",), ("v",), lookback=24))
    assert (len(w.train), len(w.val), len(w.test)) == (2, 5, 5) and not w.notes


def test_no_scaling_statistic_uses_validation_or_test_rows():
    frame = ramp(100)
    frame.loc[70:, "t"] = 1e6  # validation and test rows are huge
    for form in ("value", "change"):
        w = prepare(frame, DataConfig(("t",), ("t",), lookback=5, target_form=form))
        assert abs(w.feature_scaler.shift[0]) < 100 and w.feature_scaler.scale[0] < 100
        assert abs(w.target_scaler.shift[0]) < 100 and w.target_scaler.scale[0] < 100
        assert w.target_mean[0] == pytest.approx(np.arange(70).mean())


def test_change_target_predictions_in_units_are_persistence_plus_the_networks_output():
    frame = pd.DataFrame({"v": 0.5 * np.arange(200.0) + np.sin(np.arange(200.0))})
    w = prepare(frame, DataConfig(("v",), ("v",), lookback=6, target_form="change"))
    output = np.random.default_rng(0).normal(size=w.test.y.shape).astype("float32")  # any network output
    persistence = frame["v"].to_numpy()[w.test.starts + 5][:, None]  # the last input row's value
    change = w.target_scaler.inverse(output)
    np.testing.assert_allclose(w.unscale_y(output, w.test), persistence + change, rtol=1e-6)
    np.testing.assert_allclose(w.unscale_y(w.test.y, w.test)[:, 0], frame["v"].to_numpy()[w.test.starts + 6], rtol=1e-5)
    np.testing.assert_allclose(
        w.test.x[0, 1:, 0] * w.feature_scaler.scale[0] + w.feature_scaler.shift[0],
        np.diff(frame["v"].to_numpy()[w.test.starts[0] : w.test.starts[0] + 6]),
        atol=1e-4,
    )


def test_target_form_auto_predicts_the_change_on_a_trend_or_a_short_series():
    t = np.arange(300.0)
    trend = prepare(pd.DataFrame({"v": 0.1 * t + np.sin(t)}), DataConfig(("v",), ("v",), target_form="auto"))
    cycle = prepare(pd.DataFrame({"v": np.sin(t / 5)}), DataConfig(("v",), ("v",), target_form="auto"))
    assert trend.config.target_form == "change" and cycle.config.target_form == "value"
    # 180 rows: 126 training rows, 102 windows of 24 (value); 174 rows: 122 rows, 98 windows (change)
    for rows, windows, form in ((180, 102, "value"), (174, 98, "change")):
        w = prepare(pd.DataFrame({"v": np.sin(t[:rows] / 5)}), DataConfig(("v",), ("v",), target_form="auto"))
        assert (len(w.train), w.config.target_form) == (windows, form)
        assert w.form_reason == ("short" if form == "change" else None)
    assert (trend.form_reason, cycle.form_reason) == ("trend", None)
    strided = DataConfig(("v",), ("v",), target_form="auto", stride=2)  # 102 rows' windows taken every 2nd: 51
    w = prepare(pd.DataFrame({"v": np.sin(t[:180] / 5)}), strided)
    assert (len(w.train), w.config.target_form, w.form_reason) == (51, "change", "short")
    other = prepare(pd.DataFrame({"v": 0.1 * t, "x": np.sin(t)}), DataConfig(("x",), ("v",), target_form="auto"))
    assert other.config.target_form == "value"  # the network never sees the target: no last value to add to


def test_change_target_needs_the_target_among_the_features():
    with pytest.raises(DataError, match="needs the target among the features"):
        DataConfig(("x",), ("v",), target_form="change")


# --- errors and notes in the reader's language ---

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_too_few_rows_reads_in_chinese_with_the_same_numbers():
    with pytest.raises(DataError) as caught:
        prepare(ramp(20), DataConfig(("t",), ("t",), lookback=30))
    assert str(caught.value).startswith("Each sample needs 31 rows (lookback 30 + horizon 1), but the training split")
    assert caught.value.text("zh") == (
        "每个样本需要 31 行（回看长度 30 + 预测步长 1），但训练集只有 14 行（整张表共 20 行）。"
        "请把回看长度设为不超过 13，或使用更多数据。"
    )


def test_a_lookback_over_the_budget_reads_in_chinese():
    from slstm import limits

    with pytest.raises(limits.BudgetError) as caught:
        prepare(ramp(20), DataConfig(("t",), ("t",), lookback=limits.MAX_TIMESTEPS + 1))
    assert "SLSTM_MAX_TIMESTEPS" in str(caught.value) and "SLSTM_MAX_TIMESTEPS" in caught.value.text("zh")
    assert caught.value.text("zh").startswith(f"收到的回看长度为 lookback={limits.MAX_TIMESTEPS + 1:,}；")


def test_window_notes_read_in_every_language():
    w = prepare(ramp(100), DataConfig(("t",), ("t",), lookback=5), test_table=ramp(40))
    (note,) = [n for n in w.notes if "separate test file" in n]
    assert note == "The separate test file's 40 rows are the test split; the test fraction (0.15) is not used."
    assert note.text("zh") == "单独提供的测试文件共 40 行，作为测试集；测试集比例（0.15）不再使用。"
    short = prepare(ramp(100), DataConfig(("t",), ("t",), lookback=3, horizon=20, multi_step=True))
    (empty,) = [n for n in short.notes if "validation" in n]
    assert "validation split's 15 rows cannot hold the 20 target rows" in empty
    assert empty.text("zh").startswith("验证集只有 15 行，容纳不下一个样本的 20 个目标行：验证集为空。")
    assert "调大验证集比例" in empty.text("zh") and not CJK.search(empty)
