"""From a table to the network's input: column roles, chronological splits, scaling fitted on the
training rows only, and sliding windows `(samples, timesteps, features)` that are views, not copies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from slstm.errors import DataError

SCALINGS = ("standard", "minmax", "none")


@dataclass(frozen=True)
class DataConfig:
    """Which columns feed the network and how a series becomes samples.

    y of sample i is the target at row i*stride + lookback + horizon - 1 (or the `horizon` rows after
    the window when `multi_step`).
    """

    features: tuple[str, ...]
    targets: tuple[str, ...]
    time_column: str | None = None
    lookback: int = 24
    horizon: int = 1
    multi_step: bool = False
    stride: int = 1
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    scaling: str = "standard"

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "targets", tuple(self.targets))
        if not self.features or not self.targets:
            raise DataError("Pick at least one feature column and one target column.")
        for name, value in (("lookback", self.lookback), ("horizon", self.horizon), ("stride", self.stride)):
            if not isinstance(value, int) or value < 1:
                raise DataError(f"Received {name}={value!r}; expected a whole number of at least 1.")
        if not (
            0 <= self.val_fraction < 1 and 0 <= self.test_fraction < 1 and self.val_fraction + self.test_fraction < 0.9
        ):
            raise DataError("Validation and test fractions must each be from 0 to 1 and together below 0.9.")
        if self.scaling not in SCALINGS:
            raise DataError(f"Received scaling={self.scaling!r}; expected one of {', '.join(SCALINGS)}.")

    @property
    def num_outputs(self) -> int:
        return len(self.targets) * (self.horizon if self.multi_step else 1)


@dataclass(frozen=True)
class Scaler:
    """Per-column affine scaling: scaled = (x - shift) / scale."""

    shift: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray, kind: str) -> Scaler:
        """Statistics per column in float64, one column at a time (no full-size temporaries)."""
        n = values.shape[1]
        shift, scale = np.zeros(n), np.ones(n)
        for j in range(n):
            column = values[:, j]
            if kind == "standard":
                shift[j], scale[j] = column.mean(dtype="float64"), column.std(dtype="float64")
            elif kind == "minmax":
                shift[j], scale[j] = column.min(), float(column.max()) - float(column.min())
        scale = np.where(scale > 0, scale, 1.0)  # a constant column is shifted only
        return cls(shift, scale)

    def transform_(self, values: np.ndarray) -> np.ndarray:
        """Scale a float32 array in place and return it."""
        values -= self.shift.astype(values.dtype)
        values /= self.scale.astype(values.dtype)
        return values

    def transform(self, values: np.ndarray) -> np.ndarray:
        return self.transform_(np.array(values, dtype="float32"))

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64") * self.scale + self.shift


@dataclass(frozen=True)
class Split:
    x: np.ndarray  # (samples, timesteps, features), a strided view
    y: np.ndarray  # (samples, outputs), scaled
    rows: tuple[int, int]  # [first, last) table rows this split's windows come from
    stride: int = 1

    def __len__(self) -> int:
        return len(self.x)

    @property
    def starts(self) -> np.ndarray:
        """The table row where each sample's window starts."""
        return self.rows[0] + np.arange(len(self.x)) * self.stride


@dataclass(frozen=True)
class Windows:
    config: DataConfig
    train: Split
    val: Split
    test: Split
    feature_scaler: Scaler
    target_scaler: Scaler  # for the targets' columns; repeated over the horizon when multi_step
    notes: tuple[str, ...] = field(default=())

    @property
    def timesteps(self) -> int:
        return self.config.lookback

    @property
    def num_features(self) -> int:
        return len(self.config.features)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (len(self.train), self.timesteps, self.num_features)

    def unscale_y(self, y: np.ndarray) -> np.ndarray:
        """Scaled targets (samples, outputs) back to the target's own units."""
        reps = self.config.horizon if self.config.multi_step else 1
        scaler = Scaler(np.tile(self.target_scaler.shift, reps), np.tile(self.target_scaler.scale, reps))
        return scaler.inverse(y)


def _values(frame: pd.DataFrame, columns: tuple[str, ...], role: str) -> np.ndarray:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"The {role} column(s) {', '.join(map(repr, missing))} are not in the table.")
    values = np.empty((len(frame), len(columns)), dtype="float32")  # our own copy: scaled in place later
    try:
        for j, column in enumerate(columns):  # column by column: no full-size temporary
            values[:, j] = frame[column].to_numpy()
    except (TypeError, ValueError):
        text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
        raise DataError(f"The {role} column(s) {', '.join(map(repr, text))} hold text; pick numeric columns.") from None
    counts = [int(np.count_nonzero(~np.isfinite(values[:, j]))) for j in range(values.shape[1])]  # per column
    if any(counts):
        where = ", ".join(f"{c!r} ({n})" for c, n in zip(columns, counts, strict=True) if n)
        raise DataError(
            f"The {role} columns have missing or infinite values: {where}. Choose a missing-value "
            "policy (drop rows, forward-fill or interpolate) on the Data page first."
        )
    return values


def _windows(features: np.ndarray, targets: np.ndarray, lo: int, hi: int, c: DataConfig) -> Split:
    t, h = c.lookback, c.horizon
    span = t + h  # rows one sample needs
    n = (hi - lo - span) // c.stride + 1 if hi - lo >= span else 0
    f, k = features.shape[1], targets.shape[1]
    if n <= 0:
        return Split(np.empty((0, t, f), "float32"), np.empty((0, c.num_outputs), "float32"), (lo, hi), c.stride)
    view = sliding_window_view(features[lo:hi], t, axis=0)  # (rows-t+1, features, t)
    x = view.transpose(0, 2, 1)[: (n - 1) * c.stride + 1 : c.stride]  # (n, t, features)
    if c.multi_step:
        future = sliding_window_view(targets[lo + t : hi], h, axis=0)  # (.., k, h)
        y = future.transpose(0, 2, 1)[: (n - 1) * c.stride + 1 : c.stride].reshape(n, h * k)
    else:
        first = lo + t + h - 1
        y = targets[first : first + (n - 1) * c.stride + 1 : c.stride]  # (n, k)
    return Split(x, np.ascontiguousarray(y, dtype="float32"), (lo, hi), c.stride)


def prepare(table: pd.DataFrame | object, config: DataConfig) -> Windows:
    """Split a series chronologically, fit scaling on the training rows, and cut windows.

    >>> import pandas as pd
    >>> w = prepare(pd.DataFrame({"v": range(100)}), DataConfig(("v",), ("v",), lookback=5))
    >>> w.input_shape, w.train.y[0, 0] * w.target_scaler.scale[0] + w.target_scaler.shift[0]
    ((66, 5, 1), 5.0)
    """
    frame: pd.DataFrame = getattr(table, "frame", table)
    c = config
    features = _values(frame, c.features, "feature")
    targets = _values(frame, c.targets, "target")
    rows = len(frame)
    n_test, n_val = int(round(rows * c.test_fraction)), int(round(rows * c.val_fraction))
    n_train = rows - n_val - n_test
    need = c.lookback + c.horizon
    if n_train < need:
        raise DataError(
            f"Each sample needs {need} rows (lookback {c.lookback} + horizon {c.horizon}), but the training "
            f"split has only {n_train} of the table's {rows} rows. Use a shorter lookback or more data."
        )
    feature_scaler = Scaler.fit(features[:n_train], c.scaling)
    target_scaler = Scaler.fit(targets[:n_train], c.scaling)
    scaled_x, scaled_y = feature_scaler.transform_(features), target_scaler.transform_(targets)
    bounds = [(0, n_train), (n_train, n_train + n_val), (n_train + n_val, rows)]
    train, val, test = (_windows(scaled_x, scaled_y, lo, hi, c) for lo, hi in bounds)
    notes = []
    for name, split, (lo, hi) in (("validation", val, bounds[1]), ("test", test, bounds[2])):
        if hi > lo and len(split) == 0:
            notes.append(f"The {name} split ({hi - lo} rows) is shorter than one sample ({need} rows): it is empty.")
    return Windows(c, train, val, test, feature_scaler, target_scaler, tuple(notes))
