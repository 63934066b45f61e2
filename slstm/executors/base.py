"""What every executor shares: the job's inputs and the two interfaces the pool talks to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from slstm.data import DataConfig
    from slstm.spec import ArchitectureSpec
    from slstm.train import TrainConfig


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
