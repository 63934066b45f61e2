import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.errors import DataError
from slstm.samples import SAMPLES


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
