"""The body of a training worker process: prepare windows, build, fit with per-epoch records (history row,
last and best weights), then metrics and predictions. Events go back to the server over a queue."""

from __future__ import annotations

import math
import os
import time
import traceback
from typing import TYPE_CHECKING

import numpy as np

from slstm.errors import SlstmError

if TYPE_CHECKING:
    from slstm.jobs import JobInputs

NAN_HINT = (
    "The loss became NaN or infinite, so training stopped; the last good weights are kept. Try scaling the "
    "data (standard scaling on the Data page), a lower learning rate, or clipnorm=1.0."
)
BATCH_EVENT_SECONDS = 0.25  # batch progress is sent at most this often


def _configure_tensorflow(threads: int, seed: int) -> str:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, threads)))
    except RuntimeError:  # already initialised (only when called twice in one process, e.g. in tests)
        pass
    keras.utils.set_random_seed(seed)  # process-wide, which is why each job has a process of its own
    gpus = tf.config.list_physical_devices("GPU")
    return f"GPU: {gpus[0].name}" if gpus else "CPU"


def run_job(inputs: JobInputs, events, stop_event) -> None:
    from slstm.runs import RunStore

    store = RunStore(inputs.home)
    started = time.time()
    try:
        _train(inputs, store, events, stop_event, started)
    except SlstmError as exc:
        _end(store, events, inputs.run_id, "failed", str(exc), started)
    except Exception as exc:  # unexpected: logged in full here, a short message for the user
        traceback.print_exc()
        _end(store, events, inputs.run_id, "failed", f"Training failed: {type(exc).__name__}: {exc}", started)
    finally:
        store.close()


def _end(store, events, run_id: str, status: str, message: str, started: float, metrics: dict | None = None) -> None:
    if metrics is not None:
        store.set_metrics(run_id, metrics)
    store.set_status(run_id, status, message=message, duration=time.time() - started)
    events.put({"type": status, "message": message})


def _train(inputs: JobInputs, store, events, stop_event, started: float) -> None:
    from slstm.data import prepare
    from slstm.model import build_model
    from slstm.train import fit

    config = inputs.train_config
    device = _configure_tensorflow(inputs.threads, config.seed)
    store.set_status(inputs.run_id, "running", message=f"Training on {device}.")
    events.put({"type": "started", "device": device})
    kwargs = {"test_table": inputs.test_frame} if inputs.test_frame is not None else {}
    windows = prepare(inputs.frame, inputs.data_config, **kwargs)
    model = build_model(
        inputs.spec,
        timesteps=windows.timesteps,
        num_features=windows.num_features,
        num_outputs=getattr(windows, "num_outputs", windows.config.num_outputs),
        task=getattr(windows, "task", "regression"),
        masked=getattr(windows, "masked", False),
    )
    folder = store.run_dir(inputs.run_id)
    model.save_weights(folder / "initial.weights.h5")  # for "before training" views
    best = math.inf
    last_sent = 0.0
    bad_loss = False

    def on_batch(epoch: int, batch: int, steps: int) -> None:
        nonlocal last_sent
        if stop_event.is_set():
            model.stop_training = True
        now = time.monotonic()
        if now - last_sent >= BATCH_EVENT_SECONDS or batch == steps:
            last_sent = now
            events.put({"type": "batch", "epoch": epoch, "batch": batch, "steps": steps})

    def on_epoch(log) -> None:
        nonlocal best, bad_loss
        loss = log.logs.get("loss", math.nan)
        store.add_epoch(inputs.run_id, log.epoch, log.logs, log.seconds)
        if not math.isfinite(loss):
            bad_loss = True
        else:
            model.save_weights(folder / "last.weights.h5")
            score = log.logs.get("val_loss", loss)
            if math.isfinite(score) and score < best:
                best = score
                model.save_weights(folder / "best.weights.h5")
        events.put({"type": "epoch", "epoch": log.epoch, "logs": log.logs, "seconds": log.seconds})

    fit(model, windows, config, on_epoch=on_epoch, on_batch=on_batch)
    if bad_loss:
        if (folder / "last.weights.h5").exists():
            model.load_weights(folder / "last.weights.h5")
        _end(store, events, inputs.run_id, "failed", NAN_HINT, started)
        return
    model.save(folder / "model.keras")
    metrics = evaluate(model, windows, folder)
    stopped = stop_event.is_set()
    message = "Stopped by the user; every finished epoch is kept." if stopped else "Finished."
    _end(store, events, inputs.run_id, "stopped" if stopped else "finished", message, started, metrics)


def evaluate(model, windows, folder) -> dict:
    """Metrics on validation and test in the target's units, with baselines; predictions saved as .npz."""
    from slstm.metrics import classification_report, regression_report
    from slstm.train import predict

    metrics: dict = {"task": getattr(windows, "task", "regression")}
    arrays = {}
    for name, split in (("val", windows.val), ("test", windows.test)):
        if len(split) == 0:
            continue
        predicted = predict(model, split.x)
        if metrics["task"] == "classification":
            metrics[name] = classification_report(windows, split, predicted)
            arrays[f"{name}_truth"], arrays[f"{name}_pred"] = split.y, predicted.argmax(axis=-1)
        else:
            metrics[name] = regression_report(windows, split, predicted)
            arrays[f"{name}_truth"], arrays[f"{name}_pred"] = windows.unscale_y(split.y), windows.unscale_y(predicted)
    np.savez_compressed(folder / "predictions.npz", **arrays)
    return metrics
