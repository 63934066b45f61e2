"""slstm.model.build_model: the Keras model agrees with the shapes and parameter counts the app shows."""

import numpy as np
import pytest

from slstm.errors import SpecError
from slstm.model import build_model
from slstm.shapes import InputShape, infer_shapes
from slstm.spec import ArchitectureSpec, DenseSpec, LayerSpec, lstm_stack

pytest.importorskip("keras")


def stack(*layers, **kw):
    return ArchitectureSpec(layers=tuple(layers), **kw)


CASES = [
    (lstm_stack(8, 4), {}),
    (stack(LayerSpec("gru", 6, return_sequences=True), LayerSpec("lstm", 5)), {}),
    (stack(LayerSpec("lstm", 4, return_sequences=True, bidirectional=True), LayerSpec("simple_rnn", 3)), {}),
    (stack(LayerSpec("lstm", 4), dense=(DenseSpec(7, "relu"),)), {"outputs": 3}),
    (lstm_stack(5, 3), {"outputs": 4, "task": "classification"}),
]


@pytest.mark.parametrize(("spec", "problem"), CASES)
def test_output_shapes_and_parameter_counts_match_infer_shapes(spec, problem):
    shape = InputShape(timesteps=9, features=2, **problem)
    model, rows = build_model(spec, shape), infer_shapes(spec, shape)
    assert model.count_params() == sum(row.params for row in rows)
    assert tuple(model.output_shape) == tuple(rows[-1].output_shape)


def test_a_sequence_target_keeps_the_time_axis():
    spec = stack(LayerSpec("lstm", 4, return_sequences=True), LayerSpec("lstm", 4, return_sequences=True))
    model = build_model(spec, InputShape(timesteps=7, features=1, sequence_target=True))
    assert model.output_shape == (None, 7, 1)


def test_classification_ends_in_a_softmax_over_the_classes():
    model = build_model(lstm_stack(4), InputShape(timesteps=5, features=2, outputs=3, task="classification"))
    out = model.predict(np.zeros((2, 5, 2), "float32"), verbose=0)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)


def test_an_invalid_stack_raises_the_validation_message_before_keras_sees_it():
    bad = stack(LayerSpec("lstm", 4, return_sequences=False), LayerSpec("lstm", 4))
    with pytest.raises(SpecError, match="return_sequences"):
        build_model(bad, InputShape(timesteps=5, features=1))


def test_masking_adds_no_parameters():
    plain = build_model(lstm_stack(4), InputShape(timesteps=5, features=2))
    masked = build_model(lstm_stack(4), InputShape(timesteps=5, features=2), masked=True)
    assert masked.count_params() == plain.count_params() and masked.layers[1].name == "masking"
