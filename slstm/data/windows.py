"""From a table to the network's input: column roles, the task (regression or classification), splits,
scaling fitted on the training rows only, and sliding windows `(samples, timesteps, features)` that are
views, not copies. Long-format tables (one sequence per id, layout B) are cut in slstm.data.sequences."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from slstm import limits
from slstm.data.types import (  # re-exported by slstm.data: `from slstm.data import DataConfig`
    MAX_CLASSES,
    SCALINGS,
    TARGET_FORMS,
    TASKS,
    DataConfig,
    Scaler,
    Split,
    Windows,
    check_columns,
    detect_task,
    encode_classes,
    labels,
    missing_classes_note,
    numeric_values,
)
from slstm.defaults import change_reason
from slstm.errors import DataError, Message

__all__ = [
    "SCALINGS",
    "TASKS",
    "TARGET_FORMS",
    "MAX_CLASSES",
    "DataConfig",
    "Scaler",
    "Split",
    "Windows",
    "detect_task",
    "encode_classes",
    "labels",
    "check_columns",
    "numeric_values",
    "missing_classes_note",
    "prepare",
    "resolve",
    "empty_split_notes",
]


def _window_starts(lo: int, hi: int, c: DataConfig) -> tuple[int, int]:
    """The first window start and the number of windows whose target row(s) lie in rows [lo, hi)."""
    t, h = c.lookback, c.horizon
    first_y, last_y = (t if c.multi_step else t + h - 1), t + h - 1  # target rows, counted from a window's start
    s_first, s_last = max(0, lo - first_y), hi - 1 - last_y
    return s_first, ((s_last - s_first) // c.stride + 1 if s_last >= s_first else 0)


def _windows(features: np.ndarray, targets: np.ndarray, lo: int, hi: int, c: DataConfig) -> Split:
    """The samples whose target row(s) lie in rows [lo, hi); their inputs may start before lo."""
    t, h = c.lookback, c.horizon
    s_first, n = _window_starts(lo, hi, c)
    f = features.shape[1]
    if n <= 0:
        y_shape = (0, c.num_outputs) if targets.ndim == 2 else (0,)
        return Split(np.empty((0, t, f), "float32"), np.empty(y_shape, targets.dtype), (lo, hi), c.stride)
    pick = slice(s_first, s_first + (n - 1) * c.stride + 1, c.stride)
    view = sliding_window_view(features, t, axis=0)  # (rows-t+1, features, t)
    x = view.transpose(0, 2, 1)[pick]  # (n, t, features)
    if c.multi_step:
        future = sliding_window_view(targets[t:], h, axis=0)  # (rows-t-h+1, k, h): rows after each window
        y = future.transpose(0, 2, 1)[pick].reshape(n, -1)
    else:
        y = targets[s_first + t + h - 1 :][: (n - 1) * c.stride + 1 : c.stride]  # (n, k) or class indices (n,)
    return Split(x, np.ascontiguousarray(y), (s_first, hi), c.stride)


def _with_base(split: Split, levels: np.ndarray, c: DataConfig) -> Split:
    """`split` with `base`: the target's value on each window's last row, repeated over the horizon."""
    last = levels[split.starts + c.lookback - 1]  # (n, targets)
    base = np.tile(last, (1, c.horizon if c.multi_step else 1)).astype("float64")
    return dataclasses.replace(split, base=base)


def _as_changes(splits: list[Split], kind: str) -> tuple[list[Split], Scaler]:
    """Targets in units become scaled changes from each sample's base; the scaler is fitted on training."""
    k = splits[0].base.shape[1] if splits[0].base is not None else 1
    changes = [(s.y.astype("float64") - s.base) if len(s) else s.y.astype("float64") for s in splits]
    scaler = Scaler.fit(changes[0].reshape(-1, k), kind)
    tiled = Scaler(np.tile(scaler.shift, changes[0].shape[1] // k), np.tile(scaler.scale, changes[0].shape[1] // k))
    scaled = [(d - tiled.shift) / tiled.scale for d in changes]
    out = [dataclasses.replace(s, y=y.astype("float32")) for s, y in zip(splits, scaled, strict=True)]
    return out, scaler


def resolve(frame: pd.DataFrame, c: DataConfig, task: str, n_train: int) -> tuple[DataConfig, str | None]:
    """`c` with "auto" target_form and (layout A) scaling decided, and why "auto" chose the change ("trend",
    "short": slstm.defaults.change_reason), or None; layout B scaling is decided in sequences."""
    changes, reason = {}, None
    if c.target_form == "auto":
        usable = task == "regression" and c.sequence_id is None and all(t in c.features for t in c.targets)
        windows = _window_starts(0, n_train, c)[1]
        values = (pd.to_numeric(frame[t].iloc[:n_train], errors="coerce").to_numpy("float64") for t in c.targets)
        reason = next((r for v in values if (r := change_reason(v, windows))), None) if usable else None
        changes["target_form"] = "change" if reason else "value"
    if c.scaling == "auto" and c.sequence_id is None:
        changes["scaling"] = "standard"
    return (dataclasses.replace(c, **changes) if changes else c), reason


def prepare(table: pd.DataFrame | object, config: DataConfig, *, test_table: pd.DataFrame | object = None) -> Windows:
    """Split a table, fit scaling on the training rows, and cut windows (or pad sequences, layout B).

    `test_table` (same columns), when given, is the test split, scaled with the training statistics; the
    main table is then split into training and validation only.
    >>> import pandas as pd
    >>> w = prepare(pd.DataFrame({"v": range(100)}), DataConfig(("v",), ("v",), lookback=5))
    >>> w.input_shape, w.task, round(float(w.unscale_y(w.train.y)[0, 0]), 3)
    ((65, 5, 1), 'regression', 5.0)
    """
    frame: pd.DataFrame = getattr(table, "frame", table)
    test = None if test_table is None else getattr(test_table, "frame", test_table)
    c = config
    check_columns(frame, c)
    if test is not None:
        check_columns(test, c, where="the test file")
    task, classes, codes = labels([frame] if test is None else [frame, test], c)
    if c.sequence_id is not None:
        from slstm.data.sequences import prepare_sequences

        return prepare_sequences(frame, c, task=task, classes=classes, codes=codes, test=test)
    if c.lookback > limits.MAX_TIMESTEPS:
        raise limits.BudgetError(
            "dataerr.lookback_budget", lookback=f"{c.lookback:,}", limit=f"{limits.MAX_TIMESTEPS:,}"
        )
    rows = len(frame)
    n_test = 0 if test is not None else int(round(rows * c.test_fraction))
    n_val = int(round(rows * c.val_fraction))
    n_train = rows - n_val - n_test
    need = c.lookback + c.horizon
    if n_train < need:
        raise DataError(
            "dataerr.too_few_rows",
            need=need,
            lookback=c.lookback,
            horizon=c.horizon,
            train=n_train,
            rows=rows,
            fit=max(n_train - c.horizon, 1),
        )
    c, form_reason = resolve(frame, c, task, n_train)
    change = c.target_form == "change"
    if change and task != "regression":
        raise DataError("dataerr.change_needs_numeric")
    tables = [frame] if test is None else [frame, test]
    features = [numeric_values(f, c.features, "feature") for f in tables]
    levels = [numeric_values(f, c.targets, "target") for f in tables] if codes is None else None
    if change:  # the network sees each step's change of the target columns (the first row's is 0)
        for x, j in ((x, c.features.index(t)) for x in features for t in c.targets):
            x[1:, j] = np.diff(x[:, j])
            x[0, j] = 0.0
    feature_scaler = Scaler.fit(features[0][:n_train], c.scaling)
    scaled_x = [feature_scaler.transform_(x) for x in features]
    if codes is not None:
        target_scaler, scaled_y = Scaler.identity(1), list(codes)
    elif change:
        target_scaler, scaled_y = Scaler.identity(len(c.targets)), [v.copy() for v in levels]  # scaled below
    else:
        target_scaler = Scaler.fit(levels[0][:n_train], c.scaling)
        scaled_y = [target_scaler.transform(v) for v in levels]
    bounds = [(0, n_train), (n_train, n_train + n_val), (n_train + n_val, rows)]
    splits = [_windows(scaled_x[0], scaled_y[0], lo, hi, c) for lo, hi in bounds]
    notes = []
    if test is not None:
        bounds[2] = (0, len(test))
        splits[2] = _windows(scaled_x[1], scaled_y[1], 0, len(test), c)
        notes.append(Message("dataerr.note.separate_test", rows=len(test), ignored=_fraction_unused(c)))
    target_mean = None
    if levels is not None:
        splits = [_with_base(s, levels[1 if test is not None and i == 2 else 0], c) for i, s in enumerate(splits)]
        target_mean = levels[0][:n_train].mean(axis=0, dtype="float64")
        if change:
            splits, target_scaler = _as_changes(splits, c.scaling)
    train, val, test_split = splits
    notes += empty_split_notes(c, (val, test_split), bounds[1:], separate_test=test is not None)
    if task == "classification":
        notes += missing_classes_note(classes, train.y)
    return Windows(
        c,
        train,
        val,
        test_split,
        feature_scaler,
        target_scaler,
        tuple(notes),
        task,
        classes,
        target_mean=target_mean,
        form_reason=form_reason,
    )


def _fraction_unused(c: DataConfig) -> Message | str:
    """'; the test fraction (0.15) is not used' where a separate test file makes it so, else ''."""
    return Message("dataerr.note.test_fraction_unused", fraction=f"{c.test_fraction:g}") if c.test_fraction else ""


def empty_split_notes(c: DataConfig, splits, bounds, *, separate_test: bool) -> list[str]:
    """Why a validation or test split has no samples, and the setting that would give it some (Messages)."""
    notes = []
    fractions = (c.val_fraction, 0.0 if separate_test else c.test_fraction)
    for name, split, (lo, hi), fraction in zip(("validation", "test"), splits, bounds, fractions, strict=True):
        if len(split):
            continue
        split_name = Message(f"dataerr.split.{name}")
        if hi == lo and fraction:
            notes.append(Message("dataerr.note.split_rounds_to_none", name=split_name, fraction=f"{fraction:g}"))
        elif hi > lo and name == "test" and separate_test:
            fits = hi - lo - c.horizon
            fix = Message("dataerr.note.test_lookback", fits=fits) if fits >= 1 else Message("dataerr.note.longer_test")
            notes.append(Message("dataerr.note.test_file_short", rows=hi - lo, fix=fix))
        elif hi > lo:
            notes.append(
                Message(
                    "dataerr.note.split_too_short",
                    name=split_name,
                    fraction=Message(f"dataerr.fraction.{name}"),
                    rows=hi - lo,
                    horizon=c.horizon,
                )
            )
    return notes
