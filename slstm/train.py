"""TrainConfig and fit(): compile and train a model on prepared windows, reporting each epoch to a
callback. Runs in whatever process calls it (the job worker, the CLI, a test); imports TF lazily."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from slstm.errors import SlstmError

if TYPE_CHECKING:
    import keras

    from slstm.data import Windows

OPTIMIZERS = ("adam", "rmsprop", "sgd")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    seed: int = 0
    clipnorm: float | None = None
    patience: int | None = None  # early stopping on val_loss; None = off

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise SlstmError(f"Received optimizer={self.optimizer!r}; expected one of {', '.join(OPTIMIZERS)}.")
        if not isinstance(self.epochs, int) or not 1 <= self.epochs <= 10_000:
            raise SlstmError(f"Received epochs={self.epochs!r}; expected a whole number from 1 to 10000.")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise SlstmError(f"Received batch_size={self.batch_size!r}; expected a positive whole number.")
        if not self.learning_rate > 0:
            raise SlstmError(f"Received learning_rate={self.learning_rate!r}; expected a positive number.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EpochLog:
    epoch: int  # 1-based
    epochs: int
    logs: dict[str, float]
    seconds: float


def make_optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
    import keras

    cls = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    return cls[config.optimizer](learning_rate=config.learning_rate, clipnorm=config.clipnorm)


def fit(
    model: keras.Model,
    windows: Windows,
    config: TrainConfig,
    *,
    on_epoch: Callable[[EpochLog], None] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict[str, list[float]]:
    """Compile `model` with MSE and train it on `windows`; returns the Keras history dict.

    `on_epoch` is called after every finished epoch, `on_batch(batch, batches_per_epoch)` after each
    batch; either may set `model.stop_training = True` to end after the current batch.
    """
    import keras

    model.compile(optimizer=make_optimizer(config), loss="mse", metrics=["mae"])
    has_val = len(windows.val) > 0
    steps = max(1, -(-len(windows.train) // config.batch_size))

    class Progress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if on_batch is not None:
                on_batch(batch + 1, steps)

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if on_epoch is not None:
                values = {k: float(v) for k, v in (logs or {}).items()}
                on_epoch(EpochLog(epoch + 1, config.epochs, values, time.perf_counter() - self.started))

    callbacks: list[keras.callbacks.Callback] = [keras.callbacks.TerminateOnNaN(), Progress()]
    if config.patience is not None and has_val:
        callbacks.append(keras.callbacks.EarlyStopping(patience=config.patience, restore_best_weights=True))
    history = model.fit(
        np.ascontiguousarray(windows.train.x),  # (samples, timesteps, features)
        windows.train.y,
        validation_data=(np.ascontiguousarray(windows.val.x), windows.val.y) if has_val else None,
        epochs=config.epochs,
        batch_size=config.batch_size,
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def predict(model: keras.Model, x: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    return np.asarray(model.predict(np.ascontiguousarray(x), batch_size=batch_size, verbose=0))
