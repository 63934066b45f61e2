"""The executor seam: how the job pool reaches workers. A job is started from picklable JobInputs; its events
are polled; it can be asked to stop and be killed. Local worker processes are the default; Ray
(`SLSTM_EXECUTOR=ray`) runs the same worker code on a cluster. Nothing above the pool knows which one runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from slstm.errors import SlstmError

if TYPE_CHECKING:
    import pandas as pd

    from slstm.data import DataConfig
    from slstm.spec import ArchitectureSpec
    from slstm.train import TrainConfig

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class JobInputs:
    """Everything a worker needs, picklable: the table (not the windows: views would pickle as full copies)."""

    run_id: str
    workspace: str
    frame: pd.DataFrame
    data_config: DataConfig
    spec: ArchitectureSpec
    train_config: TrainConfig
    threads: int = 1
    test_frame: pd.DataFrame | None = None


class WorkerHandle(Protocol):
    """One job's worker as the pool sees it. Only the pool's pump thread calls these."""

    def poll(self) -> list[dict]:
        """Events the worker sent since the last poll, in order (never blocks)."""

    def stop(self) -> None:
        """Ask the worker to end after its current batch (it still reports what it finished)."""

    def kill(self) -> None:
        """End the worker now."""

    def alive(self) -> bool:
        """False once the worker is gone (ended, killed or lost)."""

    def exitcode(self) -> int | None:
        """The worker's exit code once it is gone (None while alive or where unknown)."""

    def memory_bytes(self) -> int | None:
        """The worker's resident memory, where the executor can tell (else None)."""

    def identity(self) -> str:
        """Where the worker runs, e.g. 'host:pid:start' (recorded with the run)."""

    def close(self) -> None:
        """Release the worker's process, pipes and data; safe to call twice."""


class Executor(Protocol):
    name: str

    def capacity(self) -> int:
        """How many jobs may train at once (local cores, or cluster CPUs / CPUs per job)."""

    def start(self, inputs: JobInputs) -> WorkerHandle:
        """Start training `inputs` (inputs.threads is the job's CPU share) and return its handle."""

    def close(self) -> None:
        """Kill every worker and release what the executor holds."""


def make_executor(name: str | None = None, *, max_workers: int | None = None) -> Executor:
    """The executor named by `name` or $SLSTM_EXECUTOR: 'local' (default) or 'ray'."""
    name = (name or os.environ.get("SLSTM_EXECUTOR") or "local").strip().lower()
    if name == "local":
        from slstm.executors.local import LocalExecutor

        return LocalExecutor(max_workers=max_workers)
    if name == "ray":
        try:
            from slstm.executors.ray import RayExecutor
        except ImportError as exc:
            raise SlstmError(
                f"SLSTM_EXECUTOR=ray needs Ray ({exc}); install it with: pip install -r requirements-ray.txt"
            ) from None
        return RayExecutor(max_workers=max_workers)
    raise SlstmError(f"Received SLSTM_EXECUTOR={name!r}; expected one of {', '.join(EXECUTORS)}.")
