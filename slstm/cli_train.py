"""`python -m slstm train` and `python -m slstm data`: the app's data, job and run-store code, headless."""

from __future__ import annotations

import argparse
import json
import sys
import time

from slstm.cli_args import load_spec, patience_arg, positive_int
from slstm.errors import SlstmError
from slstm.executors import EXECUTORS, make_executor
from slstm.problems import check_job, validate

CLI_WORKSPACE = "command-line"
TARGET_FORM_HELP = (
    "predict the value, or the change from the last input value (auto: change when the training split trends)"
)
SCALING_HELP = "auto: standard; long format: per_sequence where sequences differ mostly in offset and scale"


def _columns(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip()) if text else ()


def load_table(path: str, missing: str):
    from slstm.data.read import Limits, apply_missing, read_csv

    table = read_csv(path, limits=Limits.from_env())
    return table if missing == "keep" else apply_missing(table, missing)[0]


def cmd_data(args: argparse.Namespace) -> int:
    from slstm.data.read import format_report, read_csv, report_to_dict

    table = read_csv(args.file)
    print(json.dumps(report_to_dict(table.report)) if args.json else format_report(table))
    return 0


def data_config(args: argparse.Namespace, table):
    """The CLI's DataConfig: the named columns, else the app's default roles (slstm.choice.default_roles)."""
    from slstm.choice import default_roles
    from slstm.data import DataConfig

    targets = _columns(args.target)
    missing = [c for c in (*targets, *_columns(args.features)) if c not in table.frame.columns]
    if missing:
        found = ", ".join(map(repr, table.frame.columns))
        raise SlstmError(f"Column(s) {', '.join(map(repr, missing))} are not in {args.csv!r}; it has {found}.")
    time_column = args.time_col or table.time_column
    numeric = [c for c in table.numeric_columns if c != time_column]
    columns = list(table.frame.columns)  # named features are never replaced; a missing one failed above
    features = (
        _columns(args.features) or default_roles(numeric, columns, target=targets[0], sequence_id=args.sequence_id)[1]
    )
    options = {"sequence_id": args.sequence_id} if args.sequence_id else {}
    return DataConfig(
        features,
        targets,
        time_column=time_column,
        lookback=args.lookback,
        horizon=args.horizon,
        target_form=getattr(args, "target_form", "auto"),
        scaling=getattr(args, "scaling", "auto"),
        **options,
    )


def data_choice(path: str, config) -> dict:
    """What the CLI's run records as its data choice: the file's digest (its bytes are not kept, as with an
    upload), the roles named or defaulted, and the settings that differ from the app's defaults."""
    import hashlib
    from pathlib import Path

    from slstm.choice import DEFAULTS, SETTINGS, DataChoice

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    settings = {k: getattr(config, k) for k in SETTINGS if getattr(config, k) != DEFAULTS.get(k)}
    choice = DataChoice.of(f"upload:{digest}", target=config.targets[0], features=config.features, **settings)
    return choice.to_dict()


def data_advice(table, windows) -> dict:
    """What to tell the user before training: the data's notes (an empty split and how to get one) and a
    lookback suggested by the series' own seasonality."""
    from slstm.defaults import suggest_lookback

    c, hint = windows.config, None
    if c.sequence_id is None and len(windows.train) and c.targets[0] in table.frame.columns:
        n_train = windows.train.rows[1]
        values = table.frame[c.targets[0]].iloc[:n_train]
        if values.dtype.kind in "fiu":
            hint = suggest_lookback(values.to_numpy("float64"), max_lag=max(n_train // 3, 1))
    return {"notes": list(windows.notes), "lookback_hint": hint}


def cmd_train(args: argparse.Namespace) -> int:
    from slstm.data import prepare
    from slstm.i18n import t
    from slstm.jobs import JobInputs, JobPool
    from slstm.results import config_dict
    from slstm.runs import RunStore
    from slstm.train import FEW_VAL_SEQUENCES, TrainConfig

    spec = load_spec(args.spec)
    table = load_table(args.csv, args.missing)
    test_table = load_table(args.test_csv, args.missing) if args.test_csv else None
    config = data_config(args, table)
    choice = data_choice(args.csv, config)
    kwargs = {"test_table": test_table.frame} if test_table is not None else {}
    windows = prepare(table.frame, config, **kwargs)  # fails here, fast, on bad data
    config = windows.config  # every "auto" resolved: the run records the choice made
    problem = next((p for p in validate(spec, windows.shape) if p.is_error), None)
    if problem:
        raise SlstmError(problem.message)
    check_job(spec, windows, args.epochs)  # the server's budgets, before a run is recorded
    advice = data_advice(table, windows)
    for note in advice["notes"]:
        print(f"note: {note}", file=sys.stderr)
    if advice["lookback_hint"] and advice["lookback_hint"] != config.lookback:
        print(
            f"hint: the series repeats every {advice['lookback_hint']} rows; try --lookback {advice['lookback_hint']}",
            file=sys.stderr,
        )
    train = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        patience=args.patience,
    ).resolved(windows)
    if args.patience == "auto" and train.patience is None:
        why = t("train.patience_off", "en", count=len(windows.val), limit=FEW_VAL_SEQUENCES, epochs=train.epochs)
        print(f"note: {why} Pass --patience N to stop early anyway.", file=sys.stderr)
    with RunStore() as store:
        run = store.create_run(
            workspace=CLI_WORKSPACE,
            spec=spec.to_dict(),
            data_config=config_dict(config),
            train_config=train.to_dict(),
            name=args.name or "",
            data_choice=choice,
        )
        executor = make_executor(args.executor, max_workers=1)
        pool = JobPool(store, max_workers=1, orphan_seconds=float("inf"), max_queued=float("inf"), executor=executor)
        try:
            job = pool.submit(
                JobInputs(
                    run.id,
                    CLI_WORKSPACE,
                    table.frame,
                    config,
                    spec,
                    train,
                    test_frame=None if test_table is None else test_table.frame,
                )
            )
            shown = 0
            while not job.done:
                time.sleep(0.1)
                pool.pump()
                history = store.history(run.id)
                for i in range(shown, len(history["epoch"])):
                    if not args.json:
                        logs = ", ".join(
                            f"{k} {history[k][i]:.4g}"
                            for k in history
                            if k not in ("epoch", "seconds") and history[k][i] is not None
                        )
                        print(f"epoch {history['epoch'][i]}/{train.epochs}: {logs}", file=sys.stderr)
                shown = len(history["epoch"])
        except KeyboardInterrupt:
            pool.stop(run.id)
            while not job.done:
                time.sleep(0.1)
                pool.pump()
        finally:
            pool.shutdown()
        run = store.get(run.id)
        history = store.history(run.id)
    from slstm.verdict import verdict

    judged = verdict(
        run.metrics, history, data_config=run.data_config, train_samples=len(windows.train), depth=len(spec.layers)
    )
    out = {
        "run_id": run.id,
        "status": run.status,
        "message": run.message,
        "task": run.metrics.get("task", getattr(windows, "task", "regression")),
        "input_shape": list(windows.input_shape),
        "epochs_run": run.epochs_done,
        "history": {k: v for k, v in history.items() if k != "epoch"},
        "metrics": {s: run.metrics[s]["model"] for s in ("val", "test") if s in run.metrics},
        "baselines": {
            s: {name: v for name, v in run.metrics[s].items() if name not in ("model", "confusion", "classes")}
            for s in ("val", "test")
            if s in run.metrics
        },
        "data_config": run.data_config,
        "train_config": run.train_config,  # as it trained: the batch size and patience the app chose, resolved
        "data_choice": run.data_choice,
        **advice,
        "verdict": judged,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{run.name} ({run.id}): {run.status}, {run.epochs_done} epochs. {run.message}")
        for split, values in out["metrics"].items():
            print(f"{split}: " + ", ".join(f"{k} {v:.4g}" for k, v in values.items()))
            for name, base in out["baselines"][split].items():
                print(f"  {name}: " + ", ".join(f"{k} {v:.4g}" for k, v in base.items()))
        print(judged["text"])
    return 0 if run.status in ("finished", "stopped") else 1


def cmd_sweep(args: argparse.Namespace) -> int:
    from slstm import compare
    from slstm.data import prepare
    from slstm.jobs import JobPool, wait
    from slstm.results import config_dict
    from slstm.runs import RunStore
    from slstm.train import TrainConfig

    depths, widths = _ints(args.depths, "--depths"), _ints(args.units, "--units")
    table = load_table(args.csv, args.missing)
    config = data_config(args, table)
    windows = prepare(table.frame, config)  # fails here, fast, on bad data
    train = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        patience=args.patience,
    ).resolved(windows)
    cells = compare.plan_sweep(depths, widths, fingerprint=compare.fingerprint(config_dict(config), train.to_dict()))
    with RunStore() as store:
        executor = make_executor(args.executor)  # the same sweep on local processes or on a Ray cluster
        pool = JobPool(store, orphan_seconds=float("inf"), max_queued=float("inf"), executor=executor)
        ids: list[str] = []
        try:
            ids = compare.submit_sweep(
                store,
                pool,
                cells,
                workspace=CLI_WORKSPACE,
                frame=table.frame,
                data_config=config,
                train_config=train,
                windows=windows,
            )
            while any((job := pool.get(i)) is not None and not job.done for i in ids):
                time.sleep(0.2)
                pool.pump()
        except KeyboardInterrupt:  # stop every cell, and wait until their ends (finished epochs kept) are saved
            for i in ids:
                pool.stop(i)
            for i in ids:
                wait(pool, i, timeout=30)
        finally:
            pool.shutdown()
        runs = store.list_runs(CLI_WORKSPACE)
        results = compare.sweep_results(cells, runs, {r.id: store.history(r.id) for r in runs})
    rows = results.drop(columns="key").to_dict(orient="records")
    if args.json:
        print(json.dumps({"cells": rows, "reading": compare.read_sweep(results)}, default=float))
    else:
        print(results.drop(columns="key").to_string(index=False))
        print(compare.read_sweep(results))
    return 0


def _ints(text: str, flag: str) -> list[int]:
    try:
        values = sorted({int(v) for v in text.split(",") if v.strip()})
    except ValueError:
        raise SlstmError(f"{flag}: expected whole numbers separated by commas, e.g. 1,2,3; got {text!r}.") from None
    if not values or min(values) < 1:
        raise SlstmError(f"{flag}: expected positive whole numbers, got {text!r}.")
    return values


def _data_arguments(parser) -> None:
    from slstm.train import AUTO_PATIENCE, FEW_VAL_SEQUENCES, TrainConfig  # NumPy only; TensorFlow stays unloaded

    defaults = TrainConfig()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--target", required=True, help="target column(s), comma-separated")
    parser.add_argument("--features", help="feature columns, comma-separated (default: every numeric column)")
    parser.add_argument("--time-col", help="time column (default: the one detected)")
    parser.add_argument("--sequence-id", help="long format: the column naming each sequence")
    parser.add_argument("--lookback", type=positive_int, default=24)
    parser.add_argument("--horizon", type=positive_int, default=1)
    parser.add_argument("--missing", default="interpolate", choices=("drop", "ffill", "interpolate", "keep"))
    parser.add_argument("--target-form", default="auto", choices=("auto", "value", "change"), help=TARGET_FORM_HELP)
    parser.add_argument(
        "--scaling", default="auto", choices=("auto", "standard", "minmax", "none", "per_sequence"), help=SCALING_HELP
    )
    parser.add_argument("--epochs", type=positive_int, default=defaults.epochs)
    parser.add_argument(
        "--patience",
        type=patience_arg,
        default="auto",
        help=f"early stopping on val_loss with the best weights restored: epochs without progress, 0 = off "
        f"(default auto: {AUTO_PATIENCE}, or off for a classifier with fewer than {FEW_VAL_SEQUENCES} validation "
        "sequences)",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=None, help="default: 32, or fewer on a small training set (8+)"
    )
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        help="where jobs run: local processes or a Ray cluster (default $SLSTM_EXECUTOR, else local)",
    )


def add_commands(sub) -> None:
    data = sub.add_parser("data", help="what read_csv detects and cleans in a CSV file")
    data.add_argument("file")
    data.add_argument("--json", action="store_true", help="print one JSON object")
    data.set_defaults(run=cmd_data)

    train = sub.add_parser("train", help="train a stack on a CSV as the app does (a worker process, runs kept)")
    _data_arguments(train)
    train.add_argument("--test-csv", help="a separate test file with the same columns")
    train.add_argument("--spec", required=True, help="architecture JSON, or a path to a JSON file")
    train.add_argument("--name", help="a name for the run")
    train.set_defaults(run=cmd_train)

    sweep = sub.add_parser("sweep", help="depth against width: one run per cell, resumable")
    _data_arguments(sweep)
    sweep.add_argument("--depths", default="1,2,3", help="numbers of recurrent layers, e.g. 1,2,3")
    sweep.add_argument("--units", default="16,32,64", help="units per layer, e.g. 16,32,64")
    sweep.set_defaults(run=cmd_sweep)
