"""The data choice's types, shared by both layouts: DataConfig (column roles, window, split, scaling, target
form), Scaler, Split and Windows, and the column checks and class encoding that series (slstm.data) and long-format
sequences (slstm.sequences) both use."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from slstm.errors import DataError

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
    last value plus the predicted change. `"auto"` picks it when the training split shows a trend
    (slstm.defaults.has_trend). `scaling="per_sequence"` (layout B) z-normalises each sequence on its own;
    `"auto"` is "standard", or "per_sequence" where sequences differ mostly in offset and scale.
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
            raise DataError("Pick at least one feature column and one target column.")
        for name, value in (("lookback", self.lookback), ("horizon", self.horizon), ("stride", self.stride)):
            if not isinstance(value, int) or value < 1:
                raise DataError(f"Received {name}={value!r}; expected a whole number of at least 1.")
        if self.max_timesteps is not None and (not isinstance(self.max_timesteps, int) or self.max_timesteps < 1):
            raise DataError(f"Received max_timesteps={self.max_timesteps!r}; expected None or a whole number ≥ 1.")
        if not (
            0 <= self.val_fraction < 1 and 0 <= self.test_fraction < 1 and self.val_fraction + self.test_fraction < 0.9
        ):
            raise DataError("Validation and test fractions must each be from 0 to 1 and together below 0.9.")
        if self.scaling not in SCALINGS:
            raise DataError(f"Received scaling={self.scaling!r}; expected one of {', '.join(SCALINGS)}.")
        if self.task not in TASKS:
            raise DataError(f"Received task={self.task!r}; expected one of {', '.join(TASKS)}.")
        if self.target_form not in TARGET_FORMS:
            raise DataError(f"Received target_form={self.target_form!r}; expected one of {', '.join(TARGET_FORMS)}.")
        if self.scaling == "per_sequence" and self.sequence_id is None:
            raise DataError(
                "Per-sequence scaling z-normalises each sequence of a long-format table; this table is one "
                "series. Choose standard scaling, or a sequence id column."
            )
        if self.target_form == "change" and self.sequence_id is not None:
            raise DataError(
                "Predicting the change from the last input value works on one series; with a sequence id each "
                "sequence has one label. Predict the value instead."
            )
        if self.target_form == "change" and any(t not in self.features for t in self.targets):
            raise DataError(
                "Predicting the change from the last input value needs the target among the features (the "
                "network must see its last value). Add the target to the features, or predict the value."
            )
        if self.multi_step and self.task == "classification":
            raise DataError(_MULTI_STEP_CLASSES)
        if self.multi_step and self.sequence_id is not None:
            raise DataError(
                "multi_step predicts the next rows after a sliding window; with a sequence id column each "
                "sequence has one label. Turn off 'predict all H next steps' or choose no sequence id."
            )
        if self.sequence_id is not None and self.sequence_id in (*self.features, *self.targets):
            raise DataError(
                f"Column {self.sequence_id!r} is the sequence id; it cannot also be a feature or the target. "
                "Remove it from the features (or pick another target)."
            )

    @property
    def num_outputs(self) -> int:
        """Outputs of a regression model; use `Windows.num_outputs`, which also knows classification."""
        return len(self.targets) * (self.horizon if self.multi_step else 1)


_MULTI_STEP_CLASSES = (
    "multi_step (predict all H next steps) works for regression only; the target holds classes. "
    "Turn off multi_step, or set the task to regression for a numeric target."
)


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
            raise DataError(
                f"The target column {name!r} has {missing} empty cell(s); classification needs a label on "
                "every row. Remove those rows from the file or pick another target."
            )
    together = pd.concat(columns, ignore_index=True)
    if pd.api.types.is_numeric_dtype(together) and not pd.api.types.is_bool_dtype(together):
        numbers = together.to_numpy("float64")
        if not (np.isfinite(numbers).all() and np.array_equal(numbers, np.round(numbers))):
            raise DataError(
                f"The target column {name!r} holds numbers that are not whole; classes must be whole numbers "
                "or text. Set the task to regression to predict the numbers."
            )
        uniques = np.unique(numbers)
        classes = tuple(str(int(v)) for v in uniques)
        codes = [np.searchsorted(uniques, c.to_numpy("float64")).astype("int32") for c in columns]
    else:
        classes = tuple(sorted(set(together.astype(str))))
        codes = [pd.Categorical(c.astype(str), categories=classes).codes.astype("int32") for c in columns]
    if len(classes) < 2:
        raise DataError(f"The target column {name!r} has one value only ({classes[0]!r}); classification needs two.")
    if len(classes) > MAX_CLASSES:
        raise DataError(
            f"The target column {name!r} has {len(classes)} distinct values; classification here takes at most "
            f"{MAX_CLASSES}. Set the task to regression, or pick a target with fewer classes."
        )
    return classes, codes


def labels(frames: list[pd.DataFrame], c: DataConfig) -> tuple[str, tuple[str, ...], list[np.ndarray] | None]:
    """The task, the class names and each frame's class indices per row (None for regression)."""
    task = c.task
    if task == "auto":
        task = detect_task(frames[0][c.targets[0]]) if len(c.targets) == 1 else "regression"
    if task == "regression":
        return task, (), None
    if len(c.targets) != 1:
        raise DataError(f"Classification takes one target column; received {len(c.targets)}. Pick one.")
    if c.multi_step:
        raise DataError(_MULTI_STEP_CLASSES)
    classes, codes = encode_classes([f[c.targets[0]] for f in frames], c.targets[0])
    return task, classes, codes


def check_columns(frame: pd.DataFrame, c: DataConfig, *, where: str = "the table") -> None:
    """Every column the config names is in `frame`, or a DataError naming the missing ones."""
    roles = {"feature": c.features, "target": c.targets, "time": (c.time_column,), "sequence id": (c.sequence_id,)}
    missing = {role: [n for n in names if n is not None and n not in frame.columns] for role, names in roles.items()}
    if any(missing.values()):
        what = "; ".join(f"{role} column(s) {', '.join(map(repr, names))}" for role, names in missing.items() if names)
        fix = "Pick columns the table has." if where == "the table" else "Use a file with the training table's columns."
        raise DataError(f"{where[0].upper()}{where[1:]} lacks the {what}. {fix}")
    if text := [n for n in c.features if not pd.api.types.is_numeric_dtype(frame[n])]:
        raise DataError(f"The feature column(s) {', '.join(map(repr, text))} hold text; pick numeric columns.")


def numeric_values(frame: pd.DataFrame, columns: tuple[str, ...], role: str) -> np.ndarray:
    """The columns as a new float32 array (rows, columns), or a DataError for text or missing values."""
    out = np.empty((len(frame), len(columns)), dtype="float32")  # our own copy: scaled in place later
    try:
        for j, column in enumerate(columns):  # column by column: no full-size temporary
            out[:, j] = frame[column].to_numpy()
    except (TypeError, ValueError):
        text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
        raise DataError(f"The {role} column(s) {', '.join(map(repr, text))} hold text; pick numeric columns.") from None
    counts = [int(np.count_nonzero(~np.isfinite(out[:, j]))) for j in range(out.shape[1])]  # per column
    if any(counts):
        where = ", ".join(f"{c!r} ({n})" for c, n in zip(columns, counts, strict=True) if n)
        raise DataError(
            f"The {role} columns have missing or infinite values: {where}. Choose a missing-value "
            "policy (drop rows, forward-fill or interpolate) on the Data page first."
        )
    return out


def missing_classes_note(classes: tuple[str, ...], train_y: np.ndarray) -> list[str]:
    absent = [name for i, name in enumerate(classes) if not np.any(train_y == i)]
    if not absent:
        return []
    return [
        f"Class(es) {', '.join(map(repr, absent))} never appear in the training split: the model cannot learn "
        "them. Use more data, or smaller validation and test fractions."
    ]
