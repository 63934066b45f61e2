"""Data-driven defaults, each a simple documented test on the training rows only: is there a trend, or are
there too few training windows to learn levels (then predict the change), which lookback the series' own
seasonality suggests, and whether long-format sequences differ mostly in offset and scale (then z-normalise
each sequence on its own). Pure NumPy, no TensorFlow."""

from __future__ import annotations

import numpy as np

TREND_R2 = 0.5  # a straight line explains at least half of the training split's variance: a trend
MIN_SEASON, MAX_SEASON = 2, 400
ACF_PEAK = 0.3  # an autocorrelation peak at least this high counts as a season
LEVEL_WINDOWS = 100  # fewer training windows than this are too few to learn levels: predict the change
OFFSET_SHARE = 0.5  # per-sequence means/stds explain at least half of the variance: offset and scale dominate


def has_trend(values: np.ndarray) -> bool:
    """True when a least-squares line through `values` (training rows, one column) explains at least
    TREND_R2 of their variance. A steady rise or fall; a cycle or a level series gives a low R².

    >>> has_trend(np.arange(100.0)), has_trend(np.sin(np.arange(100.0)))
    (True, False)
    """
    y = np.asarray(values, dtype="float64").reshape(-1)
    y = y[np.isfinite(y)]
    if len(y) < 3 or y.std() == 0:
        return False
    t = np.arange(len(y), dtype="float64")
    r = np.corrcoef(t, y)[0, 1]
    return bool(r * r >= TREND_R2)


def change_reason(values: np.ndarray, train_windows: int) -> str | None:
    """Why "auto" predicts the change from the last input value: "trend" (has_trend), "short" (fewer than
    LEVEL_WINDOWS training windows), or None (predict the value). With so few samples a network fed levels
    learns little more than their mean and may end far from it; predicting the change starts from
    persistence, and early stopping keeps the weights that did best on validation (bench/skill.py: Nile,
    46 windows, test RMSE 1.99x persistence as a value and 0.98x as a change; Lynx, 56 windows, 1.56x, 0.66x).

    >>> change_reason(np.arange(300.0), 276), change_reason(np.sin(np.arange(70.0)), 46)
    ('trend', 'short')
    >>> change_reason(np.sin(np.arange(500.0)), 476) is None
    True
    """
    return "trend" if has_trend(values) else "short" if train_windows < LEVEL_WINDOWS else None


def autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation at lags 0..max_lag (of the series after removing its straight-line trend)."""
    y = np.asarray(values, dtype="float64").reshape(-1)
    t = np.arange(len(y), dtype="float64")
    if len(y) > 2:
        y = y - np.polyval(np.polyfit(t, y, 1), t)
    y = y - y.mean()
    denom = float(np.dot(y, y)) or 1.0
    return np.array([float(np.dot(y[: len(y) - k], y[k:])) / denom for k in range(max_lag + 1)])


def suggest_lookback(values: np.ndarray, *, max_lag: int | None = None) -> int | None:
    """The season length of a series: the lag of its highest autocorrelation peak (a local maximum of at
    least ACF_PEAK, between MIN_SEASON and a third of the series), or None when there is no clear season.

    >>> suggest_lookback(np.sin(2 * np.pi * np.arange(240) / 12))
    12
    """
    y = np.asarray(values, dtype="float64").reshape(-1)
    limit = min(MAX_SEASON, len(y) // 3 if max_lag is None else max_lag)
    if limit < MIN_SEASON + 1:
        return None
    acf = autocorrelation(y, limit + 1)
    peaks = [k for k in range(MIN_SEASON, limit + 1) if acf[k] >= acf[k - 1] and acf[k] >= acf[k + 1]]
    peaks = [k for k in peaks if acf[k] >= ACF_PEAK]
    return max(peaks, key=lambda k: acf[k]) if peaks else None


def offsets_dominate(steps: np.ndarray, seq: np.ndarray, labels: np.ndarray | None = None) -> bool:
    """Whether sequences differ mostly in offset and scale: for some feature, the per-sequence means explain
    at least OFFSET_SHARE of the variance, or the per-sequence standard deviations vary by at least that
    fraction of their mean; and, with class labels, the offsets do not tell the classes apart (their
    spread within classes is at least half their total spread), so removing them loses no signal.

    `steps` (rows, features) are the training sequences' real steps, `seq` (rows,) each one's sequence
    0..m-1, `labels` (m,) each sequence's class.
    """
    steps = np.asarray(steps, dtype="float64")
    m = int(seq.max(initial=-1)) + 1
    if len(steps) == 0 or m < 2:
        return False
    counts = np.maximum(np.bincount(seq, minlength=m), 1).astype("float64")[:, None]
    means = np.stack([np.bincount(seq, weights=steps[:, j], minlength=m) for j in range(steps.shape[1])], 1)
    means /= counts  # (m, features)
    squares = np.stack([np.bincount(seq, weights=steps[:, j] ** 2, minlength=m) for j in range(steps.shape[1])], 1)
    stds = np.sqrt(np.maximum(squares / counts - means**2, 0))
    total = steps.var(axis=0)
    offset_share = 1 - ((steps - means[seq]) ** 2).mean(axis=0) / np.where(total > 0, total, 1.0)
    scale_spread = stds.std(axis=0) / np.maximum(stds.mean(axis=0), 1e-12)
    if float(np.max(np.maximum(offset_share, scale_spread))) < OFFSET_SHARE:
        return False
    if labels is None or len(np.unique(labels)) < 2:
        return True
    labels = np.asarray(labels)
    within = sum(means[labels == k].var(axis=0) * np.mean(labels == k) for k in np.unique(labels))
    return bool(np.all(within >= 0.5 * means.var(axis=0)))
