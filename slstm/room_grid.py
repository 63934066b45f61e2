"""A class experiment: the teacher's 2D grid (depth × units, depth × learning rate, dropout values...), its
cells dealt to the room's members, each trained by its member on the same data, budget and seed policy (the
k-th training of a cell uses seed k), and the grid read back from the runs shared with the room."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace

import pandas as pd

from slstm import limits
from slstm.data.samples import SAMPLES
from slstm.i18n import t
from slstm.rooms import ROOM_JOBS, RoomError, RoomStore
from slstm.spec import ArchitectureSpec, lstm_stack

AXES = ("depth", "units", "learning_rate", "dropout")
BASE = {"depth": 1, "units": 16, "learning_rate": 1e-3, "dropout": 0.0}  # what an axis not in the grid is fixed at
MAX_VALUES = 6  # values per axis
NOISE = 0.05  # without a measured spread, differences below 5% are read as possibly noise


@dataclass(frozen=True)
class Grid:
    code: str
    id: int
    row_axis: str
    row_values: tuple
    col_axis: str
    col_values: tuple
    sample: str
    epochs: int
    lookback: int

    def cells(self) -> list[dict]:
        """Row-major: cell i has the i-th (row, col) pair, over BASE."""
        return [
            {**BASE, self.row_axis: r, self.col_axis: c, "cell": i}
            for i, (r, c) in enumerate((r, c) for r in self.row_values for c in self.col_values)
        ]

    def label(self, cell: int, lang: str = "en") -> str:
        p = self.cells()[cell]
        return (
            f"{axis_text(self.row_axis, p[self.row_axis], lang)} × {axis_text(self.col_axis, p[self.col_axis], lang)}"
        )


def axis_text(axis: str, value, lang: str = "en") -> str:
    """'2 layers', '16 units', 'lr 0.01', 'dropout 0.2' (in `lang`).

    >>> axis_text("depth", 1), axis_text("learning_rate", 0.01), axis_text("depth", 3, "zh")
    ('1 layer', 'lr 0.01', '3 层')
    """
    if axis == "depth":
        return t("room.axis.depth", lang, count=value)
    if axis in ("units", "learning_rate", "dropout"):
        return t(f"room.axis.{axis}", lang, value=f"{value:g}")
    return f"{axis} {value:g}"


def parse_values(axis: str, text: object) -> tuple:
    """An axis' values from '1, 2, 4' (commas or spaces), checked against the server's limits."""
    if axis not in AXES:
        raise RoomError("room.err.bad_axis", axis=repr(axis), axes=", ".join(AXES))
    parts = [p for p in re.split(r"[,\s;]+", str(text or "").strip()) if p]
    if not parts or len(parts) > MAX_VALUES:
        raise RoomError("room.err.value_count", axis=axis, most=MAX_VALUES, count=len(parts))
    try:
        values = [int(p) if axis in ("depth", "units") else float(p) for p in parts]
    except ValueError:
        raise RoomError("room.err.whole" if axis in ("depth", "units") else "room.err.numbers", axis=axis) from None
    top = {"depth": limits.MAX_LAYERS, "units": limits.MAX_UNITS, "learning_rate": 1.0, "dropout": limits.MAX_DROPOUT}[
        axis
    ]
    low_ok = (
        (lambda v: v >= 1)
        if axis in ("depth", "units")
        else (lambda v: v > 0)
        if axis == "learning_rate"
        else (lambda v: v >= 0)
    )
    bad = [v for v in values if not (low_ok(v) and v <= top)]
    if bad:
        raise RoomError("room.err.too_big", axis=axis, value=f"{bad[0]:g}", top=f"{top:g}")
    return tuple(dict.fromkeys(values))


def cell_spec(params: dict) -> ArchitectureSpec:
    spec = lstm_stack(*[int(params["units"])] * int(params["depth"]))
    return replace(spec, layers=tuple(replace(layer, dropout=float(params["dropout"])) for layer in spec.layers))


def data_config(grid: Grid):
    from slstm.data import DataConfig

    sample = SAMPLES[grid.sample]
    return DataConfig(
        features=sample.features,
        targets=(sample.target,),
        time_column=sample.time_column,
        sequence_id=sample.sequence_id,
        lookback=grid.lookback,
        target_form="auto",
        scaling="auto",
    )


def train_config(grid: Grid, params: dict, seed: int):
    from slstm.train import TrainConfig

    return TrainConfig(epochs=grid.epochs, learning_rate=float(params["learning_rate"]), seed=seed, patience=None)


# --- the store side ----------------------------------------------------------------------------------------
def start_grid(rooms: RoomStore, code: str, key: str, **settings) -> Grid:
    """Start a class experiment (it replaces the room's current one; earlier ones stay on record)."""
    rooms.authorize(code, key)
    if settings["row_axis"] == settings["col_axis"]:
        raise RoomError("room.err.same_axes")
    if settings["sample"] not in SAMPLES:
        raise RoomError("room.err.bad_sample", sample=repr(settings["sample"]), samples=", ".join(SAMPLES))
    limits.check_epochs(int(settings["epochs"]))
    payload = {k: settings[k] for k in ("row_axis", "col_axis", "sample")}
    payload |= {"row_values": list(settings["row_values"]), "col_values": list(settings["col_values"])}
    payload |= {"epochs": int(settings["epochs"]), "lookback": int(settings.get("lookback", 24))}
    with rooms._db() as db:
        db.execute("BEGIN IMMEDIATE")
        grid = db.execute("SELECT COALESCE(MAX(grid), 0) + 1 FROM room_grids WHERE code = ?", (code,)).fetchone()[0]
        db.execute("INSERT INTO room_grids VALUES (?, ?, ?, ?)", (code, grid, time.time(), json.dumps(payload)))
        db.execute("COMMIT")
    return current_grid(rooms, code)


def current_grid(rooms: RoomStore, code: str) -> Grid | None:
    with rooms._db() as db:
        row = db.execute("SELECT grid, payload FROM room_grids WHERE code = ? ORDER BY grid DESC LIMIT 1", (code,))
        row = row.fetchone()
    if row is None:
        return None
    p = json.loads(row[1])
    return Grid(
        code, row[0], p["row_axis"], tuple(p["row_values"]), p["col_axis"], tuple(p["col_values"]), p["sample"],
        p["epochs"], p["lookback"],
    )  # fmt: skip


def assignments(rooms: RoomStore, grid: Grid) -> list[dict]:
    """Every (cell, member) pair dealt or taken, with the run trained for it (None until trained)."""
    with rooms._db() as db:
        rows = db.execute(
            "SELECT cell, workspace, run_id, seed, dealt FROM room_cells WHERE code = ? AND grid = ? ORDER BY dealt",
            (grid.code, grid.id),
        ).fetchall()
    return [dict(row) for row in rows]


def _retrain(store, run_id: str | None) -> bool:
    """A held cell is still to train when it has no run yet, or its run failed, was stopped or deleted."""
    if run_id is None:
        return True
    run = None if store is None else store.get(run_id)
    return store is not None and (run is None or run.status in ("failed", "stopped"))


def deal(rooms: RoomStore, grid: Grid, workspace: str, store=None) -> int | None:
    """The member's cell still to train: the one they hold (also when its run failed, was stopped or, say, cut
    off by a server restart; `store` tells), else (on their first visit) the cell dealt to the fewest members so
    far. None when everything they hold is trained or training (they may pick a free cell)."""
    if rooms.member(grid.code, workspace) is None:
        raise RoomError("room.err.join_first")
    held = [a for a in assignments(rooms, grid) if a["workspace"] == workspace]
    if held:
        waiting = [a["cell"] for a in held if _retrain(store, a["run_id"])]
        return waiting[0] if waiting else None
    counts = {c["cell"]: 0 for c in grid.cells()}
    for a in assignments(rooms, grid):
        counts[a["cell"]] += 1
    cell = min(counts, key=lambda c: (counts[c], c))
    return take(rooms, grid, workspace, cell)


def take(rooms: RoomStore, grid: Grid, workspace: str, cell: int) -> int:
    """The member takes a cell (a free one, or one others trained: a second seed measures the spread)."""
    if not isinstance(cell, int) or not 0 <= cell < len(grid.cells()):
        shown = cell + 1 if isinstance(cell, int) else str(cell)[:40]
        raise RoomError("room.err.bad_cell", cells=len(grid.cells()), cell=shown)
    with rooms._db() as db:
        db.execute(
            "INSERT OR IGNORE INTO room_cells (code, grid, cell, workspace, dealt) VALUES (?, ?, ?, ?, ?)",
            (grid.code, grid.id, cell, workspace, time.time()),
        )
    return cell


def free_cells(rooms: RoomStore, grid: Grid, workspace: str) -> list[int]:
    """Cells this member does not hold, the ones nobody holds first."""
    held = assignments(rooms, grid)
    mine = {a["cell"] for a in held if a["workspace"] == workspace}
    counts = {c["cell"]: sum(1 for a in held if a["cell"] == c["cell"]) for c in grid.cells()}
    return sorted((c for c in counts if c not in mine), key=lambda c: (counts[c], c))


def submit_cell(
    store, pool, rooms: RoomStore, grid: Grid, cell: int, workspace: str, frame, *, lang: str = "en"
) -> str:
    """Train the member's cell on the grid's data and budget (seed = trainings of this cell so far); the run
    goes in the member's own workspace, shared with the room. Returns the run id; RoomError or a budget error
    says why not."""
    from slstm.choice import DataChoice
    from slstm.data import prepare
    from slstm.jobs import JobInputs
    from slstm.problems import check_job
    from slstm.results import config_dict

    held = [a for a in assignments(rooms, grid) if a["workspace"] == workspace and a["cell"] == cell]
    if not held:
        raise RoomError("room.err.not_your_cell")
    if not _retrain(store, held[0]["run_id"]):
        raise RoomError("room.err.trained", label=grid.label(cell))
    mine = [store.get(a["run_id"]) for a in assignments(rooms, grid) if a["workspace"] == workspace and a["run_id"]]
    active = sum(1 for run in mine if run is not None and run.status in ("queued", "running"))
    if active >= ROOM_JOBS:
        raise RoomError("room.err.room_jobs", count=active)
    params = grid.cells()[cell]
    spec, config = cell_spec(params), data_config(grid)
    seed = sum(1 for a in assignments(rooms, grid) if a["cell"] == cell and a["run_id"] and a["workspace"] != workspace)
    windows = prepare(frame, config)
    training = train_config(grid, params, seed).resolved(windows)
    check_job(spec, windows, training.epochs)
    pool.check_quota(workspace)
    run = store.create_run(
        workspace=workspace,
        spec=spec.to_dict(),
        data_config=config_dict(windows.config),
        train_config={**training.to_dict(), "room_cell": f"{grid.code}:{grid.id}:{cell}"},
        name=t("room.grid.run_name", lang, label=grid.label(cell, lang)),
        data_choice=DataChoice.of(f"sample:{grid.sample}", lookback=grid.lookback).to_dict(),
    )
    with rooms._db() as db:
        db.execute(
            "UPDATE room_cells SET run_id = ?, seed = ? WHERE code = ? AND grid = ? AND cell = ? AND workspace = ?",
            (run.id, seed, grid.code, grid.id, cell, workspace),
        )
    rooms.share(grid.code, workspace, run.id, True)  # on by default inside a room exercise; the member may unshare
    pool.submit(JobInputs(run.id, workspace, frame, windows.config, spec, training))
    return run.id


def grid_results(store, rooms: RoomStore, grid: Grid, *, lang: str = "en") -> pd.DataFrame:
    """One row per cell: its axes' values, runs finished (shared ones only), best val_loss, the spread between
    seeds where a cell was trained more than once, and its state (free, dealt, queued, running, finished)."""
    from slstm.compare import best_val_loss, params_of

    shared = rooms.shared(grid.code)
    held = assignments(rooms, grid)
    rows = []
    for params in grid.cells():
        mine = [a for a in held if a["cell"] == params["cell"]]
        runs = [store.get(a["run_id"]) for a in mine if a["run_id"] in shared]
        runs = [r for r in runs if r is not None]
        done = [r for r in runs if r.status == "finished"]
        losses = [v for r in done if (v := best_val_loss(store.history(r.id))) is not None]
        states = [r.status for r in runs]
        state = (
            "finished" if losses else "running" if "running" in states else "queued" if "queued" in states
            else "dealt" if mine else "free"
        )  # fmt: skip
        rows.append(
            {
                "cell": params["cell"],
                grid.row_axis: params[grid.row_axis],
                grid.col_axis: params[grid.col_axis],
                "label": grid.label(params["cell"], lang),
                "state": state,
                "runs": len(losses),
                "best val_loss": min(losses) if losses else None,
                "spread": (max(losses) - min(losses)) if len(losses) > 1 else None,
                "params": params_of(done[0]) if done else None,
            }
        )
    return pd.DataFrame(rows)


def read_grid(grid: Grid, results: pd.DataFrame, *, lang: str = "en") -> str:
    """The same honest reading as a sweep's: the best cell, what the axes did, the spread across seeds where a
    cell was trained twice, and a note when the differences are within noise (in `lang`)."""
    done = results.dropna(subset=["best val_loss"]).sort_values("best val_loss")
    if len(done) < 2:
        return t("room.reading.too_few", lang, done=len(done), cells=len(results))
    best, second = done.iloc[0], done.iloc[1]
    params = t("room.reading.params", lang, params=f"{int(best.params):,}") if pd.notna(best.params) else ""
    lines = [
        t(
            "room.reading.best",
            lang,
            label=best.label,
            loss=f"{best['best val_loss']:.4g}",
            params=params,
            done=len(done),
            cells=len(results),
        )
    ]
    for axis in (grid.row_axis, grid.col_axis):
        per = done.groupby(axis)["best val_loss"].min().sort_index()
        if len(per) > 1:
            low, high = per.index[0], per.index[-1]
            key = "room.reading.helped" if per[high] < per[low] else "room.reading.not_helped"
            lines.append(t(key, lang, low=axis_text(axis, low, lang), high=axis_text(axis, high, lang)))
    spreads = done.dropna(subset=["spread"])
    for _, row in spreads.iterrows():
        lines.append(t("room.reading.spread", lang, label=row.label, runs=int(row.runs), spread=f"{row.spread:.2g}"))
    gap = second["best val_loss"] - best["best val_loss"]
    if len(spreads):
        key = "room.reading.within_spread" if gap <= spreads["spread"].max() else "room.reading.beats_next"
        lines.append(t(key, lang, next=second.label, gap=f"{gap:.2g}"))
    elif gap <= NOISE * best["best val_loss"]:
        lines.append(t("room.reading.within_pct", lang, next=second.label, pct=f"{NOISE:.0%}"))
    else:
        lines.append(t("room.reading.one_seed", lang))
    return t("room.reading.joiner", lang).join(lines)
