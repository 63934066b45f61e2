"""What training as a job costs over plain Keras: seconds per epoch through a TrainingJob against plain model.fit.

The workload: a synthetic table of windows + 48 rows x 8 float32 columns (target c0), DataConfig(lookback=48,
horizon=1, val_fraction=0, test_fraction=0, scaling="standard"), so the training split has exactly `windows`
windows (20 000 by default) and there is no validation or test split; lstm_stack(64, 64) (LSTM 64 -> LSTM 64 ->
Dense 1), Adam 1e-3, batch 128, one warm-up epoch (not counted) then `epochs` timed epochs (3 by default).

Measured alternately in one run, each in a fresh process (the job gets one too), `rounds` times:
  job    JobPool(store, max_workers=1) on a temp SLSTM_HOME; epoch seconds from store.history(run_id)["seconds"]
         (the worker times on_epoch_begin -> on_epoch_end, before its own store write and weight saves), and the
         wall time between epoch events as the server receives them (which includes those writes);
  plain  a subprocess: the worker's own TF set-up (_configure_tensorflow: same intra/inter-op threads, same seed),
         build_model, compile_for, model.fit on np.ascontiguousarray(train.x) with one epoch-timing callback;
  fit    (attribution) a subprocess running slstm.train.fit, i.e. the job's callbacks (TerminateOnNaN and the
         per-batch Progress hook) without the worker's process, queue, store or weight files.
Prints the median seconds per epoch (over rounds and timed epochs), job / plain (the target is <= 1.05), the time
from submit to the job's first finished batch with its parts, and per-epoch overhead sources measured alone.
Each epoch also gets the CPU seconds other processes took meanwhile (from /proc): medians are given over all epochs
and over the clean ones. Slow epochs also come without any (a shared host, presumably), and they hit every side:
the fastest-epoch line and the wall minus recorded seconds of the job (its store write and weight saves) are the
figures least moved by them.

Run: TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 python -m bench.train_overhead [--rounds 2] [--epochs 3]
     [--windows 20000] [--variants job,plain,fit]
"""

from __future__ import annotations

# ruff: noqa: E402  (the clock starts before the imports: a child's start-up is measured)
import time

_T0 = time.time()  # first thing: a child's interpreter start is measured up to here

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from slstm.data import DataConfig
from slstm.spec import lstm_stack
from slstm.train import TrainConfig

LOOKBACK, FEATURES, UNITS, BATCH, WARMUP, SEED = 48, 8, (64, 64), 128, 1, 0
WORKSPACE = "benchws01"
CLEAN = 0.05  # an epoch is clean when other processes took under this share of one core during it


def workload(windows: int) -> tuple[pd.DataFrame, DataConfig]:
    """windows + LOOKBACK rows: with horizon 1 and no validation/test rows that is exactly `windows` windows."""
    rows = windows + LOOKBACK
    rng = np.random.default_rng(SEED)
    t = np.arange(rows, dtype="float64")[:, None]
    periods = np.array([24, 168, 12, 50, 7, 100, 36, 240], dtype="float64")[:FEATURES]
    values = np.sin(2 * np.pi * t / periods) + 0.1 * rng.standard_normal((rows, FEATURES))
    frame = pd.DataFrame(values.astype("float32"), columns=[f"c{i}" for i in range(FEATURES)])
    config = DataConfig(
        tuple(frame.columns),
        ("c0",),
        lookback=LOOKBACK,
        val_fraction=0.0,
        test_fraction=0.0,
        scaling="standard",
        task="regression",
    )
    return frame, config


def train_config(epochs: int) -> TrainConfig:
    return TrainConfig(epochs=WARMUP + epochs, batch_size=BATCH, learning_rate=1e-3, optimizer="adam", seed=SEED)


def cpu_snapshot(pids: list[int]) -> tuple[float, float, float]:
    """(wall clock, busy CPU seconds of the whole machine, CPU seconds of `pids`) from /proc; NaNs elsewhere.

    Between two snapshots, busy minus own is what other processes (and the hypervisor's steal) took: the other
    engineers' tests on a shared 2-core machine, which this bench cannot stop but can see."""
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in f.readline().split()[1:9])
        own = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()  # fields from the 3rd on: utime, stime are 14th, 15th
            own += int(rest[11]) + int(rest[12])
    except (OSError, ValueError, IndexError):
        return time.perf_counter(), math.nan, math.nan
    return time.perf_counter(), (user + nice + system + irq + softirq + steal) / hz, own / hz


def per_epoch(snaps: list[tuple[float, float, float]]) -> tuple[list[float], list[float]]:
    """Epoch-to-epoch wall seconds and other processes' CPU seconds, from snapshots at each epoch's end."""
    pairs = list(zip(snaps, snaps[1:], strict=False))[WARMUP - 1 :]
    return [b[0] - a[0] for a, b in pairs], [(b[1] - a[1]) - (b[2] - a[2]) for a, b in pairs]


# --- the child process: plain model.fit ("plain") or slstm.train.fit ("fit") --------------------------------------
def child(kind: str, epochs: int, windows_n: int, threads: int, loops: int) -> dict:
    marks = {"start": _T0}
    from slstm.data import prepare
    from slstm.model import build_model
    from slstm.train import compile_for, fit
    from slstm.worker import configure_tensorflow

    marks["imports"] = time.time()
    configure_tensorflow(threads)  # the worker's own: same threads, same seed
    import keras

    keras.utils.set_random_seed(SEED)
    from tensorflow.config import threading

    marks["tf"] = time.time()
    frame, data_config = workload(windows_n)
    config = train_config(epochs)
    marks["frame"] = time.time()
    windows = prepare(frame, data_config)
    marks["prep"] = time.time()
    model = build_model(lstm_stack(*UNITS), windows.shape)
    marks["build"] = time.time()
    tmp = tempfile.TemporaryDirectory()
    folder = Path(tmp.name)
    model.save_weights(folder / "initial.weights.h5")  # the worker does this before fit
    marks["initial_weights"] = time.time()
    seconds: list[float] = []
    ends: list[tuple[float, float, float]] = []
    first: list[float] = []
    me = [os.getpid()]
    if kind == "plain":

        class EpochTimer(keras.callbacks.Callback):  # epoch hooks only: Keras keeps its async batch dispatch
            def on_epoch_begin(self, epoch, logs=None):
                self.started = time.perf_counter()

            def on_train_batch_begin(self, batch, logs=None):
                if batch == 1 and not first:  # the first batch has finished
                    first.append(time.time())

            def on_epoch_end(self, epoch, logs=None):
                ends.append(cpu_snapshot(me))
                seconds.append(ends[-1][0] - self.started)

        marks["fit_called"] = time.time()
        compile_for(model, windows, config)
        x, y = np.ascontiguousarray(windows.train.x), windows.train.y
        model.fit(x, y, epochs=config.epochs, batch_size=BATCH, shuffle=True, callbacks=[EpochTimer()], verbose=0)
    else:

        def on_batch(epoch: int, batch: int, steps: int) -> None:
            if batch == 1 and not first:
                first.append(time.time())

        def on_epoch(log) -> None:
            ends.append(cpu_snapshot(me))
            seconds.append(log.seconds)

        marks["fit_called"] = time.time()
        fit(model, windows, config, on_epoch=on_epoch, on_batch=on_batch)
    marks["first_batch"] = first[0]
    walls, foreign = per_epoch(ends)
    out = {
        "seconds": seconds[WARMUP:],
        "walls": walls,
        "foreign": foreign,
        "marks": marks,
        "threads": [threading.get_intra_op_parallelism_threads(), threading.get_inter_op_parallelism_threads()],
        "steps": -(-len(windows.train) // BATCH),
        "train_windows": len(windows.train),
    }
    if loops:
        out["overhead"] = overhead(model, folder, loops)
    tmp.cleanup()
    return out


def overhead(model, folder: Path, loops: int) -> dict:
    """The worker's per-epoch and per-batch extras, each alone: median seconds per call."""
    import multiprocessing as mp

    from slstm.runs import RunStore

    def per_call(fn, n: int) -> float:
        times = []
        for i in range(n):
            t = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    logs = {"loss": 0.123, "mae": 0.234}
    with RunStore(folder / "home") as store:
        run = store.create_run(workspace=WORKSPACE, spec={}, data_config={}, train_config={})
        add_epoch = per_call(lambda i: store.add_epoch(run.id, i + 1, logs, 1.0), loops)
    save = per_call(lambda i: model.save_weights(folder / "last.weights.h5"), loops)
    ctx = mp.get_context("spawn")
    stop_event, events = ctx.Event(), ctx.Queue()
    state = {"last": 0.0}

    def on_batch(i: int) -> None:  # the worker's on_batch, event throttle included (sends about 1 in 1000 here)
        if stop_event.is_set():
            pass
        now = time.monotonic()
        if now - state["last"] >= 0.25:
            state["last"] = now
            events.put({"type": "batch", "epoch": 1, "batch": i, "steps": 157})

    n = 20_000
    t = time.perf_counter()
    for i in range(n):
        on_batch(i)
    batch_hook = (time.perf_counter() - t) / n
    put = per_call(lambda i: events.put({"type": "epoch", "epoch": i, "logs": logs, "seconds": 1.0}), 50)
    events.cancel_join_thread()
    return {"add_epoch": add_epoch, "save_weights": save, "batch_hook": batch_hook, "put": put}


# --- the parent: the job, and the children -------------------------------------------------------------------------
def run_job(epochs: int, windows_n: int) -> dict:
    from slstm.jobs import JobInputs, JobPool
    from slstm.runs import RunStore

    frame, data_config = workload(windows_n)
    config = train_config(epochs)
    spec = lstm_stack(*UNITS)
    with tempfile.TemporaryDirectory() as home:
        os.environ["SLSTM_HOME"] = home
        store = RunStore(home)
        pool = JobPool(store, max_workers=1)
        run = store.create_run(workspace=WORKSPACE, spec=spec.to_dict(), data_config={}, train_config=config.to_dict())
        inputs = JobInputs(run.id, WORKSPACE, frame, data_config, spec, config)
        received: dict[str, list[float]] = {"started": [], "epoch": []}
        ends: list[tuple[float, float, float]] = []
        job = pool.submit(inputs)
        original, worker_pid = job.apply, []

        def apply(event: dict) -> None:
            received.setdefault(event["type"], []).append(time.time())
            if event["type"] == "started":
                worker_pid.append(event["pid"])
            if event["type"] == "epoch":  # this process (pump) and the worker are "own"; the rest is foreign
                ends.append(cpu_snapshot([os.getpid(), worker_pid[0]]))
            original(event)

        job.apply = apply
        while job.first_batch_at is None and not job.done:  # near-tight: 1 ms resolution on the start-up figures
            pool.pump()
            time.sleep(0.001)
        while not job.done:  # epoch events to 5 ms without taking a core from the worker
            pool.pump()
            time.sleep(0.005)
        pool.shutdown()
        if job.status != "finished":
            raise SystemExit(f"the job ended {job.status}: {job.message}")
        history = store.history(run.id)
        walls, foreign = per_epoch(ends)
        out = {
            "seconds": history["seconds"][WARMUP:],
            "walls": walls,
            "foreign": foreign,
            "marks": {"submitted": job.submitted, "spawned": job.started, "started": received["started"][0]},
            "first_batch": job.first_batch_at,
        }
        store.close()
    return out


def run_child(kind: str, args: argparse.Namespace, threads: int, loops: int) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bench.train_overhead",
        "--child",
        kind,
        "--epochs",
        str(args.epochs),
        "--windows",
        str(args.windows),
    ]
    cmd += ["--threads", str(threads), "--loops", str(loops)]
    popen = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), cwd=Path(__file__).parents[1])
    if done.returncode:
        raise SystemExit(f"the {kind} child failed:\n{done.stderr[-4000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["marks"]["popen"] = popen
    return out


def med(values) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs, after one warm-up epoch")
    parser.add_argument("--windows", type=int, default=20_000)
    parser.add_argument("--variants", default="job,plain,fit", help="comma-separated, of job, plain, fit")
    parser.add_argument("--loops", type=int, default=20, help="calls per overhead micro-measure (0: skip)")
    parser.add_argument("--child", choices=("plain", "fit"), help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.epochs, args.windows, args.threads, args.loops)))
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    cores = os.cpu_count() or 1
    threads = max(1, cores // 1)  # what JobPool(max_workers=1) gives its worker
    steps = -(-args.windows // BATCH)
    print(
        f"{args.windows:,} windows x {LOOKBACK} steps x {FEATURES} features ({args.windows + LOOKBACK:,} rows x "
        f"{FEATURES} float32 columns, target c0; lookback {LOOKBACK}, horizon 1, val_fraction 0, test_fraction 0, "
        f"standard scaling)"
    )
    print(
        f"{lstm_stack(*UNITS).short()}, Adam 1e-3, batch {BATCH} ({steps} steps/epoch), {WARMUP} warm-up + "
        f"{args.epochs} timed epochs, {args.rounds} round(s) of {', '.join(variants)}"
    )
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{cores} cores; TF intra-op {threads}, inter-op {max(1, min(2, threads))} on every side "
        f"(JobPool(max_workers=1) -> worker._configure_tensorflow); TF_ENABLE_ONEDNN_OPTS={onednn}; load {load}"
    )
    results: dict[str, list[dict]] = {v: [] for v in variants}
    width = max(24, 7 * args.epochs + 3)
    print(
        f"\n{'round':<7}{'variant':<9}{'recorded epoch s':<{width}}{'epoch-to-epoch wall s':<{width}}"
        f"other processes' CPU s per epoch"
    )
    for r in range(1, args.rounds + 1):
        for v in variants:
            loops = args.loops if (v == "plain" and r == args.rounds) else 0
            res = run_job(args.epochs, args.windows) if v == "job" else run_child(v, args, threads, loops)
            results[v].append(res)
            cols = [" ".join(f"{x:6.2f}" for x in res[key]) for key in ("seconds", "walls", "foreign")]
            print(f"{r:<7}{v:<9}{cols[0]:<{width}}{cols[1]:<{width}}{cols[2]}", flush=True)

    labels = {
        "job": "job: TrainingJob (store.history seconds)",
        "plain": "plain: model.fit, subprocess",
        "fit": "fit: slstm.train.fit, subprocess (job's callbacks)",
    }
    epochs_of = {
        v: [e for res in results[v] for e in zip(res["seconds"], res["walls"], res["foreign"], strict=True)]
        for v in variants
    }
    clean_of = {v: [e for e in epochs_of[v] if not e[2] > CLEAN * e[1]] for v in variants}  # NaN (no /proc): clean
    base = "plain" if "plain" in variants else variants[0]
    print(
        f"\nseconds per epoch, median over {args.rounds} round(s) x {args.epochs} epoch(s): all epochs, and the clean "
        f"ones (other processes took under {CLEAN:.0%} of a core)"
    )
    print(
        f"{'':<52}{'all: epoch s':>13}{'/ ' + base:>9}{'wall s':>8}{'/ ' + base:>9}   clean: n{'epoch s':>9}"
        f"{'/ ' + base:>9}{'wall s':>8}{'/ ' + base:>9}"
    )
    per, wall = {}, {}
    for name, epochs in (("all", epochs_of), ("clean", clean_of)):
        for v in variants:
            per[name, v] = med([e[0] for e in epochs[v]]) if epochs[v] else math.nan
            wall[name, v] = med([e[1] for e in epochs[v]]) if epochs[v] else math.nan
    for v in variants:
        row = f"{labels[v]:<52}    "
        for name in ("all", "clean"):
            if name == "clean":
                row += f"{len(clean_of[v]):>11}"
            row += f"{per[name, v]:>9.3f}{per[name, v] / per[name, base]:>9.3f}"
            row += f"{wall[name, v]:>8.3f}{wall[name, v] / wall[name, base]:>9.3f}"
        print(row)
    enough = all(len(clean_of[v]) >= 2 for v in variants)
    pick = "clean" if enough else "all"
    per = {v: per[pick, v] for v in variants}
    wall = {v: wall[pick, v] for v in variants}
    if "job" in variants and "plain" in variants:
        ratio = per["job"] / per["plain"]
        verdict = "within" if ratio <= 1.05 else "ABOVE"
        by_wall = wall["job"] / wall["plain"]
        print(
            f"job / plain = {ratio:.3f} ({verdict} the 1.05 target) on {pick} epochs; by epoch-to-epoch wall "
            f"{by_wall:.3f}"
        )
    fastest = {v: min(e[0] for e in epochs_of[v]) for v in variants}
    spread = {v: max(e[0] for e in epochs_of[v]) / fastest[v] - 1 for v in variants}
    print(
        "fastest epoch: "
        + ", ".join(f"{v} {fastest[v]:.2f} s (slowest +{spread[v]:.0%})" for v in variants)
        + (f"; job / plain {fastest['job'] / fastest['plain']:.3f}" if {"job", "plain"} <= set(variants) else "")
    )

    if "job" in variants:
        jobs = results["job"]
        total = med([j["first_batch"] - j["marks"]["submitted"] for j in jobs])
        spawn = med([j["marks"]["spawned"] - j["marks"]["submitted"] for j in jobs])
        boot = med([j["marks"]["started"] - j["marks"]["spawned"] for j in jobs])
        rest = med([j["first_batch"] - j["marks"]["started"] for j in jobs])
        print(f"\njob: submit -> first finished batch {total:.2f} s (median of {len(jobs)}), of which")
        print(f"  submit -> process.start() called                               {spawn:7.3f} s")
        print(f"  spawn + unpickle inputs + imports + TF set-up -> 'started' event {boot:7.3f} s")
        print(f"  prepare + build + initial weights + compile + first step      {rest:7.3f} s")
    for v in [v for v in variants if v != "job"]:
        kids = results[v]
        print(f"{v}: the child's TF intra/inter-op threads {kids[0]['threads'][0]}/{kids[0]['threads'][1]}")
        steps_ = [
            ("interpreter start (popen -> first line)", "popen", "start"),
            ("imports (numpy, pandas, slstm)", "start", "imports"),
            ("TF import + _configure_tensorflow", "imports", "tf"),
            ("prepare()", "frame", "prep"),
            ("build_model", "prep", "build"),
            ("initial save_weights", "build", "initial_weights"),
            ("compile + first step (trace)", "fit_called", "first_batch"),
        ]
        total = med([k["marks"]["first_batch"] - k["marks"]["popen"] for k in kids])
        print(f"{v}: popen -> first finished batch {total:.2f} s (median of {len(kids)}), of which")
        for label, a, b in steps_:
            print(f"  {label:<62}{med([k['marks'][b] - k['marks'][a] for k in kids]):7.3f} s")

    plain = [res for res in results.get("plain", []) if "overhead" in res]
    if plain:
        o = plain[-1]["overhead"]
        steps_n = plain[-1]["steps"]
        base_s = per["plain"]
        epoch_cost = o["add_epoch"] + 2 * o["save_weights"] + o["put"]
        batch_cost = o["batch_hook"] * steps_n
        print(f"\nper-epoch extras of the worker, each measured alone ({args.loops} calls, median):")
        hook = f"on_batch hook ({o['batch_hook'] * 1e6:.1f} us) x {steps_n} steps"
        print(f"  {'store.add_epoch':<56}{o['add_epoch'] * 1e3:8.2f} ms")
        print(f"  {'model.save_weights (last, and best when it improves)':<56}{o['save_weights'] * 1e3:8.2f} ms x 2")
        print(f"  {'events.put (the epoch event)':<56}{o['put'] * 1e6:8.1f} us")
        print(f"  {hook:<56}{batch_cost * 1e3:8.2f} ms")
        total_cost = epoch_cost + batch_cost
        print(
            f"  sum {total_cost * 1e3:.1f} ms per epoch = {total_cost / base_s:.1%} of a plain epoch "
            f"(only the on_batch part is inside the job's recorded epoch seconds)"
        )
        if "job" in variants:
            print(
                f"  observed: job - plain = {(per['job'] - per['plain']) * 1e3:+.0f} ms per epoch (recorded seconds), "
                f"{(wall['job'] - wall['plain']) * 1e3:+.0f} ms (epoch-to-epoch wall)"
            )
        if "fit" in variants:
            print(
                f"  fit - plain = {(per['fit'] - per['plain']) * 1e3:+.0f} ms per epoch: the job's callbacks alone "
                f"(TerminateOnNaN, Progress: batch-end hooks, which turn off Keras' async batch-end dispatch)"
            )
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
