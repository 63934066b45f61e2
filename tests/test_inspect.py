import gc
import math
import subprocess
import sys

import numpy as np
import pytest
from support import ROOT

from slstm import inspect
from slstm.model import build_model
from slstm.shapes import InputShape, infer_shapes
from slstm.spec import ArchitectureSpec, DenseSpec, LayerSpec, lstm_stack

keras = pytest.importorskip("keras")

INTERNALS = {"lstm": inspect.lstm_internals, "gru": inspect.gru_internals, "simple_rnn": inspect.simple_rnn_internals}
CLASSES = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}


def random_layer(kind, units, input_dim, *, return_sequences, bidirectional=False, seed=0):
    """A built layer with every weight (biases too) drawn at random, and its input (4, 6, input_dim)."""
    rng = np.random.default_rng(seed)
    layer = getattr(keras.layers, CLASSES[kind])(units, return_sequences=return_sequences)
    if bidirectional:
        layer = keras.layers.Bidirectional(layer)
    x = rng.normal(size=(4, 6, input_dim)).astype("float32")
    layer(x)  # builds the weights
    layer.set_weights([0.7 * rng.normal(size=w.shape) for w in layer.get_weights()])
    return layer, x


def last_or_all(hidden, return_sequences):
    return hidden if return_sequences else hidden[:, -1]


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("units", [1, 3, 8])
@pytest.mark.parametrize("input_dim", [1, 4])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_numpy_cells_reproduce_keras_outputs(kind, units, input_dim, return_sequences):
    layer, x = random_layer(kind, units, input_dim, return_sequences=return_sequences)
    result = INTERNALS[kind](layer, x)
    assert all(v.shape == (4, 6, units) for v in result.values())
    np.testing.assert_allclose(last_or_all(result["hidden"], return_sequences), layer(x), atol=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_reports_both_directions_in_original_time_order(kind, return_sequences):
    layer, x = random_layer(kind, 3, 2, return_sequences=return_sequences, bidirectional=True)
    result = INTERNALS[kind](layer, x)
    forward, backward = result["forward"]["hidden"], result["backward"]["hidden"]  # (batch, T, u) each
    y = np.asarray(layer(x))  # concat: forward units, then backward units
    if return_sequences:
        np.testing.assert_allclose(y, np.concatenate([forward, backward], axis=-1), atol=1e-5)
    else:  # the backward direction ends at timestep 0
        np.testing.assert_allclose(y, np.concatenate([forward[:, -1], backward[:, 0]], axis=-1), atol=1e-5)
    # the backward direction has read only the last step at t = T-1: the same as running a fresh layer on it alone
    step_alone = INTERNALS[kind](layer.backward_layer, x[:, -1:])["hidden"][:, 0]
    np.testing.assert_allclose(backward[:, -1], step_alone, atol=1e-6)


def constant_layer(cls, units=1, **options):
    layer = cls(units, return_sequences=True, **options)
    layer(np.zeros((1, 2, 1), "float32"))
    kernel, recurrent, bias = layer.get_weights()
    layer.set_weights([np.full(kernel.shape, 0.5), np.full(recurrent.shape, 0.5), np.zeros(bias.shape)])
    return layer


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_lstm_golden_first_step_with_constant_weights():
    # kernel = recurrent kernel = 0.5, bias 0, x_0 = 1, h = c = 0: every gate sees z = 0.5
    layer = constant_layer(keras.layers.LSTM)
    result = inspect.lstm_internals(layer, np.array([[[1.0], [0.0]]]))
    i = f = o = sigmoid(0.5)
    c = i * math.tanh(0.5)
    assert result["input_gate"][0, 0, 0] == pytest.approx(i, abs=1e-6)
    assert result["forget_gate"][0, 0, 0] == pytest.approx(f, abs=1e-6)
    assert result["candidate"][0, 0, 0] == pytest.approx(math.tanh(0.5), abs=1e-6)
    assert result["cell"][0, 0, 0] == pytest.approx(c, abs=1e-6)  # 0.28765
    assert result["hidden"][0, 0, 0] == pytest.approx(o * math.tanh(c), abs=1e-6)
    assert o * math.tanh(c) == pytest.approx(0.17427, abs=1e-5)
    z = 0.5 * o * math.tanh(c)  # second step: x_1 = 0, so every gate sees z = 0.5·h_0
    assert result["cell"][0, 1, 0] == pytest.approx(sigmoid(z) * c + sigmoid(z) * math.tanh(z), abs=1e-6)


def test_gru_golden_first_step_uses_keras_update_rule():
    # h_1 = z·h_0 + (1 - z)·candidate with h_0 = 0, z = sigmoid(0.5), candidate = tanh(0.5 + r·0)
    layer = constant_layer(keras.layers.GRU)
    result = inspect.gru_internals(layer, np.array([[[1.0], [0.0]]]))
    z = sigmoid(0.5)
    assert result["update_gate"][0, 0, 0] == pytest.approx(z, abs=1e-6)
    assert result["reset_gate"][0, 0, 0] == pytest.approx(sigmoid(0.5), abs=1e-6)
    assert result["hidden"][0, 0, 0] == pytest.approx((1 - z) * math.tanh(0.5), abs=1e-6)  # 0.17448


def test_gru_without_reset_after_matches_keras():
    layer = keras.layers.GRU(3, return_sequences=True, reset_after=False)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 2)).astype("float32")
    layer(x)
    layer.set_weights([0.7 * rng.normal(size=w.shape) for w in layer.get_weights()])
    np.testing.assert_allclose(inspect.gru_internals(layer, x)["hidden"], layer(x), atol=1e-5)


def test_wrong_cell_type_is_refused():
    layer, x = random_layer("gru", 2, 1, return_sequences=True)
    with pytest.raises(TypeError, match="Expected a LSTM layer"):
        inspect.lstm_internals(layer, x)


MIXED = ArchitectureSpec(
    layers=(
        LayerSpec("lstm", 5, return_sequences=True),
        LayerSpec("gru", 3, return_sequences=True, bidirectional=True),
        LayerSpec("simple_rnn", 4),
    ),
    dense=(DenseSpec(6, "relu"),),
)


@pytest.fixture(scope="module")
def trained():
    """MIXED after two epochs of training on random data, so the weights are no longer the initial ones."""
    keras.utils.set_random_seed(0)
    model = build_model(MIXED, InputShape(timesteps=7, features=3))
    before = [w.copy() for w in model.get_weights()]
    x = np.random.default_rng(0).normal(size=(32, 7, 3)).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(x, np.random.default_rng(1).normal(size=(32, 1)), epochs=2, batch_size=8, verbose=0)
    assert not np.allclose(before[0], model.get_weights()[0])
    return model, x[:5]


def test_layer_outputs_give_every_layer_with_the_shapes_infer_shapes_predicts(trained):
    model, x = trained
    outputs = inspect.layer_outputs(model, x)
    rows = infer_shapes(MIXED, InputShape(timesteps=7, features=3))
    assert list(outputs) == [r.name for r in rows] == ["lstm_1", "bi_gru_2", "simple_rnn_3", "dense_1", "output"]
    for r in rows:
        assert outputs[r.name].shape == (5, *r.output_shape[1:])
    np.testing.assert_allclose(outputs["output"], model(x), atol=1e-6)


def test_internals_reproduce_a_trained_stack(trained):
    model, x = trained
    outputs = inspect.layer_outputs(model, x)
    lstm = inspect.internals(model, "lstm_1", x, outputs=outputs)
    np.testing.assert_allclose(lstm["hidden"], outputs["lstm_1"], atol=1e-5)
    gru = inspect.internals(model, "bi_gru_2", x, outputs=outputs)
    both = np.concatenate([gru["forward"]["hidden"], gru["backward"]["hidden"]], axis=-1)
    np.testing.assert_allclose(both, outputs["bi_gru_2"], atol=1e-5)
    rnn = inspect.internals(model, "simple_rnn_3", x)  # without outputs: its own forward pass
    np.testing.assert_allclose(rnn["hidden"][:, -1], outputs["simple_rnn_3"], atol=1e-5)
    with pytest.raises(ValueError, match="only recurrent layers"):
        inspect.internals(model, "dense_1", x, outputs=outputs)
    with pytest.raises(KeyError, match="lstm_1, bi_gru_2"):
        inspect.internals(model, "lstm_9", x, outputs=outputs)


def test_one_forward_pass_per_call_and_one_probe_per_model(trained, monkeypatch):
    model, x = trained
    probe = inspect._probe(model)
    calls = []
    original = probe.predict_on_batch
    monkeypatch.setattr(probe, "predict_on_batch", lambda batch: calls.append(1) or original(batch))
    outputs = inspect.layer_outputs(model, x)
    inspect.internals(model, "simple_rnn_3", x, outputs=outputs)
    inspect.head_over_time(model, x, outputs=outputs)
    assert len(calls) == 1 and inspect._probe(model) is probe


def test_probe_is_dropped_with_its_model():
    model = build_model(lstm_stack(2), InputShape(timesteps=3, features=1))
    inspect.layer_outputs(model, np.zeros((1, 3, 1)))
    count = len(inspect._PROBES)
    del model
    gc.collect()
    assert len(inspect._PROBES) == count - 1


def test_head_over_time_ends_at_the_model_output(trained):
    model, x = trained
    over_time = inspect.head_over_time(model, x)
    assert over_time.shape == (5, 7, 1)
    np.testing.assert_allclose(over_time[:, -1], model(x), atol=1e-5)


@pytest.mark.parametrize(
    "spec",
    [
        lstm_stack(4, 3),
        lstm_stack(1, head="none"),
        ArchitectureSpec(layers=(LayerSpec("gru", 3, bidirectional=True, merge_mode="ave"),), dense=(DenseSpec(2),)),
    ],
    ids=["lstm-lstm-dense", "no-head", "bidirectional-top"],
)
def test_head_over_time_last_step_equals_model_output(spec):
    model = build_model(spec, InputShape(timesteps=6, features=2))
    x = np.random.default_rng(2).normal(size=(3, 6, 2)).astype("float32")
    over_time = inspect.head_over_time(model, x)
    assert over_time.shape[:2] == (3, 6)
    np.testing.assert_allclose(over_time[:, -1], model(x), atol=1e-5)


def test_head_over_time_reads_only_the_past_in_a_forward_stack():
    model = build_model(lstm_stack(4, 3), InputShape(timesteps=6, features=2))
    x = np.random.default_rng(3).normal(size=(2, 6, 2)).astype("float32")
    changed = x.copy()
    changed[:, 4:] += 1.0  # change the future of step 3
    a, b = inspect.head_over_time(model, x), inspect.head_over_time(model, changed)
    np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not np.allclose(a[:, 4:], b[:, 4:])


def test_head_over_time_of_a_sequence_target_is_the_model_output():
    spec = ArchitectureSpec(layers=(LayerSpec("lstm", 4, return_sequences=True),))
    model = build_model(spec, InputShape(timesteps=5, features=2, sequence_target=True))
    x = np.random.default_rng(4).normal(size=(2, 5, 2)).astype("float32")
    np.testing.assert_allclose(inspect.head_over_time(model, x), model(x), atol=1e-6)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_masked_padding_is_skipped_as_keras_does(bidirectional):
    spec = ArchitectureSpec(
        layers=(
            LayerSpec("lstm", 3, return_sequences=True, bidirectional=bidirectional),
            LayerSpec("gru", 2, bidirectional=bidirectional),
        )
    )
    model = build_model(spec, InputShape(timesteps=6, features=2), masked=True)
    x = np.random.default_rng(5).normal(size=(3, 6, 2)).astype("float32")
    x[0, :3] = 0.0  # pre-padded: 3 real steps
    x[1, :1] = 0.0
    outputs = inspect.layer_outputs(model, x)
    assert "masking" not in outputs
    first, second = (inspect.internals(model, name, x, outputs=outputs) for name in list(outputs)[:2])
    if bidirectional:
        hidden = np.concatenate([first["forward"]["hidden"], first["backward"]["hidden"]], axis=-1)
        last = np.concatenate([second["forward"]["hidden"][:, -1], second["backward"]["hidden"][:, 0]], axis=-1)
        assert np.isnan(first["backward"]["input_gate"][0, :3]).all()
    else:
        hidden, last = first["hidden"], second["hidden"][:, -1]
        assert np.isnan(first["input_gate"][0, :3]).all() and not np.isnan(first["input_gate"][0, 3:]).any()
    np.testing.assert_allclose(hidden, outputs[list(outputs)[0]], atol=1e-5)
    np.testing.assert_allclose(last, outputs[list(outputs)[1]], atol=1e-5)
    np.testing.assert_allclose(inspect.head_over_time(model, x, outputs=outputs)[:, -1], model(x), atol=1e-5)


def test_importing_inspect_loads_neither_streamlit_nor_tensorflow():
    modules = "slstm.inspect, slstm.figures.inspect"
    code = f"import sys, {modules}; print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_load_model_reads_a_saved_model_and_swaps_weights_on_a_copy(tmp_path):
    model = build_model(lstm_stack(4, 3), InputShape(timesteps=5, features=2))
    model.save_weights(tmp_path / "initial.weights.h5")
    untrained = model.get_weights()
    model.set_weights([w + 0.5 for w in model.get_weights()])  # "trained"
    model.save(tmp_path / "model.keras")
    x = np.random.default_rng(0).normal(size=(2, 5, 2)).astype("float32")

    loaded = inspect.load_model(str(tmp_path / "model.keras"))
    assert np.allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)
    before = inspect.load_model(str(tmp_path / "model.keras"), str(tmp_path / "initial.weights.h5"))
    assert before is not loaded
    assert all(np.array_equal(a, b) for a, b in zip(before.get_weights(), untrained, strict=True))
    assert all(np.allclose(a, b) for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True))
