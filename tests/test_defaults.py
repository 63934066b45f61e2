import numpy as np
import pytest

from slstm.defaults import LEVEL_WINDOWS, change_reason, has_trend, offsets_dominate, suggest_lookback


@pytest.mark.parametrize(("period", "expected"), [(12, 12), (24, 24), (7, 7)])
def test_suggest_lookback_finds_the_season(period, expected):
    t = np.arange(40 * period)
    noisy = np.sin(2 * np.pi * t / period) + 0.2 * np.random.default_rng(0).normal(size=len(t)) + 0.01 * t
    assert suggest_lookback(noisy) == expected


def test_no_season_no_suggestion():
    assert suggest_lookback(np.random.default_rng(0).normal(size=500)) is None


def test_has_trend():
    t = np.arange(200.0)
    assert has_trend(t + np.sin(t)) and not has_trend(np.sin(t / 4)) and not has_trend(np.ones(10))


def test_change_reason_is_a_trend_or_too_few_windows():
    cycle, rise = np.sin(np.arange(300.0) / 4), np.arange(300.0)
    assert change_reason(cycle, LEVEL_WINDOWS) is None and change_reason(cycle, LEVEL_WINDOWS - 1) == "short"
    assert change_reason(rise, 10_000) == "trend"


def test_offsets_dominate_without_and_with_labels():
    rng = np.random.default_rng(0)
    seq = np.repeat(np.arange(20), 10)
    shape = np.tile(np.sin(np.arange(10)), 20)
    offsets = rng.normal(0, 20, 20)
    assert offsets_dominate((offsets[seq] + shape)[:, None], seq)
    assert not offsets_dominate(shape[:, None] + 0.01 * rng.normal(size=200)[:, None], seq)
    labels = (offsets > 0).astype(int)  # the offset is the class: keep it
    assert not offsets_dominate((offsets[seq] + shape)[:, None], seq, labels)
