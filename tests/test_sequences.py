import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.data.samples import SAMPLES
from slstm.data.sequences import group, split_sequences
from slstm.errors import DataError
from slstm.figures import charts as plots


def long_table(lengths, labels=None, *, shuffle=False, seed=0):
    """Sequence k has lengths[k] rows; its feature `v` is 100*k + step + 1 (never 0), `step` counts steps."""
    rows = [
        (k, s, 100.0 * k + s + 1, (labels or [float(k)] * len(lengths))[k])
        for k, n in enumerate(lengths)
        for s in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["id", "step", "v", "y"])
    return frame.sample(frac=1, random_state=seed, ignore_index=True) if shuffle else frame


def config(**kw):
    return DataConfig(
        ("v",), ("y",), **{"sequence_id": "id", "scaling": "none", "val_fraction": 0, "test_fraction": 0, **kw}
    )


def test_each_sequence_is_one_sample_prepadded_and_labelled_by_its_last_row():
    frame = long_table([3, 5, 2], labels=[7.0, 8.0, 9.0])
    frame.loc[frame.id == 1, "y"] = [0.0, 0.0, 0.0, 0.0, 8.5]  # only the last row's target counts
    w = prepare(frame, config(task="regression"))
    assert w.input_shape == (3, 5, 1) and w.timesteps == 5 and w.masked
    np.testing.assert_array_equal(w.train.x[0, :, 0], [0, 0, 1, 2, 3])  # padding at the front
    np.testing.assert_array_equal(w.train.x[1, :, 0], [101, 102, 103, 104, 105])
    np.testing.assert_array_equal(w.train.x[2, :, 0], [0, 0, 0, 201, 202])
    np.testing.assert_array_equal(w.unscale_y(w.train.y)[:, 0], [7.0, 8.5, 9.0])
    assert list(w.train.lengths) == [3, 5, 2] and list(w.train.ids) == [0, 1, 2]


def test_rows_sort_by_the_time_column_when_set_else_keep_file_order():
    frame = long_table([4, 3], labels=[1.0, 2.0], shuffle=True)
    frame["y"] = frame["step"] * 10.0  # label = 10 * the last step's number
    ordered = prepare(frame, config(time_column="step", task="regression"))
    k = list(ordered.train.ids).index(0)  # sequences come in order of first appearance
    np.testing.assert_array_equal(ordered.train.x[k, :, 0], [1, 2, 3, 4])
    np.testing.assert_array_equal(ordered.unscale_y(ordered.train.y)[k], [30.0])
    np.testing.assert_array_equal(ordered.unscale_y(ordered.train.y)[1 - k], [20.0])
    as_filed = prepare(frame, config(task="regression"))
    first = frame[frame.id == frame.id.iloc[0]]
    np.testing.assert_array_equal(as_filed.train.x[0, -len(first) :, 0], first.v)  # first id in the file first


def test_max_timesteps_keeps_the_last_steps():
    w = prepare(long_table([3, 6]), config(max_timesteps=4, task="regression"))
    assert w.timesteps == 4
    np.testing.assert_array_equal(w.train.x[1, :, 0], [103, 104, 105, 106])
    np.testing.assert_array_equal(w.train.x[0, :, 0], [0, 1, 2, 3])
    assert any("longer than max_timesteps=4" in n for n in w.notes)


def test_equal_lengths_need_no_mask():
    assert not prepare(long_table([4, 4, 4]), config(task="regression")).masked


def test_gestures_is_classification_with_three_balanced_classes():
    sample = SAMPLES["gestures"]
    frame = sample.make()
    w = prepare(frame, DataConfig(sample.features, (sample.target,), sequence_id=sample.sequence_id))
    assert w.task == "classification" and w.classes == ("circle", "shake", "swipe") and w.num_outputs == 3
    assert w.input_shape == (168, 40, 3) and w.masked and w.train.y.dtype == np.int32
    counts = w.class_counts()
    assert counts["circle"] == {"train": 56, "validation": 12, "test": 12}
    last = frame.groupby("sequence").gesture.last()
    np.testing.assert_array_equal(np.array(w.classes)[w.test.y], last[w.test.ids])
    assert not (set(w.train.ids) & set(w.val.ids) or set(w.train.ids) & set(w.test.ids))


def test_stratified_split_keeps_every_class_in_training():
    classes = np.array([0] * 20 + [1] * 2 + [2])  # a rare class of one sequence
    train, val, test = split_sequences(len(classes), 0.3, 0.3, classes)
    assert set(classes[train]) == {0, 1, 2}
    assert len(train) + len(val) + len(test) == len(classes)
    assert sorted(np.concatenate([train, val, test])) == list(range(len(classes)))
    labels = ["a"] * 20 + ["b"] * 2 + ["c"]
    w = prepare(long_table([3] * 23, labels=labels), config(val_fraction=0.3, test_fraction=0.3))
    assert set(w.train.y) == {0, 1, 2}
    assert not any("never appear" in n for n in w.notes)


def test_scaler_comes_from_the_training_sequences_only():
    frame = long_table([2] * 10, labels=[float(k) for k in range(10)])
    frame.loc[frame.id >= 8, "v"] = 1e6  # the last sequences (validation and test) are wild
    w = prepare(frame, DataConfig(("v",), ("y",), sequence_id="id", val_fraction=0.1, test_fraction=0.1))
    train_rows = frame[frame.id < 8].v
    assert w.feature_scaler.shift[0] == pytest.approx(train_rows.mean())
    assert w.feature_scaler.scale[0] == pytest.approx(train_rows.std(ddof=0))
    assert w.target_scaler.shift[0] == pytest.approx(np.arange(8).mean())  # the training labels


def test_separate_test_file_sequences_are_the_test_split():
    main, extra = long_table([3] * 10, labels=["a", "b"] * 5), long_table([2, 6], labels=["b", "a"])
    extra["v"] += 50
    w = prepare(main, DataConfig(("v",), ("y",), sequence_id="id"), test_table=extra)
    assert len(w.train) + len(w.val) == 10 and len(w.test) == 2
    assert w.timesteps == 6  # the longest sequence of either file
    np.testing.assert_array_equal(w.test.y, [1, 0])
    np.testing.assert_allclose(w.feature_scaler.inverse(w.test.x[1])[:, 0], 150 + np.arange(1, 7), rtol=1e-5)
    with pytest.raises(DataError, match="test file lacks the sequence id column"):
        prepare(main, DataConfig(("v",), ("y",), sequence_id="id"), test_table=extra.drop(columns="id"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"multi_step": True}, "one label"),
        ({"features": ("v", "id")}, "is the sequence id"),
    ],
)
def test_bad_long_format_configs(kwargs, match):
    with pytest.raises(DataError, match=match):
        DataConfig(**{"features": ("v",), "targets": ("y",), "sequence_id": "id", **kwargs})


def test_empty_ids_are_refused():
    frame = long_table([3, 3])
    frame["id"] = frame["id"].astype(object)
    frame.loc[2, "id"] = None
    with pytest.raises(DataError, match="1 empty cell"):
        prepare(frame, config(task="regression"))


def test_group_keeps_first_appearance_order():
    seqs = group(pd.DataFrame({"id": ["b", "a", "b", "c", "a"]}), "id")
    assert seqs.ids.tolist() == ["b", "a", "c"]
    assert seqs.order.tolist() == [0, 2, 1, 4, 3] and seqs.lengths.tolist() == [2, 2, 1]


def test_sequence_preview_shows_the_padding_and_the_label():
    frame = long_table([3, 5], labels=["x", "y"])
    w = prepare(frame, config())
    fig = plots.window_preview(frame, w, 0)
    assert fig.layout.title.text == "Sample 0: sequence 0, 3 steps, pre-padded to 5; y = x (last row 2)"
    assert list(fig.data[0].x) == [2, 3, 4] and list(fig.data[0].y) == [1, 2, 3]
    padding, label = fig.layout.shapes
    assert (padding.x0, padding.x1) == (-0.5, 1.5) and label.x0 == 4
    assert [a.text for a in fig.layout.annotations] == ["padding (zeros, masked)", "y = x"]
    assert fig.layout.xaxis.title.text == "timestep (model input)"
    assert len(plots.window_preview(frame, w, 1).layout.shapes) == 1  # the longest needs no padding


def test_per_sequence_scaling_z_normalises_each_sequence_on_its_own():
    frame = long_table([4, 6, 5])  # v is 100k + step + 1: offsets differ by sequence
    w = prepare(frame, config(scaling="per_sequence", max_timesteps=6))
    for split in (w.train,):
        for x, n in zip(split.x[:, :, 0], split.lengths, strict=True):
            real = x[-n:]
            assert real.mean() == pytest.approx(0, abs=1e-5) and real.std() == pytest.approx(1, abs=1e-5)
            assert np.all(x[:-n] == 0) if n < 6 else True  # padding stays zero
    assert w.config.scaling == "per_sequence"


def test_scaling_auto_is_per_sequence_where_offsets_and_scales_dominate():
    rng = np.random.default_rng(0)
    rows = []
    for k in range(40):
        shape = np.sin(np.arange(20) / 3) if k % 2 else np.cos(np.arange(20) / 3)  # the class is the shape
        values = rng.normal(0, 50) + rng.uniform(0.5, 5) * shape  # a nuisance offset and scale per sequence
        rows += [(k, s, v, k % 2) for s, v in enumerate(values)]
    frame = pd.DataFrame(rows, columns=["id", "step", "v", "y"])
    auto = prepare(frame, DataConfig(("v",), ("y",), sequence_id="id", scaling="auto"))
    assert auto.config.scaling == "per_sequence"
    level = frame.assign(v=frame["v"] * 0 + frame["y"] * 10 + np.tile(np.sin(np.arange(20)), 40))  # offset = class
    assert prepare(level, DataConfig(("v",), ("y",), sequence_id="id", scaling="auto")).config.scaling == "standard"


def test_per_sequence_scaling_needs_a_sequence_id():
    with pytest.raises(DataError, match="Per-sequence scaling"):
        DataConfig(("v",), ("v",), scaling="per_sequence")


# --- errors and notes in the reader's language ---


def test_sequence_errors_and_notes_read_in_chinese():
    frame = long_table([3, 3])
    frame["id"] = frame["id"].astype(object)
    frame.loc[2, "id"] = None
    with pytest.raises(DataError) as caught:
        prepare(frame, config(task="regression"))
    assert "has 1 empty cell; every row needs an id" in str(caught.value)
    assert caught.value.text("zh") == "序列编号列 'id' 有 1 个空单元格；每一行都需要一个编号。"
    w = prepare(long_table([3, 6, 7]), config(max_timesteps=4, task="regression"))
    (cut,) = [n for n in w.notes if "max_timesteps" in n]
    assert cut == "2 sequences are longer than max_timesteps=4; they keep their last 4 steps."
    assert cut.text("zh") == "有 2 条序列长于 max_timesteps=4；它们只保留最后 4 个时间步。"
    one = prepare(long_table([3, 6]), config(max_timesteps=4, task="regression"))
    assert "1 sequence is longer than max_timesteps=4; it keeps its last 4 steps." in one.notes


def test_a_padding_refusal_reads_in_chinese(monkeypatch):
    from slstm import limits

    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 1000)
    frame = pd.DataFrame({"id": np.repeat(np.arange(50), 10), "v": np.arange(500.0)})
    with pytest.raises(limits.BudgetError) as caught:
        prepare(frame, DataConfig(("v",), ("v",), sequence_id="id"))
    assert str(caught.value) == (
        "Padding 50 sequences (the longest has 10 rows) to 10 timesteps × 1 features would need an array of "
        "(50 × 10 × 1) values, 2.0 KB; this server's limit is 1000 bytes (setting SLSTM_MAX_ARRAY_BYTES). "
        "Choose the column that names each sequence, or set max_timesteps lower."
    )
    assert caught.value.text("zh").startswith(
        "把 50 条序列（最长的有 10 行）补齐到 10 个时间步 × 1 个特征，需要一个形状为 (50 × 10 × 1) 的数组，共 2.0 KB；"
    )
