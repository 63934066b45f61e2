"""Look inside a built stack: every layer's output in one forward pass (`layer_outputs`), and the gates, cell
and hidden states of a recurrent layer recomputed in NumPy from the layer's own weights (`internals`, through
slstm.cells); `look_inside` gives all Inspect draws at once. A run's saved model is read with `load_model`.
These need Keras, so they run in a worker (slstm.inspector), never in the server; Keras is imported
inside the functions, so importing this module stays cheap."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from slstm.cells import ACTIVATIONS, Cell, scan

if TYPE_CHECKING:
    import keras

_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its multi-output twin
_PROBES_LOCK = threading.Lock()
_KINDS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}  # Keras class -> Cell.kind


def load_model(path: str, weights: str | None = None) -> keras.Model:
    """A saved model, read in safe mode and not compiled; with `weights` (another set of the same model's weights,
    e.g. before training), a copy holding them, so a model already loaded is never changed."""
    import keras

    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    if weights:
        model = keras.models.clone_model(model)
        model.load_weights(weights)
    return model


def _shown_layers(model: keras.Model) -> list:
    """The layers worth looking at, in model order: all but the Input and the Masking layer."""
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer | keras.layers.Masking)]


def _probe(model: keras.Model) -> keras.Model:
    """A keras.Model sharing `model`'s layers and weights whose outputs are every shown layer's output."""
    with _PROBES_LOCK:
        probe = _PROBES.get(model)
        if probe is None:
            import keras

            inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
            outputs = [layer.output for layer in _shown_layers(model)]
            probe = _PROBES[model] = keras.Model(inputs, outputs, name=f"{model.name}_layers")
    return probe


def layer_outputs(model: keras.Model, x: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output for the batch `x` (batch, timesteps, features), from one forward pass, in model order.

    The multi-output model is built once per model object and kept while the model lives.

    >>> from slstm.model import build_model
    >>> from slstm.shapes import InputShape
    >>> from slstm.spec import lstm_stack
    >>> model = build_model(lstm_stack(8, 4), InputShape(timesteps=10, features=3))
    >>> {name: a.shape for name, a in layer_outputs(model, np.zeros((2, 10, 3))).items()}
    {'lstm_1': (2, 10, 8), 'lstm_2': (2, 4), 'output': (2, 1)}
    """
    values = _probe(model).predict_on_batch(np.asarray(x, dtype="float32"))
    if not isinstance(values, list | tuple):  # a one-layer model gives one array
        values = [values]
    return {layer.name: np.asarray(v) for layer, v in zip(_shown_layers(model), values, strict=True)}


# --- a Keras layer as NumPy cells -------------------------------------------------------------------------


def _activation(fn: Any) -> Callable[[np.ndarray], np.ndarray]:
    name = getattr(fn, "__name__", None)
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    import keras

    return lambda z: keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(z)))  # any other Keras activation


def cell_of(layer: Any) -> Cell:
    """One direction of a Keras LSTM, GRU or SimpleRNN layer as a NumPy Cell holding its weights (float64)."""
    cell, kind = layer.cell, _KINDS[type(layer).__name__]
    weights = [cell.kernel.numpy(), cell.recurrent_kernel.numpy(), cell.bias.numpy() if cell.use_bias else None]
    kernel, recurrent, bias = (None if w is None else w.astype(np.float64) for w in weights)
    return Cell(
        kind,
        cell.units,
        kernel,
        recurrent,
        bias,
        activation=_activation(cell.activation),
        recurrent_activation=_activation(getattr(cell, "recurrent_activation", None) or cell.activation),
        reset_after=getattr(cell, "reset_after", True),
        go_backwards=layer.go_backwards,
        zero_output_for_mask=getattr(layer, "zero_output_for_mask", False),
    )


def _internals(layer: Any, x: np.ndarray, mask: np.ndarray | None, kind: str) -> dict:
    import keras

    inner = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
    if type(inner).__name__ != kind:
        raise TypeError(f"Expected a {kind} layer (or Bidirectional({kind})); received {type(inner).__name__}.")
    if inner is not layer:
        forward, backward = cell_of(layer.forward_layer), cell_of(layer.backward_layer)
        return {"forward": scan(forward, x, mask), "backward": scan(backward, x, mask)}
    return scan(cell_of(layer), x, mask)


def lstm_internals(layer: Any, x: np.ndarray, *, mask: np.ndarray | None = None) -> dict:
    """Gates, cell and hidden state of a Keras LSTM for its input `x` (batch, timesteps, input_dim), in NumPy.

    Returns arrays (batch, timesteps, units): `input_gate`, `forget_gate`, `candidate`, `output_gate`,
    `cell`, `hidden`; `hidden` is what the layer outputs at each step (its last step when
    return_sequences=False).

    For a Bidirectional layer the result is `{"forward": ..., "backward": ...}`. The backward direction reads
    the sequence from the last step to the first; its arrays are reported in the original time order, so
    `backward[...][:, t]` is its state after reading steps T-1 down to t, and its final output (what it returns
    with return_sequences=False) is `backward["hidden"][:, 0]`. `mask` (batch, timesteps), True where a step is
    real, skips padded steps as Keras does: their gates are NaN and the state is carried over.

    >>> import keras
    >>> layer = keras.layers.LSTM(3, return_sequences=True)
    >>> y = layer(np.ones((2, 5, 4), "float32"))
    >>> lstm_internals(layer, np.ones((2, 5, 4)))["cell"].shape
    (2, 5, 3)
    """
    return _internals(layer, x, mask, "LSTM")


def gru_internals(layer: Any, x: np.ndarray, *, mask: np.ndarray | None = None) -> dict:
    """Update and reset gates, candidate and hidden state of a Keras GRU for its input `x`, in NumPy.

    Returns arrays (batch, timesteps, units): `update_gate`, `reset_gate`, `candidate`, `hidden`, with Keras'
    update rule h_t = z * h_(t-1) + (1 - z) * candidate (z near 1 keeps the old state). Bidirectional layers
    and `mask` as in lstm_internals.
    """
    return _internals(layer, x, mask, "GRU")


def simple_rnn_internals(layer: Any, x: np.ndarray, *, mask: np.ndarray | None = None) -> dict:
    """`pre_activation` (x_t W + h_(t-1) U + b) and `hidden` of a Keras SimpleRNN, each (batch, timesteps, units).

    Bidirectional layers and `mask` as in lstm_internals.
    """
    return _internals(layer, x, mask, "SimpleRNN")


_RUNS = {"LSTM": lstm_internals, "GRU": gru_internals, "SimpleRNN": simple_rnn_internals}


# --- a layer of a model ----------------------------------------------------------------------------------


def _kind(layer: Any) -> str | None:
    inner = getattr(layer, "forward_layer", layer)  # Bidirectional wraps one of the three
    name = type(inner).__name__
    return name if name in _RUNS else None


def _mask(model: keras.Model, x: np.ndarray) -> np.ndarray | None:
    """(batch, timesteps), True where a step is real, when the model has a Masking layer; else None."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Masking):
            return np.any(np.asarray(x) != layer.mask_value, axis=-1)
    return None


def internals(model: keras.Model, layer_name: str, x: np.ndarray, *, outputs: dict | None = None) -> dict:
    """The internals of the recurrent layer `layer_name` of a build_model stack for the model input `x`.

    Its input is the previous layer's output, taken from `outputs` (a layer_outputs result for the same `x`)
    or from one forward pass. Dispatches to lstm_internals, gru_internals or simple_rnn_internals.
    """
    layers = _shown_layers(model)
    names = [layer.name for layer in layers]
    if layer_name not in names:
        raise KeyError(f"The model has no layer {layer_name!r}; its layers are {', '.join(names)}.")
    index = names.index(layer_name)
    layer = layers[index]
    kind = _kind(layer)
    if kind is None:
        raise ValueError(f"Layer {layer_name!r} is a {type(layer).__name__}; only recurrent layers have internals.")
    if index == 0:
        seq = np.asarray(x)  # (batch, timesteps, features)
    else:
        seq = (outputs if outputs is not None else layer_outputs(model, x))[names[index - 1]]
    return _RUNS[kind](layer, seq, mask=_mask(model, x))


def _merge(mode: str, forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    if mode == "concat":
        return np.concatenate([forward, backward], axis=-1)
    return {"sum": forward + backward, "ave": (forward + backward) / 2, "mul": forward * backward}[mode]


def head_over_time(model: keras.Model, x: np.ndarray, *, outputs: dict | None = None) -> np.ndarray:
    """The prediction as it forms: the layers after the top recurrent layer applied at every timestep.

    Returns (batch, timesteps, outputs); the last timestep equals `model(x)`. When the top layer returns only
    its last output, its per-step hidden states come from `internals`. For a Bidirectional top layer only the
    forward reading unfolds: the backward direction's final state (it has read the whole window) is used at
    every step. With only forward layers, step t depends on the input up to t alone.
    """
    import keras

    layers = _shown_layers(model)
    top = max((i for i, layer in enumerate(layers) if _kind(layer)), default=None)
    if top is None:
        raise ValueError("The model has no recurrent layer.")
    outputs = outputs if outputs is not None else layer_outputs(model, x)
    layer = layers[top]
    seq = outputs[layer.name]  # (batch, timesteps, width) or (batch, width)
    if seq.ndim == 2:
        states = internals(model, layer.name, x, outputs=outputs)
        if isinstance(layer, keras.layers.Bidirectional):
            backward = np.broadcast_to(states["backward"]["hidden"][:, :1], states["forward"]["hidden"].shape)
            seq = _merge(layer.merge_mode, states["forward"]["hidden"], backward)
        else:
            seq = states["hidden"]  # (batch, timesteps, units)
    for later in layers[top + 1 :]:  # Dense layers act on the last axis, so on every timestep at once
        seq = keras.ops.convert_to_numpy(later(seq.astype(np.float32)))
    return np.asarray(seq)


def look_inside(model: keras.Model, x: np.ndarray) -> dict:
    """Everything Inspect draws for the batch `x`, as plain arrays: {"outputs": every shown layer's output,
    "internals": each recurrent layer's gates and states (as `internals` gives them), "forming": the prediction
    as it forms (head_over_time), or None where the model has no recurrent layer}. One forward pass."""
    outputs = layer_outputs(model, x)
    recurrent = [layer.name for layer in _shown_layers(model) if _kind(layer)]
    found = {name: internals(model, name, x, outputs=outputs) for name in recurrent}
    forming = head_over_time(model, x, outputs=outputs) if recurrent else None
    return {"outputs": outputs, "internals": found, "forming": forming}
