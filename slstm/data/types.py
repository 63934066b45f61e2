"""The data choice's types, shared by both layouts: DataConfig (column roles, window, split, scaling, target
form), Scaler, Split and Windows, and the column checks and class encoding that series (slstm.data) and long-format
sequences (slstm.data.sequences) both use."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from slstm.errors import Clauses, DataError, Listing, Message
from slstm.shapes import InputShape

SCALINGS = ("auto", "standard", "minmax", "none", "per_sequence")
TASKS = ("auto", "regression", "classification")
TARGET_FORMS = ("auto", "value", "change")
MAX_CLASSES = 200


@dataclass(frozen=True)
class DataConfig:
    """Which columns feed the network and how a table becomes samples.

    Layout A (a series, `sequence_id=None`): y of sample i is the target at row
    i*stride + lookback + horizon - 1 (or the `horizon` rows after the window when `multi_step`).
    Layout B (long format, `sequence_id` set): each sequence is one sample labelled with the target on
    its last row; `lookback`, `horizon` and `stride` are not used; sequences are pre-padded to the longest
    one, or cut to their last `max_timesteps` steps when that is set.
    `task="auto"` picks classification for a text target or whole numbers with few distinct values.
    A split holds the samples whose target rows lie in it; a sample's input window may reach back into
    the rows before its split (that is no leakage: scaling is fitted on the training rows only).
    `target_form="change"` (layout A, regression, every target also a feature): the network sees each step's
    change of the target columns and predicts the change from the last input value; forecasts are that
    last value plus the predicted change. `"auto"` picks it when the training split shows a trend or
    has fewer than 100 windows (slstm.defaults.change_reason). `scaling="per_sequence"` (layout B)
    z-normalises each sequence on its own; `"auto"` is "standard", or "per_sequence" where sequences differ
    mostly in offset and scale.
    `prepare` resolves every "auto"; `Windows.config` holds the choice made.
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
    sequence_id: str | None = None
    max_timesteps: int | None = None
    task: str = "auto"
    target_form: str = "value"

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "targets", tuple(self.targets))
        if not self.features or not self.targets:
            raise DataError("dataerr.no_columns")
        for name, value in (("lookback", self.lookback), ("horizon", self.horizon), ("stride", self.stride)):
            if not isinstance(value, int) or value < 1:
                raise DataError("dataerr.not_positive", name=name, value=repr(value))
        if self.max_timesteps is not None and (not isinstance(self.max_timesteps, int) or self.max_timesteps < 1):
            raise DataError("dataerr.bad_max_timesteps", value=repr(self.max_timesteps))
        if not (
            0 <= self.val_fraction < 1 and 0 <= self.test_fraction < 1 and self.val_fraction + self.test_fraction < 0.9
        ):
            raise DataError("dataerr.bad_fractions")
        for name, value, choices in (
            ("scaling", self.scaling, SCALINGS),
            ("task", self.task, TASKS),
            ("target_form", self.target_form, TARGET_FORMS),
        ):
            if value not in choices:
                raise DataError("dataerr.unknown_choice", name=name, value=repr(value), expected=Listing(choices))
        if self.scaling == "per_sequence" and self.sequence_id is None:
            raise DataError("dataerr.per_sequence_one_series")
        if self.target_form == "change" and self.sequence_id is not None:
            raise DataError("dataerr.change_with_id")
        if self.target_form == "change" and any(t not in self.features for t in self.targets):
            raise DataError("dataerr.change_needs_feature")
        if self.multi_step and self.task == "classification":
            raise DataError(_MULTI_STEP_CLASSES)
        if self.multi_step and self.sequence_id is not None:
            raise DataError("dataerr.multi_step_with_id")
        if self.sequence_id is not None and self.sequence_id in (*self.features, *self.targets):
            raise DataError("dataerr.id_in_roles", column=repr(self.sequence_id))

    @property
    def num_outputs(self) -> int:
        """Outputs of a regression model; use `Windows.num_outputs`, which also knows classification."""
        return len(self.targets) * (self.horizon if self.multi_step else 1)


_MULTI_STEP_CLASSES = "dataerr.multi_step_classes"


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
            if len(column) == 0:
                continue
            if kind == "standard":
                shift[j], scale[j] = column.mean(dtype="float64"), column.std(dtype="float64")
            elif kind == "minmax":
                shift[j], scale[j] = column.min(), float(column.max()) - float(column.min())
        scale = np.where(scale > 0, scale, 1.0)  # a constant column is shifted only
        return cls(shift, scale)

    @classmethod
    def identity(cls, n: int) -> Scaler:
        return cls(np.zeros(n), np.ones(n))

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
    x: np.ndarray  # (samples, timesteps, features): a strided view (layout A), pre-padded copies (layout B)
    y: np.ndarray  # regression: (samples, outputs), scaled; classification: (samples,) int32 class indices
    rows: tuple[int, int]  # layout A: [first, last) table rows this split's windows come from
    stride: int = 1
    ids: np.ndarray | None = None  # layout B: the sequence id of each sample
    lengths: np.ndarray | None = None  # layout B: real (unpadded) steps of each sample
    base: np.ndarray | None = None  # layout A regression: (samples, outputs) the target's last input value, in units

    def __len__(self) -> int:
        return len(self.x)

    @property
    def starts(self) -> np.ndarray:
        """The table row where each sample's window starts (layout A)."""
        return self.rows[0] + np.arange(len(self.x)) * self.stride


@dataclass(frozen=True)
class Windows:
    config: DataConfig
    train: Split
    val: Split
    test: Split
    feature_scaler: Scaler
    target_scaler: Scaler  # for the targets' columns; repeated over the horizon when multi_step; identity for classes
    notes: tuple[str, ...] = field(default=())
    task: str = "regression"  # "regression" | "classification"
    classes: tuple[str, ...] = ()  # classification: the class names, y holds indices into them
    masked: bool = False  # sequences were pre-padded with 0.0: the model needs keras.layers.Masking(mask_value=0.0)
    target_mean: np.ndarray | None = None  # regression: each target's mean over the training rows, in units
    form_reason: str | None = None  # why target_form "auto" chose the change: "trend" or "short" (slstm.defaults)

    @property
    def timesteps(self) -> int:
        return self.train.x.shape[1]

    @property
    def num_features(self) -> int:
        return len(self.config.features)

    @property
    def num_outputs(self) -> int:
        """Units of the output layer: one per class for classification, else one per target and step."""
        return len(self.classes) if self.task == "classification" else self.config.num_outputs

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (len(self.train), self.timesteps, self.num_features)

    @property
    def shape(self) -> InputShape:
        """What the model sees of this data (the value validate, infer_shapes and build_model take)."""
        return InputShape(self.timesteps, self.num_features, self.num_outputs, self.task)

    def unscale_y(self, y: np.ndarray, split: Split | None = None) -> np.ndarray:
        """Scaled targets (samples, outputs) back to the target's own units (regression only).

        With `target_form="change"`, y is the change from the last input value: pass the split the samples
        come from to get values (its persistence forecast plus the change); without it, the change in units.
        """
        if self.task == "classification":
            raise DataError("Classification labels are class indices, not scaled values; use windows.classes[y].")
        reps = self.config.horizon if self.config.multi_step else 1
        scaler = Scaler(np.tile(self.target_scaler.shift, reps), np.tile(self.target_scaler.scale, reps))
        out = scaler.inverse(y)
        if self.config.target_form == "change" and split is not None and split.base is not None:
            out = out + split.base
        return out

    def class_counts(self) -> dict[str, dict[str, int]]:
        """Samples per class and split: {class: {"train": n, "validation": n, "test": n}}."""
        splits = {"train": self.train, "validation": self.val, "test": self.test}
        counts = {k: np.bincount(s.y, minlength=len(self.classes)) for k, s in splits.items()}
        return {name: {k: int(c[i]) for k, c in counts.items()} for i, name in enumerate(self.classes)}


def detect_task(values: pd.Series) -> str:
    """ "classification" for text, or whole numbers with few distinct values (≤ 10 and ≤ 5 % of rows).

    >>> detect_task(pd.Series(["up", "down"] * 50)), detect_task(pd.Series([0, 1, 2] * 40))
    ('classification', 'classification')
    """
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_timedelta64_dtype(values):
        return "regression"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification"
    array = values.to_numpy()
    if array.dtype.kind == "f":
        for part in (array[:1000], array):  # a cheap look first: most float columns stop here
            finite = part[np.isfinite(part)]
            if not np.array_equal(finite, np.round(finite)):
                return "regression"
    distinct = values.nunique()
    return "classification" if distinct <= 10 and distinct <= 0.05 * len(values) else "regression"


def encode_classes(columns: list[pd.Series], name: str) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """Class names (numbers in numeric order, text sorted) and each column's int32 class indices."""
    for column in columns:
        if missing := int(column.isna().sum()):
            raise DataError("dataerr.empty_labels", name=repr(name), count=missing)
    together = pd.concat(columns, ignore_index=True)
    if pd.api.types.is_numeric_dtype(together) and not pd.api.types.is_bool_dtype(together):
        numbers = together.to_numpy("float64")
        if not (np.isfinite(numbers).all() and np.array_equal(numbers, np.round(numbers))):
            raise DataError("dataerr.not_whole_classes", name=repr(name))
        uniques = np.unique(numbers)
        classes = tuple(str(int(v)) for v in uniques)
        codes = [np.searchsorted(uniques, c.to_numpy("float64")).astype("int32") for c in columns]
    else:
        classes = tuple(sorted(set(together.astype(str))))
        codes = [pd.Categorical(c.astype(str), categories=classes).codes.astype("int32") for c in columns]
    if len(classes) < 2:
        raise DataError("dataerr.one_class", name=repr(name), value=repr(classes[0]))
    if len(classes) > MAX_CLASSES:
        raise DataError("dataerr.too_many_classes", name=repr(name), count=len(classes), most=MAX_CLASSES)
    return classes, codes


def labels(frames: list[pd.DataFrame], c: DataConfig) -> tuple[str, tuple[str, ...], list[np.ndarray] | None]:
    """The task, the class names and each frame's class indices per row (None for regression)."""
    task = c.task
    if task == "auto":
        task = detect_task(frames[0][c.targets[0]]) if len(c.targets) == 1 else "regression"
    if task == "regression":
        return task, (), None
    if len(c.targets) != 1:
        raise DataError("dataerr.one_target_for_classes", count=len(c.targets))
    if c.multi_step:
        raise DataError(_MULTI_STEP_CLASSES)
    classes, codes = encode_classes([f[c.targets[0]] for f in frames], c.targets[0])
    return task, classes, codes


def check_columns(frame: pd.DataFrame, c: DataConfig, *, where: str = "the table") -> None:
    """Every column the config names is in `frame` ("the table", or "the test file"), or a DataError naming
    the missing ones."""
    roles = {"feature": c.features, "target": c.targets, "time": (c.time_column,), "sequence_id": (c.sequence_id,)}
    missing = {role: [n for n in names if n is not None and n not in frame.columns] for role, names in roles.items()}
    if any(missing.values()):
        what = Clauses(
            Message(f"dataerr.missing_role.{role}", columns=Listing(map(repr, names)))
            for role, names in missing.items()
            if names
        )
        raise DataError("dataerr.lacks_in_table" if where == "the table" else "dataerr.lacks_in_test_file", what=what)
    if text := [n for n in c.features if not pd.api.types.is_numeric_dtype(frame[n])]:
        raise DataError("dataerr.text_columns.feature", columns=Listing(map(repr, text)))


def numeric_values(frame: pd.DataFrame, columns: tuple[str, ...], role: str) -> np.ndarray:
    """The columns as a new float32 array (rows, columns), or a DataError for text or missing values."""
    out = np.empty((len(frame), len(columns)), dtype="float32")  # our own copy: scaled in place later
    try:
        for j, column in enumerate(columns):  # column by column: no full-size temporary
            out[:, j] = frame[column].to_numpy()
    except (TypeError, ValueError):
        text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
        raise DataError(f"dataerr.text_columns.{role}", columns=Listing(map(repr, text))) from None
    counts = [int(np.count_nonzero(~np.isfinite(out[:, j]))) for j in range(out.shape[1])]  # per column
    if any(counts):
        where = Listing(
            Message("dataerr.column_count", name=repr(c), count=n) for c, n in zip(columns, counts, strict=True) if n
        )
        raise DataError(f"dataerr.missing_values.{role}", where=where)
    return out


def missing_classes_note(classes: tuple[str, ...], train_y: np.ndarray) -> list[str]:
    absent = [name for i, name in enumerate(classes) if not np.any(train_y == i)]
    if not absent:
        return []
    return [Message("dataerr.note.missing_classes", classes=Listing(map(repr, absent)))]
