"""build_model(): the only place that constructs Keras layers. TensorFlow is imported inside, so
importing this module stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slstm.errors import SpecError
from slstm.problems import first_error, validate
from slstm.shapes import InputShape, layer_names
from slstm.spec import KIND_LABELS, ArchitectureSpec

if TYPE_CHECKING:
    import keras


def build_model(
    spec: ArchitectureSpec,
    shape: InputShape,
    *,
    check: bool = True,
    masked: bool = False,
) -> keras.Model:
    """A functional `keras.Model` for `spec` on inputs `(batch, timesteps, features)` of `shape`; not compiled.

    Raises SpecError (the first problem from validate()) when the stack cannot work; `check=False`
    hands the spec to Keras as it is (for tests that compare validate() with Keras' own refusals). `masked`
    adds a Masking layer for zero-padded sequences (it has no parameters and keeps the shape).

    >>> from slstm.spec import lstm_stack
    >>> build_model(lstm_stack(8, 4), InputShape(timesteps=10, features=3)).output_shape
    (None, 1)
    """
    problem = check and first_error(validate(spec, shape))
    if problem:
        raise SpecError(problem.message)
    import keras

    names = iter(layer_names(spec))
    inputs = keras.Input(shape=(shape.timesteps, shape.features), name="input")
    x = inputs  # (batch, timesteps, features)
    if masked:  # padded sequences: all-zero timesteps are skipped by the recurrent layers
        x = keras.layers.Masking(mask_value=0.0, name="masking")(x)
    for layer in spec.layers:
        name = next(names)
        cls = getattr(keras.layers, KIND_LABELS[layer.kind])  # the label is the Keras class name
        options = dict(
            units=layer.units,
            return_sequences=layer.return_sequences,
            dropout=layer.dropout,
            recurrent_dropout=layer.recurrent_dropout,
        )
        if layer.bidirectional:
            x = keras.layers.Bidirectional(cls(**options), merge_mode=layer.merge_mode, name=name)(x)
        else:
            x = cls(**options, name=name)(x)
    for dense in spec.dense:
        x = keras.layers.Dense(dense.units, activation=dense.activation, name=next(names))(x)
    if spec.head == "dense":
        activation = "softmax" if shape.classify else None
        x = keras.layers.Dense(shape.outputs, activation=activation, name=next(names))(x)
    return keras.Model(inputs, x, name="stacked_rnn")
