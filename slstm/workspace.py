"""Workspaces: whose runs are whose. A workspace id is a random secret of one fixed form (128 bits, 22
URL-safe characters); it lives in a cookie of the browser that made it, never in a link, and the user can
copy it as a "restore code" to open the same runs on another device.

Deleting runs lives here too, because it is a workspace's right: a run is deleted only by its own workspace,
and a run that still trains is stopped (and its end saved) before its rows and files go.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from dataclasses import dataclass

from slstm.errors import SlstmError
from slstm.i18n import t

ID_BYTES = 16
COOKIE = "slstm_ws"
COOKIE_DAYS = 400  # browsers cap a cookie's lifetime at 400 days
_FORM = re.compile(r"[A-Za-z0-9_-]{22}")


def new_id() -> str:
    """A fresh workspace id: 16 random bytes, URL-safe base64 without padding (22 characters)."""
    return secrets.token_urlsafe(ID_BYTES)


def is_id(value: object) -> bool:
    """True only for an id new_id() could have made (length, alphabet, and the unused low bits at zero).

    >>> is_id(new_id()), is_id("group1"), is_id("A" * 21 + "B")
    (True, False, False)
    """
    if not (isinstance(value, str) and _FORM.fullmatch(value)):
        return False
    raw = base64.urlsafe_b64decode(value + "==")
    return len(raw) == ID_BYTES and base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == value


def parse_restore_code(text: object) -> str:
    """The workspace id a pasted restore code names (spaces around it ignored), or a SlstmError.
    The message never repeats what was pasted: a code is a secret."""
    code = str(text or "").strip()
    if not code:
        raise SlstmError("frame.restore_empty")
    if not is_id(code):
        raise SlstmError("frame.restore_bad", length=len(code))
    return code


def cookie_script(workspace: str, *, days: int = COOKIE_DAYS, name: str = COOKIE) -> str:
    """The browser side of keeping a workspace (or, with `name`, a teacher key): a script that stores the id in a
    first-party cookie (path /, SameSite=Strict, Secure on https), which every later session of this browser
    sends to the server."""
    if not is_id(workspace):  # only an id of the generated form is ever written into a script
        raise SlstmError("Not an id of the generated form.")
    max_age = int(days) * 86400
    return (
        "<script>document.cookie = "
        f"'{name}={workspace}; path=/; max-age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


def count(n: int, what: str = "run") -> str:
    """'1 run', '3 runs', '0 runs'."""
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


@dataclass(frozen=True)
class Deletion:
    """What delete_runs did: ids deleted, and ids left alone with the reason."""

    deleted: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]


def delete_runs(store, pool, workspace: str, run_ids, *, wait: float = 15.0, every: float = 0.1) -> Deletion:
    """Delete the workspace's runs `run_ids`: stop each one still queued or training, wait (up to `wait`
    seconds in all) until its end is saved, then forget its rows and files. Runs of another workspace, runs
    already gone and runs that would not stop in time are left alone and said so."""
    deleted, kept, stopping = [], [], []
    for run_id in dict.fromkeys(run_ids):
        run = store.get(run_id)
        if run is None:
            kept.append((run_id, "already deleted"))
        elif run.workspace != workspace:
            kept.append((run_id, "not in this workspace"))
        else:
            job = pool.get(run_id)
            if job is not None and not job.done:
                pool.stop(run_id, message=t("jobs.deleting"))
            stopping.append(run_id)
    deadline = time.time() + wait
    for run_id in stopping:
        job = pool.get(run_id)
        while job is not None and not job.done and time.time() < deadline:
            pool.pump()
            time.sleep(every)
            job = pool.get(run_id)
        if job is not None and not job.done:
            kept.append((run_id, "still stopping: try again in a few seconds"))
            continue
        store.delete(run_id)
        deleted.append(run_id)
    return Deletion(tuple(deleted), tuple(kept))
