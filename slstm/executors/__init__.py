"""The executor seam: how the job pool reaches workers. A job is started from picklable JobInputs; its events
are polled; it can be asked to stop and be killed. Local worker processes are the default; Ray
(`SLSTM_EXECUTOR=ray`) runs the same worker code on a cluster. Nothing above the pool knows which one runs."""

from __future__ import annotations

import os

from slstm.errors import SlstmError
from slstm.executors.base import Executor, JobInputs, WorkerHandle

__all__ = ["EXECUTORS", "Executor", "JobInputs", "WorkerHandle", "make_executor"]

EXECUTORS = ("local", "ray")


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
