"""Training as jobs: each TrainingJob runs Keras fit in a spawned worker process and reports events over a
queue; JobPool runs a bounded number at once, queues the rest, stops what is asked or abandoned, and notices
workers that die. The worker writes every finished epoch to the RunStore, so nothing finished is lost."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from slstm.data import DataConfig
from slstm.spec import ArchitectureSpec
from slstm.train import TrainConfig

STOP_GRACE_SECONDS = 5.0  # a worker asked to stop is killed if it has not ended by then
TERMINAL = ("finished", "stopped", "failed")


@dataclass(frozen=True)
class JobInputs:
    """Everything a worker needs, picklable: the table (not the windows: views would pickle as full copies)."""

    run_id: str
    home: str
    frame: pd.DataFrame
    data_config: DataConfig
    spec: ArchitectureSpec
    train_config: TrainConfig
    threads: int = 1
    test_frame: pd.DataFrame | None = None


@dataclass
class TrainingJob:
    """The server's view of one job; updated from the worker's events by JobPool's pump thread."""

    inputs: JobInputs
    status: str = "queued"  # queued | starting | running | finished | stopped | failed
    epoch: int = 0
    batch: int = 0
    steps: int = 0
    message: str = ""
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    last_seen: float = field(default_factory=time.time)
    stop_requested: float | None = None
    process: Any = None
    events: Any = None
    stop_event: Any = None
    first_batch_at: float | None = None
    device: str = ""

    @property
    def run_id(self) -> str:
        return self.inputs.run_id

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def apply(self, event: dict) -> None:
        kind = event["type"]
        if kind == "started":
            self.status, self.device = "running", event.get("device", "")
        elif kind == "batch":
            self.epoch, self.batch, self.steps = event["epoch"], event["batch"], event["steps"]
            self.first_batch_at = self.first_batch_at or time.time()
        elif kind == "epoch":
            self.epoch, self.batch = event["epoch"], self.steps
        elif kind in TERMINAL:
            keep_reason = kind == "stopped" and self.stop_requested and self.message  # the server knows why
            self.status, self.ended = kind, time.time()
            self.message = self.message if keep_reason else event.get("message", "")


class JobPool:
    """At most `max_workers` jobs train at once; the rest wait in submission order."""

    def __init__(self, store, *, max_workers: int | None = None, orphan_seconds: float | None = None) -> None:
        cores = os.cpu_count() or 1
        self.store = store
        self.max_workers = max_workers or int(os.environ.get("SLSTM_MAX_JOBS", max(1, cores // 2)))
        self.orphan_seconds = orphan_seconds or float(os.environ.get("SLSTM_ORPHAN_SECONDS", 120))
        self.jobs: dict[str, TrainingJob] = {}
        self.lock = threading.RLock()
        self.context = mp.get_context("spawn")
        self._closed = threading.Event()
        self._pump = threading.Thread(target=self._run_pump, name="slstm-job-pump", daemon=True)
        self._pump.start()

    # --- what pages call ---------------------------------------------------------------------------
    def submit(self, inputs: JobInputs) -> TrainingJob:
        with self.lock:
            job = TrainingJob(inputs)
            self.jobs[inputs.run_id] = job
        self.pump()
        return job

    def get(self, run_id: str) -> TrainingJob | None:
        return self.jobs.get(run_id)

    def position(self, run_id: str) -> int:
        """1-based place in the queue, 0 when not queued."""
        with self.lock:
            waiting = [j.run_id for j in self.jobs.values() if j.status == "queued"]
        return waiting.index(run_id) + 1 if run_id in waiting else 0

    def touch(self, run_id: str) -> None:
        """A page still watches this job (jobs nobody watches for `orphan_seconds` are stopped)."""
        job = self.jobs.get(run_id)
        if job is not None:
            job.last_seen = time.time()

    def stop(self, run_id: str, *, message: str = "Stopped by the user.") -> None:
        with self.lock:
            job = self.jobs.get(run_id)
            if job is None or job.done:
                return
            if job.status == "queued":
                job.apply({"type": "stopped", "message": message})
                self.store.set_status(run_id, "stopped", message=message, duration=0.0)
                return
            job.message = message
            if job.stop_requested is None:
                job.stop_requested = time.time()
                job.stop_event.set()

    def shutdown(self) -> None:
        self._closed.set()
        with self.lock:
            for job in self.jobs.values():
                if job.process is not None and job.process.is_alive():
                    job.process.kill()

    # --- the pump: drains events, starts queued jobs, enforces stops, notices deaths ---------------------
    def _run_pump(self) -> None:
        while not self._closed.wait(0.2):
            try:
                self.pump()
            except Exception:  # the pump must outlive any single job's trouble
                import logging

                logging.getLogger(__name__).exception("job pump")

    def pump(self) -> None:
        now = time.time()
        with self.lock:
            for job in self.jobs.values():
                if job.process is None or job.done:
                    continue
                self._drain(job)
                if job.done:
                    continue
                if job.stop_requested and now - job.stop_requested > STOP_GRACE_SECONDS and job.process.is_alive():
                    job.process.kill()
                    job.process.join(1)
                if not job.process.is_alive():
                    self._drain(job)
                    if not job.done:
                        self._died(job)
                elif now - job.last_seen > self.orphan_seconds and not job.stop_requested:
                    self.stop(job.run_id, message="Stopped: nobody was watching it any more.")
            running = sum(1 for j in self.jobs.values() if j.status in ("starting", "running"))
            for job in [j for j in self.jobs.values() if j.status == "queued"]:
                if running >= self.max_workers:
                    break
                self._start(job)
                running += 1

    def _start(self, job: TrainingJob) -> None:
        job.events, job.stop_event = self.context.Queue(), self.context.Event()
        inputs = job.inputs
        threads = max(1, (os.cpu_count() or 1) // self.max_workers)
        if inputs.threads != threads:
            inputs = JobInputs(**{**inputs.__dict__, "threads": threads})
        job.process = self.context.Process(
            target=work, args=(inputs, job.events, job.stop_event), name=f"slstm-train-{job.run_id}", daemon=True
        )
        job.status, job.started = "starting", time.time()
        job.last_seen = job.started  # waiting in the queue does not count as abandoned
        job.process.start()

    def _drain(self, job: TrainingJob) -> None:
        while True:
            try:
                event = job.events.get_nowait()
            except (queue.Empty, EOFError, OSError):
                return
            job.apply(event)
            if event["type"] == "stopped" and job.message != event.get("message"):
                self.store.set_status(job.run_id, "stopped", message=f"{job.message} Every finished epoch is kept.")

    def _died(self, job: TrainingJob) -> None:
        code = job.process.exitcode
        if job.stop_requested:
            status, message = "stopped", job.message or "Stopped by the user."
        else:
            status, message = "failed", f"The training process ended unexpectedly (exit code {code})."
        run = self.store.get(job.run_id)
        if run is not None:
            message += f" Its {run.epochs_done} finished epoch(s) are kept."
        self.store.set_status(job.run_id, status, message=message, duration=time.time() - (job.started or time.time()))
        job.apply({"type": status, "message": message})


def work(inputs: JobInputs, events, stop_event) -> None:
    """The worker process: train, write each epoch to the store, report events. Never touches Streamlit."""
    from slstm.worker import run_job

    run_job(inputs, events, stop_event)
