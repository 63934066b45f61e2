"""Looking inside trained models, in a worker: the server never imports TensorFlow (DESIGN.md rule 2). An
Inspector keeps one warm process (`python -m slstm.inspector`, TensorFlow imported, models kept loaded)
beside the training pool: it takes no training slot and waits behind no training queue. Requests are short (a
model load, one forward pass, the cells in NumPy) and served one at a time; the pages cache each answer per run
and sample. The model files are the server's own, so the inspector runs where the server runs, whatever executes
the trainings."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from slstm.errors import SlstmError
from slstm.procs import spawn

TIMEOUT_SECONDS = 120.0  # one look, the first model load included, on a machine busy with a room's training
MODELS_KEPT = 8  # loaded models a warm inspector keeps (a room looks at many runs, each a few times)


class InspectError(SlstmError):
    """A look inside a model that could not be made (its file gone, or the inspector lost or too slow)."""


@dataclass(frozen=True)
class Look:
    """One question to the inspector: the model file, optionally another set of its weights (e.g. before
    training), and the samples `x` (batch, timesteps, features)."""

    model: str
    x: np.ndarray
    weights: str | None = None


def _answer(look: Look, models: OrderedDict) -> dict:
    from slstm.inspect import load_model, look_inside

    files = [look.model] + ([look.weights] if look.weights else [])
    if not all(os.path.exists(f) for f in files):
        return {"error": "missing"}
    key = tuple((f, os.stat(f).st_mtime_ns) for f in files)
    model = models.pop(key, None)
    if model is None:
        model = load_model(look.model, look.weights)
    models[key] = model  # most recently used last
    while len(models) > MODELS_KEPT:
        models.popitem(last=False)
    return {"ok": look_inside(model, look.x)}


def serve(fd: int) -> None:
    """The inspector process's side: import TensorFlow, say ready, answer looks until the socket closes."""
    conn = Connection(fd)
    parent = os.getppid()

    def watch_parent() -> None:  # a server that dies without closing the socket
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch_parent, name="slstm-inspector-parent", daemon=True).start()
    from slstm.worker import configure_tensorflow

    configure_tensorflow(1)
    import keras

    keras.layers.LSTM(1)(np.zeros((1, 2, 1), "float32"))  # load what the first look needs
    conn.send({"ready": True})
    models: OrderedDict = OrderedDict()
    while True:
        try:
            look = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply = _answer(look, models)
        except Exception as exc:  # the user's own model: say what went wrong, keep serving
            reply = {"error": "failed", "kind": type(exc).__name__, "detail": str(exc)[:300]}
        conn.send(reply)


class Inspector:
    """The server's side: one warm inspector process, started on demand (or ahead with `warm`), restarted when
    lost; thread-safe (sessions take turns)."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._ready = False  # the process has said it is ready (its first message)
        self.looks = 0  # answered, for tests and benchmarks

    def warm(self) -> None:
        """Start the process now (it imports TensorFlow in the background), so the first look does not wait."""
        if self._lock.acquire(blocking=False):
            try:
                self._ensure()
            finally:
                self._lock.release()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Start the process if needed and wait until it has imported TensorFlow (for benchmarks and tests)."""
        with self._lock:
            conn = self._ensure()
            if not self._ready and conn.poll(self.timeout if timeout is None else timeout):
                self._ready = "ready" in conn.recv()

    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def look(self, model: Path | str, x: np.ndarray, *, weights: Path | str | None = None) -> dict:
        """look_inside(model, x) computed in the inspector process. FileNotFoundError when a file is gone;
        InspectError when the look fails or takes longer than `timeout` (the process is then restarted)."""
        request = Look(str(model), np.asarray(x, "float32"), str(weights) if weights else None)
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            reply = self._ask(payload)
        if "error" in reply:
            if reply["error"] == "missing":
                raise FileNotFoundError(request.model)
            raise InspectError("inspect.failed", kind=reply.get("kind", ""), detail=reply.get("detail", ""))
        self.looks += 1
        return reply["ok"]

    def _ask(self, payload: bytes) -> dict:
        for attempt in (1, 2):  # a process lost since the last look is replaced once
            conn = self._ensure()
            try:
                conn.send_bytes(payload)
                deadline = time.monotonic() + self.timeout
                while True:
                    if conn.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                        message = conn.recv()
                        if "ready" not in message:
                            return message
                        self._ready = True
                    elif time.monotonic() >= deadline:
                        self._stop()
                        raise InspectError("inspect.too_slow", seconds=f"{self.timeout:g}")
                    elif self._process.poll() is not None:
                        raise EOFError
            except (EOFError, OSError):
                self._stop()
                if attempt == 2:
                    raise InspectError("inspect.lost") from None
        raise AssertionError("unreachable")

    def _ensure(self) -> Connection:
        if self._process is not None and self._process.poll() is None and self._conn is not None:
            return self._conn
        self._stop()
        self._process, self._conn = spawn("slstm.inspector")
        return self._conn

    def _stop(self) -> None:
        process, conn, self._process, self._conn, self._ready = self._process, self._conn, None, None, False
        if process is not None and process.poll() is None:
            process.kill()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                pass
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """End the process (the server is shutting down or the cache let the inspector go)."""
        with self._lock:
            self._stop()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
