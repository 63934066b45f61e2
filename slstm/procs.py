"""Telling processes apart across restarts: 'host:pid:start', where start is the kernel's start time of the
process, so a recycled pid never passes for the process that was recorded. And starting the server's own
child processes (training workers, the inspector) with a socket pair to talk over."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spawn(module: str, *args: str) -> tuple[subprocess.Popen, Connection]:
    """`python -m module FD *args` from the repository root, never the app's script, with this package importable
    and TensorFlow's logs quiet; returns the process and the server's end of their socket pair (FD is the
    child's end)."""
    parent, child = socket.socketpair()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(child.fileno()), *args],
        pass_fds=(child.fileno(),),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    child.close()
    conn = Connection(os.dup(parent.fileno()))
    parent.close()
    return process, conn


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a live process (None when gone or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
    except OSError:
        return None
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]  # field 22 of stat: starttime, in clock ticks since boot


def process_identity(pid: int | None = None) -> str:
    """This process (or `pid`) as 'host:pid:start', e.g. 'lab-1:4242:98312'."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or '?'}"


def is_alive(identity: str) -> bool:
    """True if the process recorded as `identity` still runs here; False if it is gone or was elsewhere
    (a record from another host is treated as gone only by the host that owns it: we answer True)."""
    host, _, rest = identity.partition(":")
    pid_text, _, start = rest.partition(":")
    if not pid_text.isdigit():
        return False
    if host != socket.gethostname():
        return True
    now = _start_time(int(pid_text))
    return now is not None and (start == "?" or now == start)


def kill(identity: str) -> bool:
    """SIGKILL the process recorded as `identity` if it still runs on this host; True if one was killed."""
    host, _, rest = identity.partition(":")
    if host != socket.gethostname() or not is_alive(identity):
        return False
    try:
        os.kill(int(rest.partition(":")[0]), signal.SIGKILL)
        return True
    except (OSError, ValueError):
        return False
