"""A finished run made readable: metric tables, predictions, and the CSV files users download. What people read
on a page (durations, table headers, forecaster names) comes in the `lang` passed, English by default; the CSV
files keep their column names."""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from slstm.i18n import t

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def config_dict(config: object) -> dict:
    """A config dataclass as the run store keeps it (JSON types: tuples become lists), so they compare equal."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


FORECASTERS = {  # a metrics report's forecaster names (slstm.metrics), as catalog keys
    "model": "results.forecaster.model",
    "training mean": "results.forecaster.training_mean",
    "persistence (last value)": "results.forecaster.persistence",
    "majority class": "results.forecaster.majority_class",
}


def duration(seconds: float, *, lang: str = "en") -> str:
    """7.5 -> "8 s", 125 -> "2 min 05 s" (in `lang`: "2 分 05 秒")."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return t("results.duration.seconds", lang, seconds=seconds)
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return t("results.duration.minutes", lang, minutes=minutes, seconds=rest)
    return t("results.duration.hours", lang, hours=minutes // 60, minutes=minutes % 60)


def metric_table(report: dict, *, lang: str = "en") -> pd.DataFrame:
    """One split's report ({"model": {...}, "persistence (last value)": {...}, ...}) as rows of forecasters,
    named in `lang` (a forecaster the catalogs do not know keeps its name)."""
    rows = {name: values for name, values in report.items() if isinstance(values, dict)}
    table = pd.DataFrame(rows).T
    table.index = [t(FORECASTERS[name], lang) if name in FORECASTERS else name for name in table.index]
    columns = {name: t(f"results.metric.{name}", lang) for name in ("rmse", "mae", "accuracy")}
    return table.rename(columns=columns)


def confusion_table(report: dict, *, lang: str = "en") -> pd.DataFrame:
    """The confusion matrix: a row per true class, a column per predicted class."""
    classes = [str(c) for c in report["classes"]]
    rows = [t("results.true_class", lang, name=c) for c in classes]
    return pd.DataFrame(report["confusion"], index=rows, columns=classes)


def load_predictions(folder: Path) -> dict[str, np.ndarray]:
    path = Path(folder) / "predictions.npz"
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def predictions_in_units(predictions: dict[str, np.ndarray], windows) -> dict[str, np.ndarray]:
    """Saved truth and predictions of a target_form="change" run as values (persistence plus the change),
    where they were saved as changes; `windows` must be the run's own data. Other runs come back unchanged."""
    if getattr(windows.config, "target_form", "value") != "change":
        return predictions
    out = dict(predictions)
    for name, part in (("val", windows.val), ("test", windows.test)):
        truth, predicted = out.get(f"{name}_truth"), out.get(f"{name}_pred")
        if truth is None or predicted is None or part.base is None or len(truth) != len(part):
            continue
        values = windows.unscale_y(part.y, part)
        if not np.allclose(truth.reshape(values.shape), values, rtol=1e-4, atol=1e-6):  # saved as changes
            out[f"{name}_truth"] = truth.reshape(values.shape) + part.base
            out[f"{name}_pred"] = predicted.reshape(values.shape) + part.base
    return out


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind in "OUST":
            out[column] = out[column].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    out.columns = [f"'{c}" if str(c).startswith(_FORMULA_START) else c for c in out.columns]
    return out


def history_csv(history: dict[str, list]) -> bytes:
    return pd.DataFrame(history).to_csv(index=False).encode()


def predictions_csv(predictions: dict[str, np.ndarray], *, split: str = "test", targets: tuple[str, ...] = ()) -> bytes:
    """Truth and prediction per sample of a split, one column pair per output."""
    truth, predicted = predictions.get(f"{split}_truth"), predictions.get(f"{split}_pred")
    if truth is None or predicted is None:
        return b""
    truth, predicted = truth.reshape(len(truth), -1), predicted.reshape(len(predicted), -1)
    names = list(targets) if len(targets) == truth.shape[1] else [f"output_{i + 1}" for i in range(truth.shape[1])]
    frame = pd.DataFrame({"sample": np.arange(len(truth))})
    for i, name in enumerate(names):
        frame[f"{name} (truth)"], frame[f"{name} (predicted)"] = truth[:, i], predicted[:, i]
    buffer = io.StringIO()
    spreadsheet_safe(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


@dataclass(frozen=True)
class Progress:
    """How far a training job is, for a progress bar: the fraction done, the epoch it is in, seconds since it
    started, and seconds still to go (None before its first epoch has a duration)."""

    fraction: float
    epoch: int
    elapsed: float
    left: float | None


def progress(job, epoch_seconds: list[float | None], now: float) -> Progress:
    """A job's progress from its live counters (`job.epoch`, `job.batch`, `job.steps`, `job.epochs`,
    `job.started`) and the durations of its finished epochs, as the run store has them.

    >>> from types import SimpleNamespace as Job
    >>> progress(Job(epochs=10, epoch=3, batch=5, steps=10, started=100.0), [2.0, 4.0], now=109.0)
    Progress(fraction=0.25, epoch=3, elapsed=9.0, left=24.0)
    """
    done = len(epoch_seconds)
    within = job.batch / job.steps if job.steps and job.epoch > done else 0.0
    fraction = min(1.0, (done + within) / job.epochs)
    measured = [s or 0.0 for s in epoch_seconds]
    left = max(0, job.epochs - done) * sum(measured) / len(measured) if measured else None
    return Progress(fraction, max(job.epoch, done), now - (job.started or now), left)
