from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.errors import SlstmError
from slstm.metrics import regression_report
from slstm.model import build_model
from slstm.shapes import InputShape
from slstm.train import TrainConfig, auto_batch, fit, predict


@pytest.fixture(scope="module")
def windows():
    t = np.arange(300)
    frame = pd.DataFrame({"v": np.sin(2 * np.pi * t / 12)})
    return prepare(frame, DataConfig(("v",), ("v",), lookback=12))


def test_fit_reports_every_epoch_and_learns_a_sine(windows):
    import keras

    keras.utils.set_random_seed(0)
    model = build_model_for(windows)
    seen = []
    history = fit(model, windows, TrainConfig(epochs=6, batch_size=16, learning_rate=0.01), on_epoch=seen.append)
    assert [log.epoch for log in seen] == list(range(1, 7))
    assert [log.logs["loss"] for log in seen] == history["loss"]
    assert history["loss"][-1] < history["loss"][0] / 2
    report = regression_report(windows, windows.test, predict(model, windows.test.x))
    assert report["model"]["rmse"] < report["training mean"]["rmse"]


def build_model_for(windows):
    from slstm.spec import lstm_stack

    return build_model(lstm_stack(8, 8), InputShape(timesteps=windows.timesteps, features=windows.num_features))


def test_a_callback_can_stop_training_after_the_current_epoch(windows):
    model = build_model_for(windows)

    def stop(log):
        model.stop_training = True

    history = fit(model, windows, TrainConfig(epochs=5, batch_size=64), on_epoch=stop)
    assert len(history["loss"]) == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"optimizer": "lbfgs"},
        {"epochs": 0},
        {"batch_size": 0},
        {"learning_rate": 0.0},
        {"patience": 0},
        {"patience": "soon"},
    ],
)
def test_bad_train_config(bad):
    with pytest.raises(SlstmError):
        TrainConfig(**bad)


@pytest.mark.parametrize(
    ("samples", "batch"), [(10_000, 32), (512, 32), (511, 31), (200, 12), (128, 8), (40, 8), (3, 8)]
)
def test_the_batch_left_to_the_app_gives_a_small_set_about_16_steps_an_epoch(samples, batch):
    config = TrainConfig().resolved(split_sizes(samples, 50))
    assert config.batch_size == batch
    assert TrainConfig(batch_size=64).resolved(split_sizes(samples, 50)).batch_size == 64  # a chosen batch is kept
    assert config.resolved(split_sizes(10, 5)) == config  # resolved once, for the windows it was recorded with


def split_sizes(train: int, val: int, task: str = "regression") -> SimpleNamespace:
    """What resolved() reads of a Windows: the sizes of its splits and its task."""
    return SimpleNamespace(train=range(train), val=range(val), task=task)


@pytest.mark.parametrize(
    ("task", "val", "patience"),
    [("classification", 6, None), ("classification", 29, None), ("classification", 30, 20), ("regression", 6, 20)],
)
def test_early_stopping_left_to_the_app_is_off_for_a_classifier_with_few_validation_sequences(task, val, patience):
    config = TrainConfig().resolved(split_sizes(200, val, task))
    assert config.patience == patience
    assert config.resolved(split_sizes(200, 100, task)) == config  # decided once, for the recorded windows


def test_a_chosen_patience_or_none_is_kept_whatever_the_validation_split():
    small = split_sizes(40, 5, "classification")
    assert TrainConfig(patience=7).resolved(small).patience == 7
    assert TrainConfig(patience=None).resolved(split_sizes(400, 100)).patience is None


def test_fit_trains_with_the_batch_that_fits_the_training_set(windows):
    model = build_model_for(windows)
    seen = []
    fit(model, windows, TrainConfig(epochs=1), on_batch=lambda epoch, batch, steps: seen.append(steps))
    assert len(windows.train) < 256 and seen[-1] == -(-len(windows.train) // auto_batch(len(windows.train)))
