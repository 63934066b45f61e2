"""Jobs on a Ray cluster (`SLSTM_EXECUTOR=ray`): one Ray actor per job, its CPU request the job's thread count,
running the same worker code as the local pool (slstm.worker.run_job) in a thread of its own. The actor buffers
the job's events; the pool drains them through one outstanding call per job that it checks without waiting, so
the pump never blocks. `RAY_ADDRESS` names the cluster; without it a local Ray is started. The server stays the
only writer of the run store: epochs and artifacts come back as events, so nodes share no files.

Ray is an optional extra (requirements-ray.txt), imported only when this executor is chosen; without it this
module still imports (RayExecutor() then says what to install)."""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
import time
from collections import OrderedDict
from pathlib import Path

import slstm
from slstm.errors import SlstmError
from slstm.executors.base import JobInputs

try:
    import ray
    from ray.exceptions import RayError
except ImportError as exc:
    ray, RayError, MISSING = (
        None,
        Exception,
        f"SLSTM_EXECUTOR=ray needs Ray ({exc}); install it with: pip install -r requirements-ray.txt",
    )
else:
    MISSING = ""

DRAIN_WAIT_SECONDS = 0.5  # an actor answers a drain as soon as it has events, or after this long with none
START_TIMEOUT_SECONDS = 120.0  # starting a local Ray or reaching a cluster
CAPACITY_SECONDS = 5.0  # how long the cluster's CPU count is reused before it is asked again
FRAMES_KEPT = 4  # tables kept in the cluster's object store (a sweep's cells share one)
FORWARDED = ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")  # settings that change TF's numbers or noise


def _setting(name: str, default: int, least: int = 1) -> int:
    try:
        return max(least, int(os.environ.get(name, default)))
    except ValueError:
        raise SlstmError(f"Received {name}={os.environ[name]!r}; expected a positive whole number.") from None


class JobActor:
    """One job's worker. Created ahead of its job ("warm": TensorFlow imported, a toy model fitted), then
    begin() runs the job in a thread; events wait in a buffer for drain()."""

    def __init__(self, threads: int) -> None:
        self._events: list[dict] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._done = False
        self._started = False
        self._warm = threading.Thread(target=self._warm_up, args=(threads,), name="slstm-warm-up", daemon=True)
        self._warm.start()

    def _warm_up(self, threads: int) -> None:
        from slstm.executors.local import _warm_up
        from slstm.worker import configure_tensorflow

        configure_tensorflow(threads)
        if not self._started:  # no job yet: use the idle time to load what the first step needs, as locally
            _warm_up()

    def begin(self, inputs: JobInputs, frame, test_frame) -> None:
        """Train `inputs` with its table (passed separately: Ray hands each actor the stored copy)."""
        if self._started:
            return
        self._started = True
        inputs = dataclasses.replace(inputs, frame=frame, test_frame=test_frame)
        threading.Thread(target=self._run, args=(inputs,), name="slstm-job", daemon=True).start()

    def _run(self, inputs: JobInputs) -> None:
        from slstm.worker import run_job

        try:
            self._warm.join()
            run_job(inputs, self._send, self._stop.is_set)
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def _send(self, event: dict) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def drain(self, wait: float) -> dict:
        """The events since the last drain (waiting up to `wait` s for one), whether the job is over, and
        where and how big this worker is."""
        from slstm.procs import process_identity

        with self._changed:
            self._changed.wait_for(lambda: self._events or self._done, timeout=wait)
            events, self._events = self._events, []
            done = self._done
        return {"events": events, "done": done, "identity": process_identity(), "memory": _resident_bytes()}

    def stop(self) -> None:
        self._stop.set()


# threaded: drain and stop are answered while the job trains; never restarted (a lost job is a failed run)
RemoteJobActor = ray.remote(max_concurrency=4, max_restarts=0)(JobActor) if ray else None


def _resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class RayWorker:
    """The pool's handle on one job's actor: one drain call always outstanding, checked with a zero timeout."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self._pending = actor.drain.remote(DRAIN_WAIT_SECONDS)
        self._done = False  # the job's thread has ended and every event was taken
        self._lost = ""  # why the actor is gone ("" while it is there)
        self._identity = ""
        self._memory: int | None = None

    def poll(self) -> list[dict]:
        events: list[dict] = []
        while self._pending is not None:
            ready, _ = ray.wait([self._pending], timeout=0)
            if not ready:
                break
            try:
                reply = ray.get(ready[0])  # ready: this does not wait
            except RayError as exc:  # killed, or its node died
                self._lost, self._pending = type(exc).__name__, None
                break
            events += reply["events"]
            self._identity, self._memory = reply["identity"], reply["memory"]
            if reply["done"]:
                self._done, self._pending = True, None
            else:
                self._pending = self.actor.drain.remote(DRAIN_WAIT_SECONDS)
        return events

    def stop(self) -> None:
        if self.alive():
            self.actor.stop.remote()

    def kill(self) -> None:
        if not self._lost:
            self._lost = "killed"
        ray.kill(self.actor, no_restart=True)

    def alive(self) -> bool:
        return not (self._done or self._lost)

    def exitcode(self) -> int | None:
        return None  # Ray does not tell an actor's exit code; the run's message says the worker ended

    def memory_bytes(self) -> int | None:
        return self._memory

    def identity(self) -> str:
        return self._identity  # 'host:pid:start' of the actor's process, from its first drain

    def close(self) -> None:
        self._pending = None
        try:
            ray.kill(self.actor, no_restart=True)
        except (RayError, ValueError):
            pass


def init_ray(num_cpus: int | None = None) -> None:
    """Connect to the cluster `RAY_ADDRESS` names, or start a Ray of this machine alone (`num_cpus` CPUs, all by
    default). The slstm package travels with the job, so nodes need only the
    requirements installed. Call it from a thread that lives as long as Ray is used."""
    env = {k: os.environ[k] for k in FORWARDED if k in os.environ}
    common = {
        "log_to_driver": False,  # workers' output stays in Ray's logs, not in the CLI's stdout
        "namespace": "slstm",
        "runtime_env": {"py_modules": [str(Path(slstm.__file__).parent)], "env_vars": env},
    }
    address = os.environ.get("RAY_ADDRESS", "").strip()
    if address:
        _check_reachable(address)
        ray.init(address=address, **common)
    else:
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, **common)


def _check_reachable(address: str) -> None:
    """Fail in seconds where nothing listens at a host:port address (Ray itself retries for minutes)."""
    host, colon, port = address.rpartition(":")
    if "://" in address or not colon or not port.isdigit():
        return  # "auto", or a ray:// client address: Ray's own messages are clear enough
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise SlstmError(
            f"Nothing answers at RAY_ADDRESS={address} ({exc.strerror or exc}). Start the cluster's head there "
            "(ray start --head --port=6379) or correct the address; unset RAY_ADDRESS for a local Ray."
        ) from None


class RayExecutor:
    """Jobs as actors on the cluster that `RAY_ADDRESS` names (a local Ray when unset). Capacity: the cluster's
    CPUs over the CPUs each job asks for (`SLSTM_RAY_CPUS_PER_JOB`, default 1), or `max_workers` (else
    `SLSTM_MAX_JOBS`) when given. Up to `warm` actors (`SLSTM_RAY_WARM`, default 1) wait with TensorFlow imported;
    each holds its CPUs, which other users of a shared cluster then cannot have.
    Ray is started or reached from a thread this executor owns for its whole life: a local Ray started from a
    thread that ends (a Streamlit script run) dies with it."""

    name = "ray"

    def __init__(
        self, *, max_workers: int | None = None, cpus_per_job: int | None = None, warm: int | None = None
    ) -> None:
        if ray is None:
            raise SlstmError(MISSING)
        self.max_workers = max_workers or (_setting("SLSTM_MAX_JOBS", 1) if os.environ.get("SLSTM_MAX_JOBS") else None)
        self.threads = cpus_per_job or _setting("SLSTM_RAY_CPUS_PER_JOB", 1)
        if warm is None:
            warm = 0 if os.environ.get("SLSTM_WARM") == "0" else _setting("SLSTM_RAY_WARM", 1, least=0)
        self.warm = warm
        self.startup_seconds = 0.0  # what starting or reaching Ray took (0 when it was already up)
        self._started_ray = False
        self._error: Exception | None = None
        self._ready = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._spare: list = []
        self._frames: OrderedDict[int, tuple[object, object]] = OrderedDict()
        self._capacity: tuple[float, int] | None = None
        self._owner = threading.Thread(target=self._own_ray, name="slstm-ray", daemon=True)
        self._owner.start()
        self._wait_ready()

    # --- Ray's life, in one long-lived thread -------------------------------------------------------------
    def _own_ray(self) -> None:
        began = time.perf_counter()
        try:
            if not ray.is_initialized():
                init_ray()
                self._started_ray = True
                self.startup_seconds = time.perf_counter() - began
        except Exception as exc:  # reported to whoever uses the executor, with what to check
            self._error = exc
            return
        finally:
            self._ready.set()
        self._closing.wait()
        if self._started_ray:
            ray.shutdown()

    def _wait_ready(self) -> None:
        if not self._ready.wait(START_TIMEOUT_SECONDS):
            raise SlstmError(
                f"Ray did not start within {START_TIMEOUT_SECONDS:g} s; check RAY_ADDRESS and the cluster."
            )
        if isinstance(self._error, SlstmError):
            raise self._error
        if self._error is not None:
            where = os.environ.get("RAY_ADDRESS") or "a local Ray"
            raise SlstmError(
                f"Could not reach {where} ({type(self._error).__name__}: {str(self._error)[:200]}). With RAY_ADDRESS "
                "set, check that the cluster runs (ray status) and that this machine has its token (see the README, "
                "'More than one machine')."
            )

    # --- Executor -----------------------------------------------------------------------------------------
    def capacity(self) -> int:
        """max_workers when given, else the cluster's CPUs over the CPUs per job (asked again every few seconds,
        so nodes that join add capacity)."""
        if self.max_workers:
            return self.max_workers
        now = time.monotonic()
        if self._capacity is None or now - self._capacity[0] > CAPACITY_SECONDS:
            cpus = ray.cluster_resources().get("CPU", 0)
            self._capacity = (now, max(1, int(cpus // self.threads)))
        return self._capacity[1]

    def start(self, inputs: JobInputs) -> RayWorker:
        """Hand the job to a warm actor (or a new one) with its table, put in the object store once per table."""
        with self._lock:
            actor = self._spare.pop(0) if self._spare else None
        actor = actor or self._new_actor()
        frame, test_frame = self._put(inputs.frame), self._put(inputs.test_frame)
        slim = dataclasses.replace(inputs, frame=None, test_frame=None, threads=self.threads)
        actor.begin.remote(slim, frame, test_frame)
        return RayWorker(actor)

    def keep_warm(self, free_slots: int) -> None:
        """Keep a warm actor per free slot, up to `warm` (called by the pool's pump)."""
        with self._lock:
            missing = min(max(0, free_slots), self.warm) - len(self._spare)
        for _ in range(missing):
            actor = self._new_actor()
            with self._lock:
                self._spare.append(actor)

    def close(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, []
            self._frames.clear()
        for actor in spare:
            try:
                ray.kill(actor, no_restart=True)
            except (RayError, ValueError):
                pass
        self._closing.set()
        self._owner.join(30)

    # --- helpers ------------------------------------------------------------------------------------------
    def _new_actor(self):
        return RemoteJobActor.options(num_cpus=self.threads).remote(self.threads)

    def _put(self, frame):
        """The table's reference in the object store; the same table object (a sweep's cells) goes once."""
        if frame is None:
            return None
        with self._lock:
            kept = self._frames.get(id(frame))
            if kept is not None and kept[0] is frame:
                self._frames.move_to_end(id(frame))
                return kept[1]
        ref = ray.put(frame)
        with self._lock:
            self._frames[id(frame)] = (frame, ref)  # the frame is kept too, so its id cannot be reused
            while len(self._frames) > FRAMES_KEPT:
                self._frames.popitem(last=False)
        return ref
