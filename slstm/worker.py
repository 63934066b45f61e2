"""What a training worker does, whichever executor runs it: prepare windows, build, fit, evaluate, and report
everything as events (epochs, artifacts as bytes, the end). The worker never writes the run store: the pool
that owns the job is its only writer."""

from __future__ import annotations

import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from slstm.errors import SlstmError
from slstm.i18n import t

if TYPE_CHECKING:
    from slstm.executors.base import JobInputs

BATCH_EVENT_SECONDS = 0.25  # batch progress is sent at most this often
Send = Callable[[dict], None]
log = logging.getLogger(__name__)


def configure_tensorflow(threads: int) -> None:
    """Import TensorFlow and Keras and size TF's thread pools; before any op runs (so once per process)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, threads)))
    except RuntimeError:  # already initialised (a second job in one process, e.g. in a test)
        pass


def device_name() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return f"GPU: {gpus[0].name}" if gpus else "CPU"


def run_job(inputs: JobInputs, send: Send, should_stop: Callable[[], bool]) -> None:
    """Train `inputs`, reporting through `send`; ends with exactly one finished/stopped/failed event."""
    started = time.time()
    try:
        with tempfile.TemporaryDirectory(prefix="slstm-job-") as scratch:
            _train(inputs, send, should_stop, Path(scratch))
    except SlstmError as exc:
        send({"type": "failed", "message": str(exc)})
    except Exception as exc:  # unexpected: in full in the worker's log, a short message for the user
        log.exception("run %s failed after %.1f s", inputs.run_id, time.time() - started)
        send({"type": "failed", "message": t("jobs.unexpected", kind=type(exc).__name__)})


def _artifact(send: Send, path: Path) -> None:
    send({"type": "artifact", "name": path.name, "data": path.read_bytes()})


def _train(inputs: JobInputs, send: Send, should_stop: Callable[[], bool], scratch: Path) -> None:
    import keras

    from slstm.data import prepare
    from slstm.model import build_model
    from slstm.train import fit

    config = inputs.train_config
    configure_tensorflow(inputs.threads)
    keras.utils.set_random_seed(config.seed)  # process-wide, which is why each job has a process of its own
    send({"type": "started", "device": device_name(), "pid": os.getpid(), "streamlit": "streamlit" in sys.modules})
    kwargs = {"test_table": inputs.test_frame} if inputs.test_frame is not None else {}
    windows = prepare(inputs.frame, inputs.data_config, **kwargs)
    model = build_model(inputs.spec, windows.shape, masked=windows.masked)
    model.save_weights(scratch / "initial.weights.h5")  # for "before training" views
    _artifact(send, scratch / "initial.weights.h5")
    best, last_sent, bad_loss = math.inf, 0.0, False

    def on_batch(epoch: int, batch: int, steps: int) -> None:
        nonlocal last_sent
        if should_stop():
            model.stop_training = True
        now = time.monotonic()
        if now - last_sent >= BATCH_EVENT_SECONDS or batch == steps:
            last_sent = now
            send({"type": "batch", "epoch": epoch, "batch": batch, "steps": steps})

    def on_epoch(epoch_log) -> None:
        nonlocal best, bad_loss
        loss = epoch_log.logs.get("loss", math.nan)
        if not math.isfinite(loss):
            bad_loss = True
        else:
            model.save_weights(scratch / "last.weights.h5")
            _artifact(send, scratch / "last.weights.h5")
            score = epoch_log.logs.get("val_loss", loss)
            if math.isfinite(score) and score < best:
                best = score
                model.save_weights(scratch / "best.weights.h5")
                _artifact(send, scratch / "best.weights.h5")
        send({"type": "epoch", "epoch": epoch_log.epoch, "logs": epoch_log.logs, "seconds": epoch_log.seconds})

    fit(model, windows, config, on_epoch=on_epoch, on_batch=on_batch)
    if bad_loss:
        send({"type": "failed", "message": t("jobs.nan")})
        return
    stopped = should_stop()
    metrics = evaluate(model, windows, scratch)
    bare = keras.models.clone_model(model)  # saved without optimizer state or compile settings: a third the size
    bare.set_weights(model.get_weights())
    bare.save(scratch / "model.keras")
    for name in ("predictions.npz", "model.keras"):
        _artifact(send, scratch / name)
    message = t("jobs.stopped_by_user_kept") if stopped else t("jobs.finished")
    send({"type": "stopped" if stopped else "finished", "message": message, "metrics": metrics})


def data_shape(windows) -> dict:
    """What the network was built for, as the run records it: {"timesteps", "features", "outputs", "task"}."""
    shape = windows.shape
    return {"timesteps": shape.timesteps, "features": shape.features, "outputs": shape.outputs, "task": shape.task}


def evaluate(model, windows, folder: Path) -> dict:
    """Metrics on validation and test in the target's units, with baselines; predictions saved as .npz."""
    from slstm.metrics import classification_report, in_units, regression_report
    from slstm.train import predict

    metrics: dict = {"task": windows.task, "shape": data_shape(windows)}
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
            arrays[f"{name}_truth"], arrays[f"{name}_pred"] = in_units(windows, split, predicted)  # target's units
    np.savez_compressed(folder / "predictions.npz", **arrays)
    return metrics
