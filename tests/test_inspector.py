"""The inspector: looks inside saved models in a process of its own, answers what look_inside answers in-process,
says when a file is gone, and recovers from a lost process."""

import os
import signal

import numpy as np
import pytest

from slstm import inspect
from slstm.inspector import InspectError, Inspector
from slstm.model import build_model
from slstm.shapes import InputShape
from slstm.spec import ArchitectureSpec, LayerSpec

pytestmark = pytest.mark.slow  # starts a TensorFlow process


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A saved 3-layer model (bidirectional LSTM → GRU → Dense) and its initial weights, with a batch for it."""
    folder = tmp_path_factory.mktemp("run")
    spec = ArchitectureSpec(layers=(LayerSpec("lstm", 4, True, bidirectional=True), LayerSpec("gru", 3)))
    model = build_model(spec, InputShape(timesteps=6, features=2))
    model.save_weights(folder / "initial.weights.h5")
    model.set_weights([w + 0.3 for w in model.get_weights()])
    model.save(folder / "model.keras")
    x = np.random.default_rng(1).normal(size=(2, 6, 2)).astype("float32")
    return folder, x


@pytest.fixture(scope="module")
def inspector():
    found = Inspector(timeout=120)
    yield found
    found.close()


def assert_same(got, expected):
    if isinstance(expected, dict):
        assert set(got) == set(expected)
        for key in expected:
            assert_same(got[key], expected[key])
    else:
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_look_equals_look_inside_in_process_and_runs_elsewhere(saved, inspector):
    folder, x = saved
    got = inspector.look(folder / "model.keras", x)
    assert inspector.pid() not in (None, os.getpid())
    expected = inspect.look_inside(inspect.load_model(str(folder / "model.keras")), x)
    assert_same(got, expected)
    assert set(got["internals"]) == {"bi_lstm_1", "gru_2"} and got["forming"].shape == (2, 6, 1)


def test_other_weights_are_looked_at_on_a_copy(saved, inspector):
    folder, x = saved
    before = inspector.look(folder / "model.keras", x, weights=folder / "initial.weights.h5")
    after = inspector.look(folder / "model.keras", x)
    untrained = inspect.load_model(str(folder / "model.keras"), str(folder / "initial.weights.h5"))
    assert_same(before["outputs"], inspect.layer_outputs(untrained, x))
    assert not np.allclose(before["outputs"]["output"], after["outputs"]["output"])


def test_a_missing_model_is_file_not_found(tmp_path, inspector):
    with pytest.raises(FileNotFoundError):
        inspector.look(tmp_path / "gone.keras", np.zeros((1, 6, 2)))


def test_a_broken_model_file_is_a_message_not_a_crash(tmp_path, inspector):
    (tmp_path / "model.keras").write_bytes(b"not a zip")
    with pytest.raises(InspectError) as caught:
        inspector.look(tmp_path / "model.keras", np.zeros((1, 6, 2)))
    assert "Could not look inside this model" in str(caught.value)
    assert "无法查看" in caught.value.text("zh")


def test_a_lost_process_is_replaced(saved, inspector):
    folder, x = saved
    inspector.look(folder / "model.keras", x)
    first = inspector.pid()
    os.kill(first, signal.SIGKILL)
    got = inspector.look(folder / "model.keras", x)
    assert inspector.pid() not in (None, first) and got["outputs"]["output"].shape == (2, 1)


def test_a_look_that_takes_too_long_is_said_and_the_process_restarted(saved):
    folder, x = saved
    slow = Inspector(timeout=0.5)  # less than TensorFlow's import: the first look cannot make it
    try:
        with pytest.raises(InspectError) as caught:
            slow.look(folder / "model.keras", x)
        assert "longer than 0.5 s" in str(caught.value) and slow.pid() is None
    finally:
        slow.close()
