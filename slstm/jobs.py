"""Training as jobs. JobPool runs a bounded number at once through an executor (local processes by default),
queues the rest fairly between workspaces, stops what is asked, abandoned or over budget, and notices workers
that die. The pool is the only writer of its runs in the store: it takes the workers' events (epochs,
artifacts, the end) and persists them with retry, outside its lock, so one failing write stalls nobody."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from slstm import procs
from slstm.errors import SlstmError
from slstm.executors import Executor, JobInputs, WorkerHandle, make_executor
from slstm.i18n import t
from slstm.spec import ArchitectureSpec

__all__ = ["JobInputs", "JobPool", "QuotaError", "TrainingJob"]

STOP_GRACE_SECONDS = 5.0  # a worker asked to stop is killed if it has not ended this long after being asked
TERMINAL = ("finished", "stopped", "failed")
HISTORY = 200  # ended jobs kept in memory (the store keeps every run)
log = logging.getLogger(__name__)


class QuotaError(SlstmError):
    """A workspace asked for more than its share of the queue."""


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class TrainingJob:
    """The server's view of one job, updated from its worker's events by the pool."""

    inputs: JobInputs | None  # released once the job has ended
    run_id: str
    workspace: str
    epochs: int  # epochs asked for
    spec: ArchitectureSpec
    status: str = "queued"  # queued | starting | running | finished | stopped | failed
    epoch: int = 0
    epochs_seen: int = 0
    batch: int = 0
    steps: int = 0
    message: str = ""
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    last_seen: float = field(default_factory=time.time)
    stop_requested: float | None = None  # when the user (or a budget) asked
    stop_sent: float | None = None  # when the worker was told: the grace runs from here
    kill_reason: str = ""
    worker: WorkerHandle | None = None
    first_batch_at: float | None = None
    device: str = ""
    saved: bool = False  # the end is in the store

    @classmethod
    def of(cls, inputs: JobInputs) -> TrainingJob:
        return cls(inputs, inputs.run_id, inputs.workspace, inputs.train_config.epochs, inputs.spec)

    @property
    def ended_here(self) -> bool:
        """Over as far as the pool is concerned (its slot is free), saved or not."""
        return self.status in TERMINAL

    @property
    def done(self) -> bool:
        """Over, and its end is on record: pages may read the run's result from the store."""
        return self.status in TERMINAL and self.saved

    def apply(self, event: dict) -> None:
        kind = event["type"]
        if kind == "started":
            self.status, self.device = "running", event.get("device", "")
        elif kind == "batch":
            self.epoch, self.batch, self.steps = event["epoch"], event["batch"], event["steps"]
            self.first_batch_at = self.first_batch_at or time.time()
        elif kind == "epoch":
            self.epoch, self.batch, self.epochs_seen = event["epoch"], self.steps, self.epochs_seen + 1
        elif kind in TERMINAL and not self.ended_here:
            keep_reason = kind == "stopped" and self.stop_requested and self.message  # the server knows why
            self.status, self.ended = kind, time.time()
            self.message = self.message if keep_reason else event.get("message", "")


class JobPool:
    """At most `max_workers` jobs train at once; the rest wait, taking turns between workspaces."""

    def __init__(
        self,
        store,
        *,
        max_workers: int | None = None,
        orphan_seconds: float | None = None,
        executor: Executor | None = None,
        max_queued: float | None = None,
        max_seconds: float | None = None,
        memory_mb: float | None = None,
    ) -> None:
        self.store = store
        self.executor = executor or make_executor(max_workers=max_workers)
        self._fixed_workers = max_workers  # else the executor's capacity, read each round (a cluster may grow)
        self.orphan_seconds = orphan_seconds or _setting("SLSTM_ORPHAN_SECONDS", 120)
        self.max_queued = max_queued or _setting("SLSTM_MAX_QUEUED", 36)
        self.max_seconds = max_seconds or _setting("SLSTM_MAX_JOB_SECONDS", 3600)
        self.memory_bytes = (memory_mb or _setting("SLSTM_WORKER_MEMORY_MB", 4096)) * 2**20
        self.workspace_disk = _setting("SLSTM_WORKSPACE_DISK_MB", 500) * 2**20  # run files kept per workspace
        self.server_disk = _setting("SLSTM_DISK_MB", 10_000) * 2**20  # and on the whole server
        self.owner = procs.process_identity()
        self.jobs: dict[str, TrainingJob] = {}
        self._served: dict[str, float] = {}  # workspace -> when its last job started (for taking turns)
        self.lock = threading.RLock()  # guards self.jobs and the jobs' fields; never held during I/O
        self._pumping = threading.Lock()  # one pump at a time
        self._outbox: deque[tuple[Callable[[], None], Callable[[], None] | None]] = deque()
        self.store_error = ""  # why the store refuses writes, for pages to show; "" when all is saved
        self.interrupted = store.mark_interrupted(procs.is_alive)  # runs a dead server left behind
        self._closed = threading.Event()
        self._wake = threading.Event()
        self._pump = threading.Thread(target=self._run_pump, name="slstm-job-pump", daemon=True)
        self._pump.start()

    @property
    def max_workers(self) -> int:
        """Jobs that may train at once: as asked, or what the executor can run now (cluster CPUs / CPUs per job)."""
        return self._fixed_workers or max(1, self.executor.capacity())

    # --- what pages call ---------------------------------------------------------------------------
    def check_quota(self, workspace: str, count: int = 1) -> None:
        """Raise QuotaError if `workspace` may not queue `count` more jobs."""
        with self.lock:
            waiting = sum(1 for j in self.jobs.values() if j.workspace == workspace and j.status == "queued")
        if waiting + count > self.max_queued:
            raise QuotaError("jobs.quota", count=waiting, most=f"{self.max_queued:g}", more=count)

    def submit(self, inputs: JobInputs) -> TrainingJob:
        """Queue a job for a run already in the store; raises QuotaError (and fails the run) over the quota."""
        try:
            self.check_quota(inputs.workspace)
        except QuotaError as exc:
            self.store.set_status(inputs.run_id, "failed", message=str(exc))
            raise
        job = TrainingJob.of(inputs)
        with self.lock:
            self.jobs[inputs.run_id] = job
        self._wake.set()
        return job

    def get(self, run_id: str) -> TrainingJob | None:
        return self.jobs.get(run_id)

    def position(self, run_id: str) -> int:
        """1-based place in the queue, in the order jobs will really start; 0 when not queued."""
        with self.lock:
            order = [j.run_id for j in self._fair_order()]
        return order.index(run_id) + 1 if run_id in order else 0

    def touch(self, run_id: str) -> None:
        """A page still watches this job (jobs nobody watches for `orphan_seconds` are stopped or dropped)."""
        job = self.jobs.get(run_id)
        if job is not None:
            job.last_seen = time.time()

    def stop(self, run_id: str, *, message: str = "") -> None:
        message = message or t("jobs.stopped_by_user")
        with self.lock:
            job = self.jobs.get(run_id)
            if job is None or job.ended_here:
                return
            if job.status == "queued":
                job.apply({"type": "stopped", "message": message})
                self._persist_end(job, 0.0)
                return
            job.message = message
            job.stop_requested = job.stop_requested or time.time()
        self._wake.set()

    def shutdown(self) -> None:
        """Kill every worker, save what is pending (a few tries), release the executor."""
        self._closed.set()
        self._wake.set()
        self._pump.join(10)
        with self.lock:
            workers = [j.worker for j in self.jobs.values() if j.worker is not None]
        for worker in workers:
            worker.close()
        self.executor.close()
        for _ in range(3):
            if self._flush():
                break
            time.sleep(0.2)

    # --- the pump: takes events in, starts queued jobs, enforces stops and budgets, notices deaths ------
    def _run_pump(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(0.2)
            self._wake.clear()
            try:
                self.pump()
            except Exception:  # the pump must outlive any single job's trouble
                log.exception("job pump")

    def pump(self, timeout: float = 30.0) -> None:
        """One round (pages call it to see the latest events; it waits for a round already under way)."""
        if not self._pumping.acquire(timeout=timeout):
            return
        try:
            if not self._closed.is_set() or threading.current_thread() is not self._pump:
                self._round()
        finally:
            self._pumping.release()

    def _round(self) -> None:
        now = time.time()
        with self.lock:
            active = [j for j in self.jobs.values() if j.worker is not None and not j.ended_here]
        for job in active:
            self._take_events(job)
            if not job.ended_here:
                self._police(job, now)
            if not job.ended_here and not job.worker.alive():
                self._take_events(job)
                if not job.ended_here:
                    self._died(job)
        self._drop_orphans(now)
        self._start_queued()
        self._release_ended()
        keep_warm = getattr(self.executor, "keep_warm", None)
        if keep_warm is not None and not self._closed.is_set():
            with self.lock:
                busy = sum(1 for j in self.jobs.values() if j.status in ("starting", "running"))
                waiting = any(j.status == "queued" for j in self.jobs.values())
            keep_warm(1 if waiting else self.max_workers - busy)  # one in reserve for the next queued job
        self._flush()

    def _take_events(self, job: TrainingJob) -> None:
        for event in job.worker.poll():
            kind = event.get("type")
            with self.lock:
                job.apply(event)
            if kind == "started":
                if event.get("streamlit"):
                    log.warning("run %s: its worker has streamlit loaded; workers should import only slstm", job.run_id)
                identity, device = job.worker.identity(), event.get("device", "CPU")
                self._persist(lambda i=identity: self.store.set_owner(job.run_id, owner=self.owner, worker=i))
                message = t("jobs.training_on", device=device)
                self._persist(lambda m=message: self.store.set_status(job.run_id, "running", message=m))
            elif kind == "epoch":
                e = event
                self._persist(lambda e=e: self.store.add_epoch(job.run_id, e["epoch"], e["logs"], e["seconds"]))
            elif kind == "artifact":
                name, data = event["name"], event["data"]
                self._persist(lambda n=name, d=data: self.store.write_file(job.run_id, n, d))
            elif kind in TERMINAL:
                if event.get("metrics") is not None:
                    self._persist(lambda m=event["metrics"]: self.store.set_metrics(job.run_id, m))
                if kind == "stopped" and job.stop_requested and job.message != event.get("message"):
                    job.message = f"{job.message} {t('jobs.every_epoch_kept')}"
                self._persist_end(job, time.time() - (job.started or time.time()))

    def _police(self, job: TrainingJob, now: float) -> None:
        """Orphans, wall time and memory; the stop message, then the kill when the grace is over."""
        if job.stop_requested is None:
            if now - job.last_seen > self.orphan_seconds:
                self.stop(job.run_id, message=t("jobs.unwatched"))
            elif job.started and now - job.started > self.max_seconds:
                self.stop(
                    job.run_id,
                    message=t("jobs.time_limit", seconds=f"{self.max_seconds:g}"),
                )
        memory = job.worker.memory_bytes()
        if memory is not None and memory > self.memory_bytes and not job.kill_reason:
            job.kill_reason = t("jobs.memory_limit", megabytes=f"{self.memory_bytes / 2**20:,.0f}")
            job.worker.kill()
        if job.stop_requested and job.stop_sent is None:
            job.stop_sent = now
            job.worker.stop()
        elif job.stop_sent and now - job.stop_sent > STOP_GRACE_SECONDS and job.worker.alive():
            job.worker.kill()

    def _died(self, job: TrainingJob) -> None:
        if job.kill_reason:
            status, message = "failed", job.kill_reason
        elif job.stop_requested:
            status, message = "stopped", job.message or t("jobs.stopped_by_user")
        else:
            status, code = "failed", job.worker.exitcode()
            message = t("jobs.exit_code", code=code) if code is not None else t("jobs.worker_lost")
        message += " " + t("jobs.epochs_kept", count=job.epochs_seen)
        with self.lock:
            job.apply({"type": status, "message": message})
            job.message = message
        self._persist_end(job, time.time() - (job.started or time.time()))

    def _drop_orphans(self, now: float) -> None:
        with self.lock:
            queued = [j for j in self.jobs.values() if j.status == "queued" and now - j.last_seen > self.orphan_seconds]
        for job in queued:
            self.stop(job.run_id, message=t("jobs.unwatched_queue"))

    def _fair_order(self) -> list[TrainingJob]:
        """Queued jobs in the order they will start: each turn goes to the workspace with the fewest jobs
        training (counting the turns already given), then to the one served least recently, then to the oldest
        job."""
        busy = Counter(j.workspace for j in self.jobs.values() if j.status in ("starting", "running"))
        served = dict(self._served)
        lines: dict[str, deque[TrainingJob]] = {}
        for job in sorted((j for j in self.jobs.values() if j.status == "queued"), key=lambda j: j.submitted):
            lines.setdefault(job.workspace, deque()).append(job)
        order = []
        while lines:
            workspace = min(lines, key=lambda w: (busy[w], served.get(w, 0.0), lines[w][0].submitted))
            order.append(lines[workspace].popleft())
            busy[workspace] += 1
            served[workspace] = math.inf
            if not lines[workspace]:
                del lines[workspace]
        return order

    def _start_queued(self) -> None:
        if self._closed.is_set():
            return
        with self.lock:
            busy = sum(1 for j in self.jobs.values() if j.status in ("starting", "running"))
            chosen = self._fair_order()[: max(0, self.max_workers - busy)]
            for job in chosen:
                job.status, job.started = "starting", time.time()
                self._served[job.workspace] = job.started
                job.last_seen = job.started  # waiting in the queue does not count as abandoned
        for job in chosen:
            try:
                worker = self.executor.start(job.inputs)
            except Exception as exc:
                log.exception("starting run %s", job.run_id)
                with self.lock:
                    job.apply({"type": "failed", "message": t("jobs.could_not_start", kind=type(exc).__name__)})
                self._persist_end(job, 0.0)
                continue
            with self.lock:
                job.worker = worker

    def _release_ended(self) -> None:
        with self.lock:
            ended = [j for j in self.jobs.values() if j.ended_here and (j.worker is not None or j.inputs is not None)]
            for job in ended:
                job.inputs = None  # the table and the arrays go with it
            finished = [j for j in self.jobs.values() if j.done]
            for job in sorted(finished, key=lambda j: j.ended or 0)[: max(0, len(finished) - HISTORY)]:
                del self.jobs[job.run_id]
        for job in ended:
            if job.worker is not None:
                job.worker.close()
                job.worker = None

    # --- persistence: in order, with retry; the pool's state never waits for it --------------------------
    def _persist(self, write: Callable[[], None], then: Callable[[], None] | None = None) -> None:
        self._outbox.append((write, then))

    def _persist_end(self, job: TrainingJob, duration: float) -> None:
        status, message = job.status, job.message

        def saved() -> None:
            job.saved = True

        self._persist(lambda: self.store.set_status(job.run_id, status, message=message, duration=duration), saved)
        trim = self.store.trim_files  # oldest files first, once the end is on record (history and metrics stay)
        self._persist(
            lambda: trim(workspace=job.workspace, workspace_bytes=self.workspace_disk, server_bytes=self.server_disk)
        )

    def _flush(self) -> bool:
        """Write what is pending, oldest first; on a failure keep the rest for the next round. True when empty."""
        while self._outbox:
            write, then = self._outbox[0]
            try:
                write()
            except Exception as exc:
                if not self.store_error:
                    log.exception("saving runs")
                self.store_error = (
                    f"Runs cannot be saved right now ({type(exc).__name__}: {str(exc)[:120]}). Training goes on and "
                    f"the server keeps retrying; {len(self._outbox)} update(s) are waiting."
                )
                return False
            self._outbox.popleft()
            if then is not None:
                then()
        self.store_error = ""
        return True


def wait(pool: JobPool, run_id: str, *, timeout: float = math.inf, every: float = 0.1) -> TrainingJob | None:
    """Block until the job is done (its end saved) or `timeout` seconds pass; for the CLI and tests."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        pool.pump()
        job = pool.get(run_id)
        if job is None or job.done:
            return job
        time.sleep(every)
    return pool.get(run_id)
