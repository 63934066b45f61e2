"""Runs side by side: a table of runs, only the settings that differ, and depth-against-width sweeps
(planned as ordinary runs, so a sweep resumes by skipping the cells already on record). Words a user reads
come from the catalogs (slstm/messages/<lang>/compare.toml) in the `lang` passed; English by default."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from slstm.errors import SlstmError
from slstm.i18n import t
from slstm.runs import Run
from slstm.shapes import InputShape, infer_shapes, total_params
from slstm.spec import ArchitectureSpec, lstm_stack
from slstm.train import TrainConfig

if TYPE_CHECKING:
    from slstm.data import Windows


def best_val_loss(history: dict[str, list]) -> float | None:
    values = [v for v in history.get("val_loss", []) if v is not None and math.isfinite(v)]
    return min(values) if values else None


def test_metric(run: Run) -> tuple[str, float | None, float | None]:
    """(metric name, model value, best baseline value) on the test split (validation if no test)."""
    report = run.metrics.get("test") or run.metrics.get("val") or {}
    model = report.get("model", {})
    name = "accuracy" if "accuracy" in model else "rmse"
    baselines = [v.get(name) for k, v in report.items() if k not in ("model", "confusion", "classes")]
    baselines = [b for b in baselines if b is not None]
    best = (max if name == "accuracy" else min)(baselines) if baselines else None
    return name, model.get(name), best


def verdict_words(run: Run, history: dict, *, lang: str = "en") -> str:
    """The verdict in a few words: whether the run beats the best naive baseline, and why not."""
    from slstm.verdict import verdict

    if not run.metrics:
        return ""
    return verdict(run.metrics, history, data_config=run.data_config, depth=len(run.spec.get("layers", [])), lang=lang)[
        "short"
    ]


def params_of(run: Run) -> int | None:
    """The run's parameter count, from the data shape its worker recorded (or, for runs before that, its
    data settings and the classes in its metrics)."""
    d, shape = run.data_config, run.metrics.get("shape") or {}
    classes = next((len(run.metrics[s]["classes"]) for s in ("val", "test") if "classes" in run.metrics.get(s, {})), 0)
    targets, horizon = len(d.get("targets", [])) or 1, d.get("horizon", 1) if d.get("multi_step") else 1
    try:
        spec = ArchitectureSpec.from_dict(run.spec)
        rows = infer_shapes(
            spec,
            InputShape(
                timesteps=shape.get("timesteps", d.get("lookback", 1)),
                features=shape.get("features", len(d.get("features", [])) or 1),
                outputs=shape.get("outputs", classes or targets * horizon),
            ),
        )
    except (ValueError, TypeError, SlstmError):
        return None
    return total_params(rows)


def runs_csv(table: pd.DataFrame) -> str:
    """The runs table as CSV that a spreadsheet opens as text: a run named `=HYPERLINK(...)` stays a name."""
    from slstm.results import spreadsheet_safe

    return spreadsheet_safe(table).to_csv(index=False)


RUN_COLUMNS = (  # runs_table's columns, with "test <metric>" for the metric the runs report
    "id",
    "name",
    "created",
    "architecture",
    "params",
    "epochs",
    "best val_loss",
    "best baseline",
    "verdict",
    "status",
    "seconds",
)


def runs_headers(columns, lang: str = "en") -> dict[str, str]:
    """The header a user reads for each runs_table column (and the page's own "compare"/"delete" ticks):
    the table keeps these English names as its data keys, a page renames them to show it."""
    return {c: t(f"compare.col.{c.replace(' ', '_')}", lang) for c in columns}


def runs_table(runs: list[Run], histories: dict[str, dict], *, lang: str = "en") -> pd.DataFrame:
    """One row per run, as the Compare page lists them. The column names are data keys (RUN_COLUMNS; show them
    through runs_headers); `lang` is the language of the cells people read (the status)."""
    rows = []
    for run in runs:
        name, value, baseline = test_metric(run)
        rows.append(
            {
                "id": run.id,
                "name": run.name,
                "created": pd.Timestamp(run.created, unit="s").strftime("%Y-%m-%d %H:%M"),
                "architecture": ArchitectureSpec.from_dict(run.spec).short(),
                "params": params_of(run),
                "epochs": run.epochs_done,
                "best val_loss": best_val_loss(histories.get(run.id, {})),
                f"test {name}": value,
                "best baseline": baseline,
                "verdict": verdict_words(run, histories.get(run.id, {}), lang=lang),
                "status": t(f"common.status.{run.status}", lang),
                "seconds": None if run.duration is None else round(run.duration, 1),
            }
        )
    return pd.DataFrame(rows)


def settings(run: Run, *, lang: str = "en") -> dict[str, object]:
    """A run's settings flattened to names a user recognises (layer 2 units, learning_rate, lookback…); the
    settings' own names (units, learning_rate) are code identifiers and stay, the words around them are `lang`'s."""
    out: dict[str, object] = {t("compare.setting.layers", lang): len(run.spec.get("layers", []))}
    for i, layer in enumerate(run.spec.get("layers", []), start=1):
        for key, value in layer.items():
            out[t("compare.setting.layer", lang, number=i, key=key)] = value
    dense = ", ".join(str(d["units"]) for d in run.spec.get("dense", [])) or t("compare.setting.none", lang)
    out[t("compare.setting.dense", lang)] = dense
    out[t("compare.setting.head", lang)] = run.spec.get("head")
    for key, value in {**run.data_config, **run.train_config}.items():
        if key in ("sweep", "sweep_cell"):  # bookkeeping, not a setting
            continue
        out[key] = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
    return out


def differing(runs: list[Run], *, lang: str = "en") -> pd.DataFrame:
    """Only the settings whose values are not the same across `runs`, one column per run."""
    table = pd.DataFrame({f"{r.name} ({r.id})": pd.Series(settings(r, lang=lang), dtype=object) for r in runs})
    if table.empty:
        return table
    same = table.apply(lambda row: len({json.dumps(v, default=str) for v in row}) == 1, axis=1)
    return table[~same].fillna("—")


@dataclass(frozen=True)
class Cell:
    depth: int
    units: int
    spec: ArchitectureSpec
    key: str  # identifies this cell of this sweep on this data and budget
    fingerprint: str = ""  # the data and training settings every cell of the sweep shares


def plan_sweep(depths: list[int], widths: list[int], *, kind: str = "lstm", fingerprint: str) -> list[Cell]:
    """One cell per (depth, width): `depth` layers of `width` units, every layer but the last returning
    sequences. `fingerprint` (data and training settings) makes each cell's key, so a rerun finds it."""
    cells = []
    for depth in depths:
        for units in widths:
            spec = lstm_stack(*[units] * depth, kind=kind)
            key = hashlib.sha1(f"{fingerprint}|{spec.to_json()}".encode()).hexdigest()[:16]
            cells.append(Cell(depth, units, spec, key, fingerprint))
    return cells


def fingerprint(data_config: dict, train_config: dict) -> str:
    return hashlib.sha1(json.dumps([data_config, train_config], sort_keys=True, default=str).encode()).hexdigest()


def sweep_results(cells: list[Cell], runs: list[Run], histories: dict[str, dict]) -> pd.DataFrame:
    """Best validation loss and parameters per cell, from the runs whose train_config carries the cell key."""
    by_key = {r.train_config.get("sweep_cell"): r for r in runs if r.status == "finished"}
    rows = []
    for cell in cells:
        run = by_key.get(cell.key)
        rows.append(
            {
                "depth": cell.depth,
                "units": cell.units,
                "key": cell.key,
                "run": None if run is None else run.id,
                "params": None if run is None else params_of(run),
                "best val_loss": None if run is None else best_val_loss(histories.get(run.id, {})),
            }
        )
    return pd.DataFrame(rows)


def read_sweep(results: pd.DataFrame, *, lang: str = "en") -> str:
    """A short, honest reading of a finished sweep, in `lang`."""
    done = results.dropna(subset=["best val_loss"])
    if len(done) < 2:
        return t("compare.reading.too_few", lang)
    best = done.loc[done["best val_loss"].idxmin()]
    lines = [
        t(
            "compare.reading.best",
            lang,
            depth=int(best.depth),
            units=int(best.units),
            loss=best["best val_loss"],
            params=int(best.params or 0),
        )
    ]
    shallow = done[done.depth == done.depth.min()]
    wide = shallow.loc[shallow["best val_loss"].idxmin()]
    if best.depth > wide.depth:
        gain = 1 - best["best val_loss"] / wide["best val_loss"]
        lines.append(
            t(
                "compare.reading.deeper_wins",
                lang,
                depth=int(best.depth),
                units=int(best.units),
                shallow=int(wide.depth),
                shallow_units=int(wide.units),
                gain=gain,
            )
        )
    elif best.depth == wide.depth and done.depth.nunique() > 1:
        lines.append(t("compare.reading.deeper_no_help", lang, depth=int(best.depth)))
    per_depth = done.groupby("depth")["best val_loss"].min().sort_index()
    for (d0, v0), (d1, v1) in zip(per_depth.items(), list(per_depth.items())[1:], strict=False):
        if v1 >= v0:
            lines.append(t("compare.reading.no_gain", lang, depth=int(d1), shallower=int(d0)))
    lines.append(t("compare.reading.noise", lang))
    return t("compare.reading.join", lang).join(lines)


def submit_sweep(
    store,
    pool,
    cells: list[Cell],
    *,
    workspace: str,
    frame,
    data_config,
    train_config,
    windows=None,
    lang="en",
    data_choice: dict | None = None,
) -> list[str]:
    """Queue one job per cell that has no finished run yet (a restarted sweep runs none again); returns
    the run ids of every cell, finished or queued, in cell order. With `windows`, every cell is checked
    against the server's budgets (slstm.limits.check_job) before any run is recorded. New runs are named
    in `lang` ("sweep 2×16"); each records `data_choice` (DataChoice.to_dict()), where the caller has one."""
    from slstm.jobs import JobInputs
    from slstm.problems import check_job
    from slstm.results import config_dict

    if windows is not None:
        train_config = train_config.resolved(windows)
        for cell in cells:
            check_job(cell.spec, windows, train_config.epochs)

    data = config_dict(data_config)
    existing = {
        r.train_config.get("sweep_cell"): r
        for r in store.list_runs(workspace)
        if r.train_config.get("sweep_cell") and r.status in ("finished", "queued", "running")
    }
    missing = sum(1 for cell in cells if cell.key not in existing)
    if missing and hasattr(pool, "check_quota"):
        pool.check_quota(workspace, missing)  # the whole sweep fits in the queue, or none of it is queued
    ids = []
    for cell in cells:
        run = existing.get(cell.key)
        if run is None:
            run = store.create_run(
                workspace=workspace,
                spec=cell.spec.to_dict(),
                data_config=data,
                train_config={**train_config.to_dict(), "sweep_cell": cell.key, "sweep": cell.fingerprint},
                name=t("compare.sweep_run", lang, depth=cell.depth, units=cell.units),
                data_choice=data_choice,
            )
            pool.submit(JobInputs(run.id, workspace, frame, data_config, cell.spec, train_config))
        ids.append(run.id)
    return ids


def latest_sweep(runs: list[Run]) -> tuple[str, list[int], list[int]] | None:
    """The most recent sweep in `runs` as (fingerprint, depths, widths), to show it again after a reload."""
    swept = [r for r in runs if r.train_config.get("sweep")]
    if not swept:
        return None
    fp = swept[0].train_config["sweep"]  # runs come newest first
    same = [r for r in swept if r.train_config["sweep"] == fp]
    depths = sorted({len(r.spec["layers"]) for r in same})
    widths = sorted({r.spec["layers"][0]["units"] for r in same})
    return fp, depths, widths


DEPTH_CHOICES, WIDTH_CHOICES = tuple(range(1, 7)), (4, 8, 16, 32, 64, 128)  # what the Compare page offers


def sweep_settings(runs: list[Run]) -> tuple[list[int], list[int], int, int]:
    """What the Compare page's sweep form starts at: the workspace's latest sweep (its depths and widths among
    those the page offers, its epochs per cell and patience, 0 = off), so that after a reload the form
    describes the sweep shown below it; else depths 1-3, widths 16/32/64, 10 epochs, patience 3."""
    last = latest_sweep(runs)
    if last is not None:
        fp, depths, widths = last
        config = next(r.train_config for r in runs if r.train_config.get("sweep") == fp)
        depths = [d for d in depths if d in DEPTH_CHOICES]
        widths = [w for w in widths if w in WIDTH_CHOICES]
        if depths and widths:
            epochs = min(max(int(config.get("epochs") or 10), 1), 200)
            return depths, widths, epochs, min(int(config.get("patience") or 0), 50)
    return [1, 2, 3], [16, 32, 64], 10, 3


def sweep_config(chosen: TrainConfig, *, epochs: int, patience: int, windows: Windows) -> TrainConfig:
    """A sweep's training settings: its own epoch budget and patience (0: no early stopping), with the batch size
    (None: fitted to the data) and learning rate `chosen` on the Train page, resolved for `windows`."""
    return TrainConfig(
        epochs=int(epochs),
        batch_size=chosen.batch_size,
        learning_rate=chosen.learning_rate,
        patience=int(patience) or None,
    ).resolved(windows)


def sweep_to_show(
    planned: list[Cell], fingerprint: str, runs: list[Run]
) -> tuple[list[Cell], tuple[str, list[int], list[int]] | None]:
    """The cells to show: the sweep the widgets describe (`planned`, `fingerprint`) once any of its runs is on
    record, else the workspace's latest sweep, if any. Returns the cells and that latest sweep (None: `planned`)."""
    if any(r.train_config.get("sweep") == fingerprint for r in runs):
        return planned, None
    last = latest_sweep(runs)
    if last is None:
        return planned, None
    return plan_sweep(last[1], last[2], fingerprint=last[0]), last


def live_cells(cells: list[Cell], runs: list[Run]) -> list[Run]:
    """The runs of these cells still queued or training."""
    keys = {cell.key for cell in cells}
    return [r for r in runs if r.train_config.get("sweep_cell") in keys and r.status in ("queued", "running")]
