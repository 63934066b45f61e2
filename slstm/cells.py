"""The recurrent cells in NumPy: LSTM, GRU and SimpleRNN run step by step from plain weight arrays, recording the
gates, cell and hidden state at every timestep as Keras computes them (equal to Keras to 1e-5; tests/test_inspect.py).
No Keras here: the server uses it for Learn's live examples, workers for a trained model's internals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Activation = Callable[[np.ndarray], np.ndarray]
ACTIVATIONS: dict[str, Activation] = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # = 1/(1+e^-z), without overflow for large -z
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
}
GATES = {  # what each kind records at every step, besides "hidden" (and an LSTM's "cell")
    "lstm": ("input_gate", "forget_gate", "candidate", "output_gate"),
    "gru": ("update_gate", "reset_gate", "candidate"),
    "simple_rnn": ("pre_activation",),
}


@dataclass(frozen=True)
class Cell:
    """One direction of a recurrent layer as plain arrays, in Keras' layout: `kernel` (d, k·u), `recurrent`
    (u, k·u) and `bias` (k·u,) or, for a GRU with reset_after, (2, k·u); k is 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h)
    or 1 (SimpleRNN)."""

    kind: str  # "lstm" | "gru" | "simple_rnn"
    units: int
    kernel: np.ndarray
    recurrent: np.ndarray
    bias: np.ndarray | None = None
    activation: Activation = np.tanh
    recurrent_activation: Activation = ACTIVATIONS["sigmoid"]
    reset_after: bool = True  # GRU only: Keras' default (and cuDNN's)
    go_backwards: bool = False
    zero_output_for_mask: bool = False  # set by Bidirectional when it returns sequences


def _lstm(cell: Cell, x: np.ndarray):
    u, act, gate = cell.units, cell.activation, cell.recurrent_activation
    xw = x @ cell.kernel + (0.0 if cell.bias is None else cell.bias)  # (batch, T, 4u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        h, c = state  # (batch, u) each
        z = xw_t + h @ cell.recurrent  # (batch, 4u)
        i, f, g, o = gate(z[:, :u]), gate(z[:, u : 2 * u]), act(z[:, 2 * u : 3 * u]), gate(z[:, 3 * u :])
        c = f * c + i * g
        return {"input_gate": i, "forget_gate": f, "candidate": g, "output_gate": o}, (o * act(c), c)

    return xw, step, 2


def _gru(cell: Cell, x: np.ndarray):
    u, act, gate, recurrent = cell.units, cell.activation, cell.recurrent_activation, cell.recurrent
    bias = cell.bias if cell.bias is not None else np.zeros((2, 3 * u) if cell.reset_after else (3 * u,))
    input_bias, recurrent_bias = (bias[0], bias[1]) if cell.reset_after else (bias, 0.0)
    xw = x @ cell.kernel + input_bias  # (batch, T, 3u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        (h,) = state  # (batch, u)
        if cell.reset_after:  # the reset gate scales h @ U_h
            inner = h @ recurrent + recurrent_bias  # (batch, 3u)
            z, r = gate(xw_t[:, :u] + inner[:, :u]), gate(xw_t[:, u : 2 * u] + inner[:, u : 2 * u])
            hh = act(xw_t[:, 2 * u :] + r * inner[:, 2 * u :])
        else:  # the reset gate scales h before U_h
            inner = h @ recurrent[:, : 2 * u]
            z, r = gate(xw_t[:, :u] + inner[:, :u]), gate(xw_t[:, u : 2 * u] + inner[:, u:])
            hh = act(xw_t[:, 2 * u :] + (r * h) @ recurrent[:, 2 * u :])
        return {"update_gate": z, "reset_gate": r, "candidate": hh}, (z * h + (1.0 - z) * hh,)

    return xw, step, 1


def _simple_rnn(cell: Cell, x: np.ndarray):
    xw = x @ cell.kernel + (0.0 if cell.bias is None else cell.bias)  # (batch, T, u)

    def step(xw_t: np.ndarray, state: tuple) -> tuple[dict, tuple]:
        z = xw_t + state[0] @ cell.recurrent  # (batch, u)
        return {"pre_activation": z}, (cell.activation(z),)

    return xw, step, 1


_RUNS = {"lstm": _lstm, "gru": _gru, "simple_rnn": _simple_rnn}


def scan(cell: Cell, x: np.ndarray, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Run `cell` over `x` (batch, T, d) as Keras does, masks included: arrays (batch, T, units) in the original
    time order, the gates of GATES[cell.kind], "cell" for an LSTM, and "hidden" (the layer's output at each step).
    `mask` (batch, T), True where a step is real: a masked step has NaN gates and carries the state over.

    >>> cell = Cell("lstm", 1, np.ones((1, 4)), np.zeros((1, 4)))
    >>> {name: a.shape for name, a in scan(cell, np.zeros((2, 3, 1))).items()}["cell"]
    (2, 3, 1)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"Expected the layer's input as (batch, timesteps, features); received shape {x.shape}.")
    keep = None if mask is None else np.asarray(mask, bool)  # (batch, T), True where a step is real
    if cell.go_backwards:
        x, keep = x[:, ::-1], None if keep is None else keep[:, ::-1]
    xw, step, num_states = _RUNS[cell.kind](cell, x)
    batch, steps, u = x.shape[0], x.shape[1], cell.units
    state = tuple(np.zeros((batch, u)) for _ in range(num_states))  # h (and c), starting at zeros
    records: dict[str, np.ndarray] = {}
    for t in range(steps):
        parts, new_state = step(xw[:, t], state)
        hidden = new_state[0]
        if keep is not None:  # a masked step is skipped: no gates, the state carried over
            k = keep[:, t, None]  # (batch, 1)
            new_state = tuple(np.where(k, new, old) for new, old in zip(new_state, state, strict=True))
            parts = {name: np.where(k, v, np.nan) for name, v in parts.items()}
            hidden = np.where(k, new_state[0], 0.0) if cell.zero_output_for_mask else new_state[0]
        state = new_state
        if num_states == 2:
            parts["cell"] = state[1]
        parts["hidden"] = hidden
        for name, v in parts.items():
            if name not in records:
                records[name] = np.empty((batch, steps, u), np.float32)
            records[name][:, t] = v
    if cell.go_backwards:  # back to the original time order
        records = {name: np.ascontiguousarray(v[:, ::-1]) for name, v in records.items()}
    return records
