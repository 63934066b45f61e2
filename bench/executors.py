"""The same 8-cell depth x width sweep (depths 1,2 x units 8,16,32,64, on a sine with trend) on the local process
pool and on a local Ray cluster, in one run: wall time of each sweep (pool created, cells submitted, every end
saved), their ratio, and Ray's start-up cost (starting the local cluster). Both run `--cpus` jobs at once with one
thread each. On one machine Ray may be a little slower; the point is that the same sweep scales out to a cluster.

Run: python -m bench.executors [--cpus N] [--epochs 2] [--rows 600]   (needs requirements-ray.txt)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import pandas as pd

from slstm import compare
from slstm.data import DataConfig, prepare
from slstm.jobs import JobPool
from slstm.results import config_dict
from slstm.runs import RunStore
from slstm.train import TrainConfig

DEPTHS, WIDTHS = [1, 2], [8, 16, 32, 64]
WORKSPACE = "benchexecutors"


def sweep(executor, rows: int, epochs: int) -> tuple[float, list[str]]:
    """Seconds from a new pool to the last cell's saved end; the cells' statuses."""
    t = np.arange(rows)
    frame = pd.DataFrame({"v": np.sin(2 * np.pi * t / 24) + 0.002 * t})
    data_config = DataConfig(("v",), ("v",), lookback=12)
    train = TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-2, seed=0, patience=None)
    cells = compare.plan_sweep(
        DEPTHS, WIDTHS, fingerprint=compare.fingerprint(config_dict(data_config), train.to_dict())
    )
    with tempfile.TemporaryDirectory() as home, RunStore(home) as store:
        began = time.perf_counter()
        pool = JobPool(store, executor=executor, orphan_seconds=float("inf"), max_queued=float("inf"))
        try:
            windows = prepare(frame, data_config)
            ids = compare.submit_sweep(
                store,
                pool,
                cells,
                workspace=WORKSPACE,
                frame=frame,
                data_config=data_config,
                train_config=train,
                windows=windows,
            )
            while not all(pool.get(i).done for i in ids):
                pool.pump()
                time.sleep(0.05)
            seconds = time.perf_counter() - began
        finally:
            pool.shutdown()
        return seconds, [store.get(i).status for i in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="jobs at once (default: all cores)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rows", type=int, default=600)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.pop("RAY_ADDRESS", None)  # a local cluster, like the local pool: one machine against itself

    from slstm.executors.local import LocalExecutor

    cells = len(DEPTHS) * len(WIDTHS)
    print(f"{cells}-cell sweep, {args.epochs} epoch(s) on {args.rows} rows, {args.cpus} job(s) at once", flush=True)
    local, statuses = sweep(LocalExecutor(max_workers=args.cpus), args.rows, args.epochs)
    print(f"local pool: {local:6.1f} s  ({', '.join(sorted(set(statuses)))})", flush=True)

    import ray

    from slstm.executors.ray import RayExecutor, init_ray

    began = time.perf_counter()
    init_ray(num_cpus=args.cpus)
    startup = time.perf_counter() - began
    try:
        remote, statuses = sweep(RayExecutor(), args.rows, args.epochs)
    finally:
        ray.shutdown()
    print(
        f"local Ray:  {remote:6.1f} s  ({', '.join(sorted(set(statuses)))}); starting the cluster took {startup:.1f} s"
    )
    print(
        f"Ray / local = {remote / local:.2f} for the sweep, {(remote + startup) / local:.2f} counting Ray's start-up "
        f"(paid once per server)"
    )


if __name__ == "__main__":
    main()
