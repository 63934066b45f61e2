"""Look inside a built stack: every layer's output in one forward pass (`layer_outputs`), and the gates, cell
and hidden states of a recurrent layer recomputed in NumPy from the layer's own weights (`internals`).
A run's saved model is read with `load_model`. Keras is imported inside the functions, so importing this module
stays cheap."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import keras

_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its multi-output twin
_PROBES_LOCK = threading.Lock()
_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # = 1/(1+e^-z), without overflow for large -z
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
}


_PRELOAD: list[threading.Thread] = []  # the one thread that imports Keras ahead of the first look inside
_PRELOAD_LOCK = threading.Lock()


def preload_keras() -> None:
    """Import Keras (and TensorFlow) in a background thread, once per process: the server calls it when a run's
    results are shown, so that opening Inspect next does not wait for that import (7 s on 2 idle cores, over
    30 s on a machine busy with a room's training). Returns at once; load_model waits for the thread."""
    with _PRELOAD_LOCK:
        if _PRELOAD:
            return
        import importlib

        thread = threading.Thread(target=importlib.import_module, args=("keras",), name="keras-preload", daemon=True)
        _PRELOAD.append(thread)
        thread.start()


def _preloaded() -> None:
    """Wait for preload_keras's import, if one runs: two threads importing TensorFlow at once may see it half made."""
    with _PRELOAD_LOCK:
        thread = _PRELOAD[0] if _PRELOAD else None
    if thread is not None:
        thread.join()


def load_model(path: str, weights: str | None = None) -> keras.Model:
    """A saved model, read in safe mode and not compiled; with `weights` (another set of the same model's weights,
    e.g. before training), a copy holding them, so a model already loaded is never changed."""
    _preloaded()
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


# --- the recurrent cells in NumPy ------------------------------------------------------------------------


def _activation(fn: Any) -> Callable[[np.ndarray], np.ndarray]:
    name = getattr(fn, "__name__", None)
    if name in _ACTIVATIONS:
        return _ACTIVATIONS[name]
    import keras

    return lambda z: keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(z)))  # any other Keras activation


def _weights(cell: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    kernel, recurrent = cell.kernel.numpy().astype(np.float64), cell.recurrent_kernel.numpy().astype(np.float64)
    return kernel, recurrent, cell.bias.numpy().astype(np.float64) if cell.use_bias else None


def _lstm_run(cell: Any, x: np.ndarray) -> tuple[np.ndarray, Callable, int]:
    kernel, recurrent, bias = _weights(cell)  # (d, 4u), (u, 4u), (4u,); blocks i, f, c, o
    act, gate, u = _activation(cell.activation), _activation(cell.recurrent_activation), cell.units
    xw = x @ kernel + (0.0 if bias is None else bias)  # (batch, T, 4u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        h, c = state  # (batch, u) each
        z = xw_t + h @ recurrent  # (batch, 4u)
        i, f, g, o = gate(z[:, :u]), gate(z[:, u : 2 * u]), act(z[:, 2 * u : 3 * u]), gate(z[:, 3 * u :])
        c = f * c + i * g
        return {"input_gate": i, "forget_gate": f, "candidate": g, "output_gate": o}, (o * act(c), c)

    return xw, step, 2


def _gru_run(cell: Any, x: np.ndarray) -> tuple[np.ndarray, Callable, int]:
    kernel, recurrent, bias = _weights(cell)  # (d, 3u), (u, 3u), (2, 3u) with reset_after; blocks z, r, h
    act, gate, u = _activation(cell.activation), _activation(cell.recurrent_activation), cell.units
    if bias is None:
        bias = np.zeros((2, 3 * u) if cell.reset_after else (3 * u,))
    input_bias, recurrent_bias = (bias[0], bias[1]) if cell.reset_after else (bias, 0.0)
    xw = x @ kernel + input_bias  # (batch, T, 3u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        (h,) = state  # (batch, u)
        if cell.reset_after:  # Keras' default (and cuDNN's): the reset gate scales h @ U_h
            inner = h @ recurrent + recurrent_bias  # (batch, 3u)
            z, r = gate(xw_t[:, :u] + inner[:, :u]), gate(xw_t[:, u : 2 * u] + inner[:, u : 2 * u])
            hh = act(xw_t[:, 2 * u :] + r * inner[:, 2 * u :])
        else:  # the reset gate scales h before U_h
            inner = h @ recurrent[:, : 2 * u]
            z, r = gate(xw_t[:, :u] + inner[:, :u]), gate(xw_t[:, u : 2 * u] + inner[:, u:])
            hh = act(xw_t[:, 2 * u :] + (r * h) @ recurrent[:, 2 * u :])
        return {"update_gate": z, "reset_gate": r, "candidate": hh}, (z * h + (1.0 - z) * hh,)

    return xw, step, 1


def _simple_rnn_run(cell: Any, x: np.ndarray) -> tuple[np.ndarray, Callable, int]:
    kernel, recurrent, bias = _weights(cell)  # (d, u), (u, u), (u,)
    act = _activation(cell.activation)
    xw = x @ kernel + (0.0 if bias is None else bias)  # (batch, T, u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        z = xw_t + state[0] @ recurrent  # (batch, u)
        return {"pre_activation": z}, (act(z),)

    return xw, step, 1


def _scan(layer: Any, x: np.ndarray, mask: np.ndarray | None, run: Callable) -> dict[str, np.ndarray]:
    """Run one direction over `x` (batch, T, d) as Keras does, masks included; arrays in original time order."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"Expected the layer's input as (batch, timesteps, features); received shape {x.shape}.")
    keep = None if mask is None else np.asarray(mask, bool)  # (batch, T), True where a step is real
    if layer.go_backwards:
        x, keep = x[:, ::-1], None if keep is None else keep[:, ::-1]
    xw, step, num_states = run(layer.cell, x)
    batch, steps, u = x.shape[0], x.shape[1], layer.cell.units
    state = tuple(np.zeros((batch, u)) for _ in range(num_states))  # h (and c), starting at zeros
    zero_output = getattr(layer, "zero_output_for_mask", False)  # set by Bidirectional when returning sequences
    records: dict[str, np.ndarray] = {}
    for t in range(steps):
        parts, new_state = step(xw[:, t], state)
        hidden = new_state[0]
        if keep is not None:  # a masked step is skipped: no gates, the state carried over
            k = keep[:, t, None]  # (batch, 1)
            new_state = tuple(np.where(k, new, old) for new, old in zip(new_state, state, strict=True))
            parts = {name: np.where(k, v, np.nan) for name, v in parts.items()}
            hidden = np.where(k, new_state[0], 0.0) if zero_output else new_state[0]
        state = new_state
        if num_states == 2:
            parts["cell"] = state[1]
        parts["hidden"] = hidden
        for name, v in parts.items():
            if name not in records:
                records[name] = np.empty((batch, steps, u), np.float32)
            records[name][:, t] = v
    if layer.go_backwards:  # back to the original time order
        records = {name: np.ascontiguousarray(v[:, ::-1]) for name, v in records.items()}
    return records


def _internals(layer: Any, x: np.ndarray, mask: np.ndarray | None, kind: str, run: Callable) -> dict:
    import keras

    inner = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
    if type(inner).__name__ != kind:
        raise TypeError(f"Expected a {kind} layer (or Bidirectional({kind})); received {type(inner).__name__}.")
    if inner is not layer:
        forward, backward = layer.forward_layer, layer.backward_layer
        return {"forward": _scan(forward, x, mask, run), "backward": _scan(backward, x, mask, run)}
    return _scan(layer, x, mask, run)


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
    return _internals(layer, x, mask, "LSTM", _lstm_run)


def gru_internals(layer: Any, x: np.ndarray, *, mask: np.ndarray | None = None) -> dict:
    """Update and reset gates, candidate and hidden state of a Keras GRU for its input `x`, in NumPy.

    Returns arrays (batch, timesteps, units): `update_gate`, `reset_gate`, `candidate`, `hidden`, with Keras'
    update rule h_t = z * h_(t-1) + (1 - z) * candidate (z near 1 keeps the old state). Bidirectional layers
    and `mask` as in lstm_internals.
    """
    return _internals(layer, x, mask, "GRU", _gru_run)


def simple_rnn_internals(layer: Any, x: np.ndarray, *, mask: np.ndarray | None = None) -> dict:
    """`pre_activation` (x_t W + h_(t-1) U + b) and `hidden` of a Keras SimpleRNN, each (batch, timesteps, units).

    Bidirectional layers and `mask` as in lstm_internals.
    """
    return _internals(layer, x, mask, "SimpleRNN", _simple_rnn_run)


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
