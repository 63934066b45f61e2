"""Runs and their per-epoch history on SQLite (WAL): the server reads while training workers write, so every
finished epoch is on record. One connection per call: safe across threads and processes."""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from slstm.errors import SlstmError
from slstm.i18n import t

STATUSES = ("queued", "running", "finished", "stopped", "failed")
INTERRUPTED = t("jobs.interrupted")
SCHEMA_VERSION = 3
_ID = re.compile(r"[A-Za-z0-9_-]{6,32}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL, status TEXT NOT NULL,
    spec TEXT NOT NULL, data_config TEXT NOT NULL, train_config TEXT NOT NULL, metrics TEXT NOT NULL DEFAULT '{}',
    device TEXT NOT NULL DEFAULT 'CPU', duration REAL, message TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS runs_workspace_created ON runs (workspace, created);
CREATE TABLE IF NOT EXISTS epochs (
    run_id TEXT NOT NULL, epoch INTEGER NOT NULL, loss REAL, val_loss REAL, logs TEXT NOT NULL, seconds REAL,
    PRIMARY KEY (run_id, epoch));
"""
_MIGRATIONS = {  # version reached -> statements
    2: (
        "ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE runs ADD COLUMN worker TEXT NOT NULL DEFAULT ''",
    ),
    3: ("ALTER TABLE runs ADD COLUMN data_choice TEXT NOT NULL DEFAULT '{}'",),
}
_JSON_COLUMNS = ("spec", "data_config", "train_config", "metrics", "data_choice")
_SELECT = "SELECT r.*, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_done FROM runs r"


def default_home() -> Path:
    """Where runs live: $SLSTM_HOME, or ./.slstm (created on demand)."""
    home = Path(os.environ.get("SLSTM_HOME") or ".slstm")
    home.mkdir(parents=True, exist_ok=True)
    return home


def is_workspace_id(s: object) -> bool:
    """True for a workspace (or run) id as it may arrive in a URL: 6 to 32 of [A-Za-z0-9_-]."""
    return isinstance(s, str) and _ID.fullmatch(s) is not None


def new_workspace_id() -> str:
    """A fresh random workspace id, short and URL-safe, e.g. 'q3V_x9-aZ0c'."""
    return secrets.token_urlsafe(8)


def _finite(value: Any) -> Any:
    """JSON-safe copy: NaN and inf become None (JSON has no NaN), numpy scalars become floats."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def _check(what: str, value: Any, ok: bool, expected: str) -> Any:
    if not ok:
        raise SlstmError(f"Received {what}={value!r}; expected {expected}.")
    return value


def _check_status(status: str) -> str:
    return _check("status", status, status in STATUSES, f"one of {', '.join(STATUSES)}")


def _check_id(value: str, what: str) -> str:
    return _check(what, value, is_workspace_id(value), "6 to 32 letters, digits, '_' or '-'")


@dataclass(frozen=True)
class Run:
    """One training run as recorded: what was trained, on what, how it went."""

    id: str
    workspace: str
    name: str
    created: float  # unix time
    status: str  # one of STATUSES
    spec: dict  # ArchitectureSpec.to_dict()
    data_config: dict
    train_config: dict
    metrics: dict  # {} until set
    device: str  # e.g. "CPU" or "GPU: NVIDIA H100"
    duration: float | None  # seconds
    message: str  # last status message for the user, e.g. why it failed
    epochs_done: int  # epoch rows stored
    owner: str = ""  # the server process training it, 'host:pid:start' (slstm.procs)
    worker: str = ""  # its worker process, where known
    data_choice: dict = field(default_factory=dict)  # DataChoice.to_dict(): the source and roles the user chose


def _run(row: sqlite3.Row) -> Run:
    return Run(**{key: json.loads(v) if key in _JSON_COLUMNS else v for key, v in dict(row).items()})


class RunStore:
    """Runs and per-epoch history in <home>/runs.sqlite3; files (weights, predictions) in <home>/runs/<id>/.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as home, RunStore(home) as store:
    ...     run = store.create_run(workspace="demo-ws", spec={}, data_config={}, train_config={})
    ...     store.add_epoch(run.id, 1, {"loss": 0.5, "val_loss": 0.6}, seconds=1.2)
    ...     store.history(run.id)
    {'epoch': [1], 'loss': [0.5], 'val_loss': [0.6], 'seconds': [1.2]}
    """

    def __init__(self, home: str | Path | None = None) -> None:
        self.home = Path(home) if home is not None else default_home()
        (self.home / "runs").mkdir(parents=True, exist_ok=True)
        self.path = self.home / "runs.sqlite3"
        self._closed = False
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")  # persistent in the file; readers never block the writer
            db.execute("BEGIN IMMEDIATE")  # two processes may create the schema at once
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SlstmError(f"{self.path} has schema version {version}; this slstm knows up to {SCHEMA_VERSION}.")
            if version < 1:
                for statement in _SCHEMA.split(";"):
                    db.execute(statement)
            for reached, statements in _MIGRATIONS.items():
                if version < reached:
                    for statement in statements:
                        db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise RuntimeError("This RunStore is closed.")
        # autocommit (isolation_level=None); timeout is SQLite's busy_timeout, so writers wait for each other
        with closing(sqlite3.connect(self.path, timeout=5.0, isolation_level=None)) as db:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; survives a process crash
            yield db

    def create_run(
        self,
        *,
        workspace: str,
        spec: dict,
        data_config: dict,
        train_config: dict,
        name: str = "",
        default_name: str = "run {number}",
        device: str = "CPU",
        status: str = "queued",
        owner: str | None = None,
        data_choice: dict | None = None,
    ) -> Run:
        """Record a new run; its name defaults to `default_name` with N = runs in the workspace + 1 (a page passes
        it in the user's language). Its owner, the process
        that will train it (default: this one), is what tells a live run from one a dead server left behind."""
        from slstm.procs import process_identity

        owner = process_identity() if owner is None else owner
        _check_id(workspace, "workspace")
        _check_status(status)
        run_id, created = secrets.token_urlsafe(6), time.time()
        blobs = [json.dumps(_finite(d)) for d in (spec, data_config, train_config)]
        choice = json.dumps(data_choice or {})
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")  # count and insert as one, so two new runs do not share a name
            count = db.execute("SELECT COUNT(*) FROM runs WHERE workspace = ?", (workspace,)).fetchone()[0]
            name = name.strip() or default_name.format(number=count + 1)
            db.execute(
                "INSERT INTO runs (id, workspace, name, created, status, spec, data_config, train_config, device,"
                " owner, data_choice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, workspace, name, created, status, *blobs, device, owner, choice),
            )
            db.execute("COMMIT")
        blobs = [json.loads(b) for b in blobs]
        run = Run(run_id, workspace, name, created, status, *blobs, {}, device, None, "", 0, owner)
        return replace(run, data_choice=json.loads(choice))

    def get(self, run_id: str) -> Run | None:
        """The run with this id, or None."""
        with self._db() as db:
            row = db.execute(f"{_SELECT} WHERE r.id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    def list_runs(self, workspace: str) -> list[Run]:
        """The workspace's runs, newest first."""
        with self._db() as db:
            rows = db.execute(f"{_SELECT} WHERE r.workspace = ? ORDER BY r.created DESC, r.rowid DESC", (workspace,))
            return [_run(row) for row in rows]

    def _update(self, run_id: str, sql: str, *params: Any) -> int:
        with self._db() as db:
            return db.execute(f"UPDATE runs SET {sql} WHERE id = ?", (*params, run_id)).rowcount

    def set_status(self, run_id: str, status: str, *, message: str = "", duration: float | None = None) -> None:
        """Set status and message; duration (seconds) only when given."""
        _check_status(status)
        self._update(run_id, "status = ?, message = ?, duration = COALESCE(?, duration)", status, message, duration)

    def set_metrics(self, run_id: str, metrics: dict) -> None:
        """Replace the run's metrics (NaN and inf stored as null)."""
        self._update(run_id, "metrics = ?", json.dumps(_finite(metrics)))

    def rename(self, run_id: str, name: str) -> None:
        """Give the run a new name (a non-empty string)."""
        _check("name", name, isinstance(name, str) and name.strip(), "a non-empty name, e.g. 'two layers, 64 units'")
        self._update(run_id, "name = ?", name.strip())

    def delete(self, run_id: str) -> None:
        """Forget the run, its history and its folder."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM epochs WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            db.execute("COMMIT")
        if is_workspace_id(run_id):  # never rmtree a path built from a malformed id
            shutil.rmtree(self.home / "runs" / run_id, ignore_errors=True)

    def add_epoch(self, run_id: str, epoch: int, logs: dict[str, float], seconds: float) -> None:
        """Store one finished epoch (1-based); writing the same epoch again replaces it. Ignored if the run is gone."""
        logs = _finite(dict(logs))
        row = (run_id, int(epoch), logs.get("loss"), logs.get("val_loss"), json.dumps(logs), _finite(seconds))
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO epochs (run_id, epoch, loss, val_loss, logs, seconds)"
                " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?)",
                (*row, run_id),
            )

    def history(self, run_id: str) -> dict[str, list[float | None]]:
        """Per-epoch columns ordered by epoch, all the same length; a metric missing from an epoch is None."""
        with self._db() as db:
            cursor = db.execute("SELECT epoch, logs, seconds FROM epochs WHERE run_id = ? ORDER BY epoch", (run_id,))
            rows = [(epoch, json.loads(logs), seconds) for epoch, logs, seconds in cursor]
        out: dict[str, list[Any]] = {"epoch": [epoch for epoch, _, _ in rows]}
        out |= {key: [logs.get(key) for _, logs, _ in rows] for key in ("loss", "val_loss")}
        out["seconds"] = [seconds for _, _, seconds in rows]
        others = sorted({key for _, logs, _ in rows for key in logs} - out.keys())  # e.g. mae, val_mae
        return out | {key: [logs.get(key) for _, logs, _ in rows] for key in others}

    def run_dir(self, run_id: str) -> Path:
        """<home>/runs/<run_id>/ (created): where the worker puts weights and prediction files."""
        path = self.home / "runs" / _check_id(run_id, "run_id")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def set_owner(self, run_id: str, *, owner: str, worker: str = "") -> None:
        """Record which server process (and worker) trains the run: only that owner changes its status."""
        self._update(run_id, "owner = ?, worker = ?", owner, worker)

    def write_file(self, run_id: str, name: str, data: bytes) -> None:
        """Write one of the run's files atomically (a temporary file, then os.replace): readers see the old
        file or the new one, never half of one. Ignored if the run is gone."""
        if not (is_workspace_id(run_id) and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name) and ".." not in name):
            raise SlstmError(f"Received a run file name {name[:40]!r}; expected a plain file name.")
        if self.get(run_id) is None:
            return
        folder = self.run_dir(run_id)
        temporary = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, folder / name)
        finally:
            temporary.unlink(missing_ok=True)

    def files_bytes(self, run_id: str) -> int:
        """Bytes of the run's files (weights, model, predictions)."""
        folder = self.home / "runs" / run_id
        return sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) if folder.is_dir() else 0

    def trim_files(self, *, workspace: str, workspace_bytes: float, server_bytes: float) -> list[str]:
        """Delete the files of finished runs, oldest first, until `workspace` and the whole server are within
        their disk budgets; the runs keep their history and metrics. Returns the runs whose files went."""
        with self._db() as db:
            rows = db.execute("SELECT id, workspace, status FROM runs ORDER BY created").fetchall()
        sizes = {run_id: self.files_bytes(run_id) for run_id, _, _ in rows if is_workspace_id(run_id)}
        mine = sum(sizes.get(run_id, 0) for run_id, ws, _ in rows if ws == workspace)
        total = sum(sizes.values())
        trimmed = []
        for run_id, ws, status in rows:  # oldest first; a run still training keeps its files
            size = sizes.get(run_id, 0)
            over = total > server_bytes or (ws == workspace and mine > workspace_bytes)
            if not size or not over or status not in ("finished", "stopped", "failed"):
                continue
            shutil.rmtree(self.home / "runs" / run_id, ignore_errors=True)
            total -= size
            mine -= size if ws == workspace else 0
            trimmed.append(run_id)
        return trimmed

    def mark_interrupted(self, alive=lambda owner: False) -> list[Run]:
        """Fail queued or running runs whose owner process is gone (`alive(owner)` is False), kill any worker
        they left behind, and return them. Runs of a server that still lives are left alone."""
        from slstm import procs

        with self._db() as db:
            rows = db.execute(f"{_SELECT} WHERE r.status IN ('queued', 'running')").fetchall()
        gone = [run for run in map(_run, rows) if not (run.owner and alive(run.owner))]
        for run in gone:
            if run.worker:
                procs.kill(run.worker)
            with self._db() as db:  # only if still unfinished and still that owner's: never clobber a newer write
                db.execute(
                    "UPDATE runs SET status = 'failed', message = ? WHERE id = ? AND owner = ?"
                    " AND status IN ('queued', 'running')",
                    (INTERRUPTED, run.id, run.owner),
                )
        return gone

    def close(self) -> None:
        """Nothing stays open between calls; after close the store refuses further use."""
        self._closed = True

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
