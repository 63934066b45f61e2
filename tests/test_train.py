import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig, prepare
from slstm.errors import SlstmError
from slstm.metrics import regression_report
from slstm.model import build_model
from slstm.train import TrainConfig, fit, predict


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

    return build_model(lstm_stack(8, 8), timesteps=windows.timesteps, num_features=windows.num_features)


def test_a_callback_can_stop_training_after_the_current_epoch(windows):
    model = build_model_for(windows)

    def stop(log):
        model.stop_training = True

    history = fit(model, windows, TrainConfig(epochs=5, batch_size=64), on_epoch=stop)
    assert len(history["loss"]) == 1


@pytest.mark.parametrize("bad", [{"optimizer": "lbfgs"}, {"epochs": 0}, {"batch_size": 0}, {"learning_rate": 0.0}])
def test_bad_train_config(bad):
    with pytest.raises(SlstmError):
        TrainConfig(**bad)
