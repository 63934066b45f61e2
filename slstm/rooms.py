"""Workshop rooms, kept in the run store's SQLite file (tables of their own): a room with a short join code and
a teacher key, its members (a display name on a private workspace), the runs they share with it, and the
teacher's pushes (a stack, a data choice, a lesson step, hide flags, with a note and a version).

The teacher key is a secret like a workspace id: made with the room, kept only in the teacher's cookie, stored
here as a hash, never in a link. The join code is not a secret: it is what the room's link carries."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from slstm.errors import SlstmError
from slstm.limits import setting
from slstm.workspace import cookie_script, is_id, new_id

MAX_ROOMS = setting("MAX_ROOMS", 20)  # open rooms on one server
ROOM_MEMBERS = setting("ROOM_MEMBERS", 40)  # members of one room
ROOM_JOBS = setting("ROOM_JOBS", 2)  # class-experiment jobs one member may have queued or training at once
TEACHER_COOKIE = "slstm_teacher"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from a projector
CODE_PREFIX = "LSTM-"
MAX_NAME = 24
MAX_NOTE = 300
_CODE = re.compile(r"(?:LSTM-?)?([2-9A-HJ-NP-Z]{4})")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, created REAL NOT NULL, open INTEGER NOT NULL DEFAULT 1,
    show_grid INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS room_members (
    code TEXT NOT NULL, workspace TEXT NOT NULL, name TEXT NOT NULL, joined REAL NOT NULL,
    stack TEXT NOT NULL DEFAULT '', seen REAL, undone INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (code, workspace));
CREATE UNIQUE INDEX IF NOT EXISTS room_member_names ON room_members (code, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS room_shares (
    code TEXT NOT NULL, run_id TEXT NOT NULL, workspace TEXT NOT NULL, PRIMARY KEY (code, run_id));
CREATE TABLE IF NOT EXISTS room_pushes (
    code TEXT NOT NULL, version INTEGER NOT NULL, created REAL NOT NULL, note TEXT NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (code, version));
CREATE TABLE IF NOT EXISTS room_grids (
    code TEXT NOT NULL, grid INTEGER NOT NULL, created REAL NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (code, grid));
CREATE TABLE IF NOT EXISTS room_cells (
    code TEXT NOT NULL, grid INTEGER NOT NULL, cell INTEGER NOT NULL, workspace TEXT NOT NULL, dealt REAL NOT NULL,
    run_id TEXT, seed INTEGER, PRIMARY KEY (code, grid, cell, workspace));
"""


class RoomError(SlstmError):
    """A room action refused, with a message for the user (a limit, a wrong code, a taken name...)."""


@dataclass(frozen=True)
class Room:
    code: str
    created: float
    open: bool
    show_grid: bool  # the class grid is shown on every member's room page


@dataclass(frozen=True)
class Member:
    code: str
    workspace: str
    name: str
    joined: float
    stack: str  # the member's current stack in short form, as their frame last reported it
    seen: float | None  # when their frame last reported
    undone: int  # the push version they undid (0: none)


@dataclass(frozen=True)
class Push:
    """What the teacher sent: any of spec (ArchitectureSpec.to_dict()), sample (a sample key), lesson (a number),
    hide (hide flag names; [] shows every control), with a note."""

    code: str
    version: int
    created: float
    note: str
    payload: dict


def key_hash(key: str) -> str:
    return hashlib.sha256(f"slstm-room:{key}".encode()).hexdigest()


def new_code() -> str:
    """A fresh join code, e.g. 'LSTM-7Q4K'."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


def parse_code(text: object) -> str:
    """The join code someone typed, in its one spelling: spaces and case ignored, the LSTM- part optional.

    >>> parse_code(" lstm-7q4k "), parse_code("7Q4K")
    ('LSTM-7Q4K', 'LSTM-7Q4K')
    """
    raw = re.sub(r"\s+", "", str(text or "")).upper()
    if not raw:
        raise RoomError("room.err.no_code")
    match = _CODE.fullmatch(raw)
    if not match:
        raise RoomError("room.err.bad_code", length=len(raw))
    return CODE_PREFIX + match.group(1)


def parse_name(text: object) -> str:
    """A display name: spaces collapsed, 1 to MAX_NAME printable characters."""
    name = " ".join(str(text or "").split())
    if not name:
        raise RoomError("room.err.no_name")
    if len(name) > MAX_NAME or not name.isprintable():
        raise RoomError("room.err.bad_name", length=len(name), most=MAX_NAME)
    return name


def teacher_cookie_script(key: str) -> str:
    """The browser side of keeping a teacher key, as the workspace cookie is kept; the key never appears in an
    address."""
    return cookie_script(key, name=TEACHER_COOKIE)


class RoomStore:
    """Rooms in the run store's database file (`path`: RunStore.path); one connection per call, like RunStore."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=5.0, isolation_level=None)) as db:
            db.row_factory = sqlite3.Row
            yield db

    # --- rooms ---------------------------------------------------------------------------------------------
    def open_room(self, *, server_key: str | None = None) -> tuple[Room, str]:
        """A new room and its teacher key (returned once; only its hash is kept). Where the server sets
        SLSTM_TEACHER_KEY, `server_key` must match it."""
        required = os.environ.get("SLSTM_TEACHER_KEY", "")
        if required and not secrets.compare_digest(str(server_key or "").strip(), required):
            raise RoomError("room.err.server_key")
        key, created = new_id(), time.time()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            count = db.execute("SELECT COUNT(*) FROM rooms WHERE open = 1").fetchone()[0]
            if count >= MAX_ROOMS:
                db.execute("ROLLBACK")
                raise RoomError("room.err.max_rooms", count=count)
            while True:
                code = new_code()
                try:
                    db.execute(
                        "INSERT INTO rooms (code, key_hash, created) VALUES (?, ?, ?)", (code, key_hash(key), created)
                    )
                    break
                except sqlite3.IntegrityError:  # that code is taken: draw another
                    continue
            db.execute("COMMIT")
        return Room(code, created, True, False), key

    def room(self, code: str) -> Room | None:
        with self._db() as db:
            row = db.execute("SELECT code, created, open, show_grid FROM rooms WHERE code = ?", (code,)).fetchone()
        return Room(row[0], row[1], bool(row[2]), bool(row[3])) if row else None

    def room_for_key(self, key: object) -> Room | None:
        """The open room this teacher key opens, or None (for anything that is not such a key)."""
        if not is_id(key):
            return None
        with self._db() as db:
            row = db.execute("SELECT code FROM rooms WHERE key_hash = ? AND open = 1", (key_hash(key),)).fetchone()
        return self.room(row[0]) if row else None

    def authorize(self, code: str, key: object) -> Room:
        """The room, if `key` is its teacher key; else RoomError."""
        room = self.room_for_key(key)
        if room is None or room.code != code:
            raise RoomError("room.err.teacher_only")
        return room

    def close_room(self, code: str, key: str) -> None:
        self.authorize(code, key)
        with self._db() as db:
            db.execute("UPDATE rooms SET open = 0 WHERE code = ?", (code,))

    def show_grid(self, code: str, key: str, show: bool) -> None:
        self.authorize(code, key)
        with self._db() as db:
            db.execute("UPDATE rooms SET show_grid = ? WHERE code = ?", (int(bool(show)), code))

    # --- members -------------------------------------------------------------------------------------------
    def join(self, code_text: object, workspace: str, name_text: object) -> Member:
        """Join the room of a typed code under a display name; joining again renames. RoomError says why not."""
        code, name = parse_code(code_text), parse_name(name_text)
        room = self.room(code)
        if room is None or not room.open:
            raise RoomError("room.err.no_room", code=code)
        if not is_id(workspace):
            raise RoomError("room.err.no_workspace")
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            count = db.execute("SELECT COUNT(*) FROM room_members WHERE code = ?", (code,)).fetchone()[0]
            known = db.execute(
                "SELECT 1 FROM room_members WHERE code = ? AND workspace = ?", (code, workspace)
            ).fetchone()
            if not known and count >= ROOM_MEMBERS:
                db.execute("ROLLBACK")
                raise RoomError("room.err.full", code=code, count=count)
            try:
                if known:
                    db.execute(
                        "UPDATE room_members SET name = ? WHERE code = ? AND workspace = ?", (name, code, workspace)
                    )
                else:
                    db.execute(
                        "INSERT INTO room_members (code, workspace, name, joined) VALUES (?, ?, ?, ?)",
                        (code, workspace, name, time.time()),
                    )
            except sqlite3.IntegrityError:
                db.execute("ROLLBACK")
                raise RoomError("room.err.name_taken", code=code, name=repr(name)) from None
            db.execute("COMMIT")
        return self.member(code, workspace)

    def leave(self, code: str, workspace: str) -> None:
        """Leave the room: the member's shares go too (their runs stay in their workspace)."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM room_members WHERE code = ? AND workspace = ?", (code, workspace))
            db.execute("DELETE FROM room_shares WHERE code = ? AND workspace = ?", (code, workspace))
            db.execute("COMMIT")

    def member(self, code: str, workspace: str) -> Member | None:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM room_members WHERE code = ? AND workspace = ?", (code, workspace)
            ).fetchone()
        return Member(**dict(row)) if row else None

    def membership(self, workspace: str) -> Member | None:
        """The open room this workspace joined last, as its member (what a reload or a restart finds again)."""
        with self._db() as db:
            row = db.execute(
                "SELECT m.* FROM room_members m JOIN rooms r ON r.code = m.code WHERE m.workspace = ? AND r.open = 1"
                " ORDER BY m.joined DESC LIMIT 1",
                (workspace,),
            ).fetchone()
        return Member(**dict(row)) if row else None

    def members(self, code: str) -> list[Member]:
        """The room's members in the order they joined."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM room_members WHERE code = ? ORDER BY joined, rowid", (code,)).fetchall()
        return [Member(**dict(row)) for row in rows]

    def report(self, code: str, workspace: str, stack: str) -> None:
        """The member's frame says which stack they have now (and that they are still here)."""
        with self._db() as db:
            db.execute(
                "UPDATE room_members SET stack = ?, seen = ? WHERE code = ? AND workspace = ?",
                (stack[:200], time.time(), code, workspace),
            )

    # --- sharing -------------------------------------------------------------------------------------------
    def share(self, code: str, workspace: str, run_id: str, on: bool = True) -> None:
        """Share (or stop sharing) one of the member's own runs with the room."""
        if self.member(code, workspace) is None:
            raise RoomError("room.err.join_to_share")
        with self._db() as db:
            owner = db.execute("SELECT workspace FROM runs WHERE id = ?", (run_id,)).fetchone()
            if owner is None or owner[0] != workspace:
                raise RoomError("room.err.not_yours")
            if on:
                db.execute("INSERT OR IGNORE INTO room_shares VALUES (?, ?, ?)", (code, run_id, workspace))
            else:
                db.execute("DELETE FROM room_shares WHERE code = ? AND run_id = ?", (code, run_id))

    def shared(self, code: str) -> dict[str, str]:
        """The runs shared with the room that still exist: run id -> member workspace (members only)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT s.run_id, s.workspace FROM room_shares s JOIN runs r ON r.id = s.run_id"
                " JOIN room_members m ON m.code = s.code AND m.workspace = s.workspace WHERE s.code = ?",
                (code,),
            ).fetchall()
        return {run_id: ws for run_id, ws in rows}

    # --- pushes --------------------------------------------------------------------------------------------
    def push(self, code: str, key: str, *, note: str, payload: dict) -> Push:
        """Send a stack, a data choice, a lesson step and/or hide flags to every member, as version N+1."""
        self.authorize(code, key)
        note = " ".join(str(note or "").split())[:MAX_NOTE]
        payload = {k: v for k, v in payload.items() if k in ("spec", "sample", "lesson", "hide") and v is not None}
        if not payload:
            raise RoomError("room.err.empty_push")
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            version = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM room_pushes WHERE code = ?", (code,))
            version = version.fetchone()[0]
            created = time.time()
            db.execute(
                "INSERT INTO room_pushes VALUES (?, ?, ?, ?, ?)", (code, version, created, note, json.dumps(payload))
            )
            db.execute("COMMIT")
        return Push(code, version, created, note, payload)

    def latest_push(self, code: str) -> Push | None:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM room_pushes WHERE code = ? ORDER BY version DESC LIMIT 1", (code,)
            ).fetchone()
        return (
            Push(row["code"], row["version"], row["created"], row["note"], json.loads(row["payload"])) if row else None
        )

    def undo(self, code: str, workspace: str, version: int) -> None:
        """The member undid this push: a new session of theirs does not apply it again."""
        with self._db() as db:
            db.execute(
                "UPDATE room_members SET undone = ? WHERE code = ? AND workspace = ?", (version, code, workspace)
            )
