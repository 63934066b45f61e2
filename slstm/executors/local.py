"""The default executor: one fresh process per job (`python -m slstm.executors.local`, never the app's script),
talking over a socket pair. Processes are started ahead of time with TensorFlow already imported ("warm"), one per
free slot and one in reserve while jobs wait, so a job starts training without paying the import. A worker ends
when its server does: it watches its socket and its parent, and exits the moment either is gone."""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from slstm.executors.base import JobInputs
from slstm.procs import process_identity, spawn

STOP = b"stop"  # the server's only message besides the job itself


class LocalWorker:
    """A worker process and its end of the socket pair."""

    def __init__(self, threads: int) -> None:
        self.process, self.conn = spawn("slstm.executors.local", str(threads))
        self.threads = threads
        self.ready = False
        self.spawned = time.time()
        self._eof = False

    # --- WorkerHandle --------------------------------------------------------------------------------------
    def poll(self) -> list[dict]:
        events: list[dict] = []
        while not self._eof:
            try:
                if not self.conn.poll(0):
                    break
                event = self.conn.recv()
            except (EOFError, OSError):
                self._eof = True
                break
            if event.get("type") == "ready":
                self.ready = True
            else:
                events.append(event)
        return events

    def stop(self) -> None:
        self._send(STOP)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def alive(self) -> bool:
        return self.process.poll() is None

    def exitcode(self) -> int | None:
        return self.process.poll()

    def memory_bytes(self) -> int | None:
        try:
            with open(f"/proc/{self.process.pid}/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return None

    def identity(self) -> str:
        return process_identity(self.process.pid)

    def close(self) -> None:
        self.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()

    # --- the executor's side --------------------------------------------------------------------------------
    def _send(self, message: bytes) -> bool:
        try:
            self.conn.send_bytes(message)
            return True
        except (OSError, ValueError):
            return False

    def begin(self, inputs: JobInputs) -> None:
        if not self._send(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)):
            self.kill()


class LocalExecutor:
    """Jobs in local processes; `max_workers` warm processes are kept ready while slots are free."""

    name = "local"

    def __init__(self, *, max_workers: int | None = None, warm: bool = True) -> None:
        self.max_workers = max_workers or int(os.environ.get("SLSTM_MAX_JOBS", max(1, (os.cpu_count() or 1) // 2)))
        self.threads = max(1, (os.cpu_count() or 1) // self.max_workers)
        self.warm = warm and os.environ.get("SLSTM_WARM", "1") != "0"
        self._spare: list[LocalWorker] = []
        self._lock = threading.Lock()
        self._running = 0

    def capacity(self) -> int:
        return self.max_workers

    def start(self, inputs: JobInputs) -> LocalWorker:
        """Hand the job to a spare process (ready or still importing) or, if none, to a new one; never waits
        for it: the worker takes the job as soon as TensorFlow is loaded."""
        with self._lock:
            for w in self._spare:
                w.poll()  # notice 'ready'
            spare = sorted((w for w in self._spare if w.alive()), key=lambda w: (not w.ready, w.spawned))
            worker = spare[0] if spare else None
            if worker is not None:
                self._spare.remove(worker)
        worker = worker or LocalWorker(self.threads)
        worker.begin(JobInputs(**{**inputs.__dict__, "threads": worker.threads}))
        return worker

    def keep_warm(self, free_slots: int) -> None:
        """Start warm processes until there is one per free slot (called by the pool's pump)."""
        if not self.warm:
            return
        with self._lock:
            for w in [w for w in self._spare if not w.alive()]:
                self._spare.remove(w)
                w.close()
            for w in self._spare:
                w.poll()
            missing = max(0, free_slots) - len(self._spare)
        for _ in range(missing):
            worker = LocalWorker(self.threads)
            with self._lock:
                self._spare.append(worker)

    def close(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, []
        for worker in spare:
            worker.close()


def serve(fd: int, threads: int) -> None:
    """The worker process's side (`python -m slstm.executors.local FD THREADS`): warm up, take one job, exit."""
    conn = Connection(fd)
    parent = os.getppid()
    jobs: queue.Queue = queue.Queue()
    stop = threading.Event()

    def listen() -> None:  # the server's messages, as bytes (unpickled by the main thread, after its imports)
        try:
            while True:
                message = conn.recv_bytes()
                if message == STOP:
                    stop.set()
                else:
                    jobs.put(message)
        finally:  # the socket closed: the server is gone
            os._exit(3)

    def watch_parent() -> None:  # a parent that dies without closing the socket (reparented to init)
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=listen, name="slstm-worker-listen", daemon=True).start()
    threading.Thread(target=watch_parent, name="slstm-worker-parent", daemon=True).start()
    from slstm.worker import configure_tensorflow, run_job

    configure_tensorflow(threads)
    if jobs.empty():  # nobody waits yet: use the idle time to load what the first step needs
        _warm_up()
    send_lock = threading.Lock()

    def send(event: dict) -> None:
        with send_lock:
            conn.send(event)

    send({"type": "ready"})
    inputs = pickle.loads(jobs.get())
    run_job(inputs, send, stop.is_set)
    conn.close()


def _warm_up() -> None:
    """Load what the first training step needs (Keras layers, optimizer, tf.function machinery) on a toy model,
    so the job's own first step pays only its tracing."""
    import keras
    import numpy as np

    inputs = keras.Input((3, 1), name="warm_up_input")
    hidden = keras.layers.LSTM(2, name="warm_up_lstm")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, name="warm_up_dense")(hidden), name="warm_up")
    model.compile(keras.optimizers.Adam(), loss="mse", metrics=["mae"])
    model.fit(np.zeros((4, 3, 1), "float32"), np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    model.predict(np.zeros((2, 3, 1), "float32"), verbose=0)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
