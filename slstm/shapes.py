"""Output shape and parameter count of every layer, in pure Python (no TensorFlow), equal to what Keras
builds: `infer_shapes(spec, InputShape(timesteps=T, features=F))` answers before any model exists."""

from __future__ import annotations

from dataclasses import dataclass

from slstm.spec import ArchitectureSpec, LayerSpec

Shape = tuple[int | None, ...]
TASKS = ("regression", "classification")


@dataclass(frozen=True)
class InputShape:
    """The data's side of a model: `timesteps` steps of `features` values in, `outputs` values out (the
    number of classes for classification), one output per window or, with `sequence_target`, per timestep.
    What validate, infer_shapes, build_model, to_keras_code and the Compare table take; `Windows.shape`
    gives it for prepared data.

    >>> InputShape(24, 3).batch_input
    (None, 24, 3)
    """

    timesteps: int
    features: int
    outputs: int = 1
    task: str = "regression"  # "regression" | "classification"
    sequence_target: bool = False  # one target per timestep (the last recurrent layer returns sequences)

    @property
    def classify(self) -> bool:
        return self.task == "classification"

    @property
    def batch_input(self) -> Shape:
        return (None, self.timesteps, self.features)


@dataclass(frozen=True)
class LayerShape:
    """One layer of the built model: its Keras name, input and output shape, parameters and why."""

    name: str
    kind: str  # "lstm" | "gru" | "simple_rnn" | "dense" | "output"
    label: str  # what Keras calls it, e.g. "Bidirectional(LSTM)"
    input_shape: Shape
    output_shape: Shape | None  # None when the layer cannot be built (e.g. a recurrent layer fed 2D input)
    params: int | None
    formula: str
    reason: str

    @property
    def ok(self) -> bool:
        return self.output_shape is not None

    @property
    def ndim(self) -> int | None:
        return None if self.output_shape is None else len(self.output_shape)


def recurrent_params(kind: str, units: int, input_dim: int) -> int:
    """Parameters of one recurrent layer as Keras 3 counts them (GRU with reset_after=True).

    >>> recurrent_params("lstm", 1, 1)  # 4·u·(d+u+1)
    12
    """
    u, d = units, input_dim
    if kind == "lstm":
        return 4 * u * (d + u + 1)
    if kind == "gru":
        return 3 * u * (d + u + 2)  # reset_after=True keeps two bias vectors
    return u * (d + u + 1)


def _formula(kind: str, u: int, d: int) -> str:
    if kind == "lstm":
        return f"4·u·(d+u+1) = 4·{u}·({d}+{u}+1)"
    if kind == "gru":
        return f"3·u·(d+u+2) = 3·{u}·({d}+{u}+2)"
    return f"u·(d+u+1) = {u}·({d}+{u}+1)"


def shape_text(shape: Shape | None) -> str:
    """`(None, 3, 1)` -> "(batch, 3, 1)"."""
    if shape is None:
        return "—"
    return "(" + ", ".join("batch" if s is None else str(s) for s in shape) + ")"


def _recurrent(layer: LayerSpec, name: str, shape: Shape, timesteps: int) -> LayerShape:
    label = layer.label
    if len(shape) != 3:
        reason = f"{label} needs a 3D input (batch, timesteps, features) but receives the 2D tensor {shape_text(shape)}"
        return LayerShape(name, layer.kind, label, shape, None, None, "", reason)
    d, u = shape[-1], layer.units
    assert d is not None
    params = recurrent_params(layer.kind, u, d)
    formula = _formula(layer.kind, u, d)
    width = u
    if layer.bidirectional:
        params *= 2
        formula = " = ".join(f"2 × {side}" for side in formula.split(" = "))  # both directions, on every side
        if layer.merge_mode == "concat":
            width = 2 * u
    if layer.return_sequences:
        out: Shape = (None, timesteps, width)
        reason = "3D: one vector per timestep, because return_sequences=True"
    else:
        out = (None, width)
        reason = "2D: only the last timestep's output, because return_sequences=False"
    if layer.bidirectional:
        reason += f"; both directions merged by {layer.merge_mode}"
    return LayerShape(name, layer.kind, label, shape, out, params, f"{formula} = {params:,}", reason)


def _dense(name: str, kind: str, units: int, shape: Shape, label: str) -> LayerShape:
    d = shape[-1]
    assert d is not None
    params = units * (d + 1)
    out = (*shape[:-1], units)
    reason = "applied to every timestep (input is 3D)" if len(shape) == 3 else "one vector per sample"
    return LayerShape(name, kind, label, shape, out, params, f"u·(d+1) = {units}·({d}+1) = {params:,}", reason)


def layer_names(spec: ArchitectureSpec) -> list[str]:
    """The Keras layer names build_model gives, in order (recurrent, hidden dense, output)."""
    names = [f"{'bi_' if layer.bidirectional else ''}{layer.kind}_{i}" for i, layer in enumerate(spec.layers, start=1)]
    names += [f"dense_{j}" for j in range(1, len(spec.dense) + 1)]
    if spec.head == "dense":
        names.append("output")
    return names


def infer_shapes(spec: ArchitectureSpec, shape: InputShape) -> list[LayerShape]:
    """Every layer's output shape and parameter count, as Keras would build them.

    >>> from slstm.spec import ArchitectureSpec
    >>> s = ArchitectureSpec.from_dict({"layers": [{"kind": "lstm", "units": 1}], "head": "none"})
    >>> [(r.output_shape, r.params) for r in infer_shapes(s, InputShape(timesteps=3, features=1))]
    [((None, 1), 12)]
    """
    names = iter(layer_names(spec))
    timesteps, num_outputs = shape.timesteps, shape.outputs
    shape: Shape | None = shape.batch_input
    rows: list[LayerShape] = []
    for layer in spec.layers:
        name = next(names)
        if shape is None:  # an earlier layer could not be built
            rows.append(LayerShape(name, layer.kind, layer.label, (), None, None, "", "not built: see above"))
            continue
        row = _recurrent(layer, name, shape, timesteps)
        rows.append(row)
        shape = row.output_shape
    tail = [(d.units, "dense", f"Dense({d.activation})") for d in spec.dense]
    if spec.head == "dense":
        tail.append((num_outputs, "output", "Dense (output)"))
    for units, kind, label in tail:
        name = next(names)
        if shape is None:
            rows.append(LayerShape(name, kind, label, (), None, None, "", "not built: see above"))
            continue
        row = _dense(name, kind, units, shape, label)
        rows.append(row)
        shape = row.output_shape
    return rows


def total_params(rows: list[LayerShape]) -> int | None:
    """Sum of parameters, or None when some layer cannot be built."""
    if any(r.params is None for r in rows):
        return None
    return sum(r.params or 0 for r in rows)


def output_shape(rows: list[LayerShape]) -> Shape | None:
    return rows[-1].output_shape if rows else None


def train_flops_per_epoch(rows: list[LayerShape], *, timesteps: int, samples: int) -> int | None:
    """Rough training cost of one epoch: 2 FLOPs per weight per timestep it is applied at, forward, and
    about twice that again backward (so 6 per weight-use). Good for comparing stacks, not for a stopwatch."""
    if total_params(rows) is None:
        return None
    uses = 0
    for r in rows:
        per_step = r.kind in ("lstm", "gru", "simple_rnn") or len(r.input_shape) == 3
        uses += (r.params or 0) * (timesteps if per_step else 1)
    return 6 * uses * samples
