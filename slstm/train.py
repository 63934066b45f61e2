"""TrainConfig and fit(): compile and train a model on prepared windows, reporting each epoch to a
callback. Runs in whatever process calls it (the job worker, the CLI, a test); imports TF lazily."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from slstm.errors import SlstmError

if TYPE_CHECKING:
    import keras

    from slstm.data import Windows

OPTIMIZERS = ("adam", "rmsprop", "sgd")
AUTO_BATCH, MIN_AUTO_BATCH = 32, 8  # auto_batch's largest and smallest batch
AUTO_PATIENCE = 20  # auto_patience's early-stopping patience, where it stops early at all
FEW_VAL_SEQUENCES = 30  # a classifier validated on fewer sequences trains its whole budget (auto_patience)


@dataclass(frozen=True)
class TrainConfig:
    """Defaults that give a fair result without hand-tuning: up to 100 epochs, stopped when val_loss has
    not improved for 20, with the best epoch's weights restored (`patience="auto"`, see auto_patience: off for
    a classifier with very few validation sequences); a batch size that fits the training set
    (`batch_size=None`, see auto_batch), so that the patience is never only a few gradient steps. Both are
    fixed by resolved() before a run is recorded.

    Why 20 and not 10: a classifier often sits at the majority-class rate for a while before it finds its
    features (GunPoint in bench/skill.py: stopped after 11 epochs at 0.43 accuracy with a patience of 10, 0.97
    after 100 with 20)."""

    epochs: int = 100
    batch_size: int | None = None  # None: auto_batch(training samples), fixed by resolved() before a run is recorded
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    seed: int = 0
    clipnorm: float | None = None
    patience: int | Literal["auto"] | None = "auto"  # early stopping on val_loss, best weights restored; None = off

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise SlstmError("train.err_optimizer", value=repr(self.optimizer), options=", ".join(OPTIMIZERS))
        if not isinstance(self.epochs, int) or not 1 <= self.epochs <= 10_000:
            raise SlstmError("train.err_epochs", value=repr(self.epochs))
        if self.batch_size is not None and (not isinstance(self.batch_size, int) or self.batch_size < 1):
            raise SlstmError("train.err_batch", value=repr(self.batch_size))
        if self.patience not in ("auto", None) and (not isinstance(self.patience, int) or self.patience < 1):
            raise SlstmError("train.err_patience", value=repr(self.patience))
        if not self.learning_rate > 0:
            raise SlstmError("train.err_lr", value=repr(self.learning_rate))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def resolved(self, windows: Windows) -> TrainConfig:
        """This config with what was left to the app chosen for `windows`: the batch size (auto_batch) and
        the early-stopping patience (auto_patience)."""
        config = self if self.batch_size is not None else replace(self, batch_size=auto_batch(len(windows.train)))
        if config.patience == "auto":
            config = replace(config, patience=auto_patience(task_of(windows), len(windows.val)))
        return config


def task_of(windows: Windows) -> str:
    return getattr(windows, "task", "regression")


def auto_patience(task: str, val_samples: int) -> int | None:
    """The early-stopping patience the app chooses: AUTO_PATIENCE, or None (no early stopping: train the whole
    epoch budget and keep the final weights) for a classifier validated on fewer than FEW_VAL_SEQUENCES
    sequences. On so few, validation accuracy moves in steps of a sixth or a tenth and the loss is noisy, so
    the epoch it picks is mostly luck, and those sequences are a large share of a small training file
    (bench/skill.py, 100 epochs: BasicMotions, 6 validation sequences, test accuracy 0.750 stopped early and
    0.975 without; ItalyPowerDemand, 10, 0.915 and 0.936; GunPoint, 8, 0.967 either way).

    >>> auto_patience("classification", 6), auto_patience("classification", 40), auto_patience("regression", 6)
    (None, 20, 20)
    """
    return None if task == "classification" and val_samples < FEW_VAL_SEQUENCES else AUTO_PATIENCE


def auto_batch(train_samples: int) -> int:
    """The batch size the app chooses: 32, or fewer on a small training set so that an epoch still has about
    sixteen batches (never under 8). On 40 sequences a batch of 32 gives 2 gradient steps an epoch, and early
    stopping after 20 epochs without progress would then stop after 40 steps, before the model learned anything.
    Sixteen rather than eight: small sets do better with smaller batches (bench/skill.py, 16 against 8 batches
    an epoch: JapaneseVowels, 230 training sequences, batch 14 against 28, test accuracy 0.968 against 0.949;
    Airline test RMSE 0.56 against 0.63 of persistence's, sunspots 0.63 against 0.68, El Niño 0.45 against 0.44).

    >>> auto_batch(816), auto_batch(200), auto_batch(40)
    (32, 12, 8)
    """
    return max(MIN_AUTO_BATCH, min(AUTO_BATCH, train_samples // 16))


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


MATERIALISE_LIMIT = 256 * 2**20  # bytes: smaller window arrays are copied once, larger ones batch by batch


def as_inputs(x: np.ndarray, y: np.ndarray | None, *, batch_size: int, shuffle: bool, seed: int = 0):
    """What model.fit/predict should get: one contiguous array when it is small, else a PyDataset that copies
    one batch of windows at a time from the strided view (nothing materialises the whole N×T×F array)."""
    if x.size * x.itemsize <= MATERIALISE_LIMIT:
        return np.ascontiguousarray(x), y
    import keras

    class WindowBatches(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            self.order = np.arange(len(x))
            self.rng = np.random.default_rng(seed)
            self.on_epoch_end()

        def __len__(self) -> int:
            return -(-len(x) // batch_size)

        def __getitem__(self, i: int):
            idx = np.sort(self.order[i * batch_size : (i + 1) * batch_size])
            xb = np.ascontiguousarray(x[idx])  # (batch, timesteps, features)
            return xb if y is None else (xb, y[idx])

        def on_epoch_end(self) -> None:
            if shuffle:
                self.rng.shuffle(self.order)

    return WindowBatches(), None


def compile_for(model: keras.Model, windows: Windows, config: TrainConfig) -> None:
    """MSE (and MAE) for regression, sparse cross-entropy (and accuracy) for classification."""
    if task_of(windows) == "classification":
        model.compile(make_optimizer(config), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    else:
        model.compile(make_optimizer(config), loss="mse", metrics=["mae"])


def fit(
    model: keras.Model,
    windows: Windows,
    config: TrainConfig,
    *,
    on_epoch: Callable[[EpochLog], None] | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
    initial_epoch: int = 0,
) -> dict[str, list[float]]:
    """Compile `model` for the task and train it on `windows`; returns the Keras history dict.

    `on_epoch` is called after every finished epoch, `on_batch(epoch, batch, batches_per_epoch)` after each
    batch (1-based); either may set `model.stop_training = True` to end after the current batch.
    """
    import keras

    config = config.resolved(windows)
    compile_for(model, windows, config)
    has_val = len(windows.val) > 0
    steps = max(1, -(-len(windows.train) // config.batch_size))

    class Progress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch, self.started = epoch + 1, time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if on_batch is not None:
                on_batch(self.epoch, batch + 1, steps)

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if on_epoch is not None:
                values = {k: float(v) for k, v in (logs or {}).items()}
                on_epoch(EpochLog(epoch + 1, config.epochs, values, time.perf_counter() - self.started))

    callbacks: list[keras.callbacks.Callback] = [keras.callbacks.TerminateOnNaN(), Progress()]
    if config.patience is not None and has_val:
        callbacks.append(keras.callbacks.EarlyStopping(patience=config.patience, restore_best_weights=True))
    x, y = as_inputs(windows.train.x, windows.train.y, batch_size=config.batch_size, shuffle=True, seed=config.seed)
    validation = None
    if has_val:
        vx, vy = as_inputs(windows.val.x, windows.val.y, batch_size=config.batch_size, shuffle=False)
        validation = vx if vy is None else (vx, vy)
    history = model.fit(
        x,
        y,
        validation_data=validation,
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        batch_size=None if y is None else config.batch_size,
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def predict(model: keras.Model, x: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    if len(x) == 0:
        return np.empty((0, *model.output_shape[1:]), dtype="float32")
    inputs, _ = as_inputs(x, None, batch_size=batch_size, shuffle=False)
    return np.asarray(
        model.predict(inputs, batch_size=None if not isinstance(inputs, np.ndarray) else batch_size, verbose=0)
    )
