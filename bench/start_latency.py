"""Start latency: submit -> first finished batch, for a warm pool (a worker process with TensorFlow already
imported, waiting) and for a cold spawn (a fresh process that imports TensorFlow after the job arrives), on the
reference workload of bench/train_overhead.py (20 000 windows of 48 x 8, LSTM 64 -> LSTM 64 -> Dense, batch 128).
Rounds alternate warm and cold in one run, so both meet the same machine.

Run: python -m bench.start_latency [--rounds 3] [--windows 20000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from bench.train_overhead import UNITS, WORKSPACE, train_config, workload
from slstm.executors.local import LocalExecutor
from slstm.jobs import JobInputs, JobPool
from slstm.runs import RunStore
from slstm.spec import lstm_stack


def one(warm: bool, windows: int) -> dict[str, float]:
    frame, data_config = workload(windows)
    spec, config = lstm_stack(*UNITS), train_config(1)
    with tempfile.TemporaryDirectory() as home, RunStore(home) as store:
        pool = JobPool(store, max_workers=1, executor=LocalExecutor(max_workers=1, warm=warm))
        try:
            if warm:  # the pool keeps a process ready while its slot is free: wait until it is
                deadline = time.time() + 120
                while not any(w.ready for w in pool.executor._spare) and time.time() < deadline:
                    pool.pump()
                    time.sleep(0.01)
            run = store.create_run(workspace=WORKSPACE, spec=spec.to_dict(), data_config={}, train_config={})
            marks: dict[str, float] = {}
            job = pool.submit(JobInputs(run.id, WORKSPACE, frame, data_config, spec, config))
            original = job.apply

            def apply(event: dict) -> None:
                marks.setdefault(event["type"], time.time())
                original(event)

            job.apply = apply
            while job.first_batch_at is None and not job.ended_here:
                pool.pump()
                time.sleep(0.001)
            if job.first_batch_at is None:
                raise SystemExit(f"the job ended {job.status}: {job.message}")
            out = {
                "first batch": job.first_batch_at - job.submitted,
                "to started": marks["started"] - job.submitted,
                "started to first batch": job.first_batch_at - marks["started"],
            }
            pool.stop(run.id)
        finally:
            pool.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--windows", type=int, default=20_000)
    args = parser.parse_args()
    results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for i in range(args.rounds):
        for warm in (True, False) if i % 2 == 0 else (False, True):
            results[warm].append(one(warm, args.windows))
            print(
                f"round {i + 1} {'warm' if warm else 'cold'}: "
                + ", ".join(f"{k} {v:.2f} s" for k, v in results[warm][-1].items()),
                flush=True,
            )
    med = {w: {k: statistics.median(r[k] for r in results[w]) for k in results[w][0]} for w in results}
    print(f"\nsubmit -> first finished batch, median of {args.rounds} rounds:")
    for key in med[True]:
        print(f"  {key:>24}: warm {med[True][key]:6.2f} s   cold {med[False][key]:6.2f} s")
    ratio = med[True]["first batch"] / med[False]["first batch"]
    print(f"warm / cold = {ratio:.2f} (warm is {1 / ratio:.1f}x faster to its first batch)")


if __name__ == "__main__":
    main()
