"""validate(): what is wrong with a stack, in the tutorial's words, each problem with fixes that are
whole new specs, so the UI applies one with a single click."""

from __future__ import annotations

from dataclasses import dataclass, replace

from slstm import limits
from slstm.shapes import infer_shapes, total_params
from slstm.spec import ArchitectureSpec, LayerSpec

DEFAULT_PARAM_BUDGET = limits.PARAM_BUDGET  # a server setting (SLSTM_PARAM_BUDGET)


@dataclass(frozen=True)
class Fix:
    label: str
    spec: ArchitectureSpec


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error": Keras cannot build or train it; "warning": it builds, but look again
    message: str
    layer: int | None = None  # 1-based position in the stack
    fixes: tuple[Fix, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _width(layer: LayerSpec) -> int:
    return layer.units * (2 if layer.bidirectional and layer.merge_mode == "concat" else 1)


def _needs_3d(spec: ArchitectureSpec) -> list[Problem]:
    problems = []
    for i in range(1, len(spec.layers)):
        prev, layer = spec.layers[i - 1], spec.layers[i]
        if prev.return_sequences:
            continue
        message = (
            f"Layer {i + 1} ({layer.label}) receives a 2D tensor (batch, {_width(prev)}) because layer {i} "
            f"returns only its last output (return_sequences=False). A recurrent layer needs a 3D input "
            f"(batch, timesteps, features). Set return_sequences=True on layer {i}."
        )
        fix = Fix(f"Set return_sequences=True on layer {i}", spec.with_layer(i - 1, return_sequences=True))
        problems.append(Problem("needs_3d", "error", message, i + 1, (fix,)))
    return problems


def _target_shape(spec: ArchitectureSpec, *, sequence_target: bool, timesteps: int | None) -> list[Problem]:
    n = len(spec.layers)
    last = spec.layers[-1]
    t = timesteps if timesteps is not None else "timesteps"
    if last.return_sequences and not sequence_target:
        message = (
            f"Layer {n} ({last.label}), the last recurrent layer, has return_sequences=True, so the model "
            f"outputs one prediction per timestep (batch, {t}, …): that is many-to-many. Your target is one "
            f"value per sample (many-to-one), so the output must be 2D. Set return_sequences=False on layer "
            f"{n}, or keep it as a hidden layer and add a layer that returns only the last output."
        )
        added = LayerSpec(last.kind, last.units)
        fixes = (
            Fix(f"Set return_sequences=False on layer {n}", spec.with_layer(n - 1, return_sequences=False)),
            Fix(
                f"Add a {last.label.split('(')[-1].rstrip(')')}({last.units}) layer on top",
                replace(spec, layers=(*spec.layers, added)),
            ),
        )
        return [Problem("sequence_output", "error", message, n, fixes)]
    if sequence_target and not last.return_sequences:
        message = (
            f"Your target has one value per timestep (many-to-many), but layer {n} returns only its last "
            f"output. Set return_sequences=True on layer {n}."
        )
        fix = Fix(f"Set return_sequences=True on layer {n}", spec.with_layer(n - 1, return_sequences=True))
        return [Problem("last_output_only", "error", message, n, (fix,))]
    return []


def _head_width(spec: ArchitectureSpec, num_outputs: int) -> list[Problem]:
    if spec.head != "none":
        return []
    n = len(spec.layers)
    if spec.dense:
        width, what = spec.dense[-1].units, f"the last Dense layer has {spec.dense[-1].units} units"
        fix_spec = replace(spec, dense=(*spec.dense[:-1], replace(spec.dense[-1], units=num_outputs)))
        fix_label = f"Set the last Dense layer to {num_outputs} units"
    else:
        last = spec.layers[-1]
        width, what = _width(last), f"layer {n} ({last.label}) outputs {_width(last)} values"
        fix_spec = spec.with_layer(n - 1, units=num_outputs, bidirectional=False)
        fix_label = f"Set layer {n} to {num_outputs} units"
    if width == num_outputs:
        return []
    message = (
        f"With head='none' the last layer is the output layer, but {what} and the target has "
        f"{num_outputs}. Set its units to {num_outputs}, or add a Dense output head."
    )
    fixes = (Fix(fix_label, fix_spec), Fix("Add a Dense output head (head='dense')", replace(spec, head="dense")))
    return [Problem("head_width", "error", message, None, fixes)]


def validate(
    spec: ArchitectureSpec,
    *,
    num_outputs: int = 1,
    sequence_target: bool = False,
    timesteps: int | None = None,
    num_features: int | None = None,
    max_layers: int | None = None,
    param_budget: int | None = None,
) -> list[Problem]:
    """Problems with `spec` for a target of `num_outputs` values; errors first.

    >>> from slstm.spec import lstm_stack
    >>> bad = lstm_stack(64, 32).with_layer(0, return_sequences=False)
    >>> [p.fixes[0].label for p in validate(bad)]
    ['Set return_sequences=True on layer 1']
    """
    if not spec.layers:
        fix = Fix("Add an LSTM(32) layer", replace(spec, layers=(LayerSpec("lstm", 32),)))
        return [Problem("empty", "error", "The stack has no recurrent layer. Add one, e.g. LSTM(32).", None, (fix,))]
    problems: list[Problem] = []
    max_layers = limits.MAX_LAYERS if max_layers is None else max_layers
    param_budget = limits.PARAM_BUDGET if param_budget is None else param_budget
    if len(spec.layers) > max_layers:
        trimmed = replace(spec, layers=spec.layers[:max_layers]).with_layer(max_layers - 1, return_sequences=False)
        message = (
            f"The stack has {len(spec.layers)} recurrent layers; the limit here is {max_layers} (setting "
            "SLSTM_MAX_LAYERS). "
            "Past about four layers returns diminish while training slows."
        )
        problems.append(Problem("too_deep", "error", message, None, (Fix(f"Keep the first {max_layers}", trimmed),)))
    problems += _needs_3d(spec)
    problems += _target_shape(spec, sequence_target=sequence_target, timesteps=timesteps)
    problems += _head_width(spec, num_outputs)
    for i, layer in enumerate(spec.layers, start=1):
        if layer.recurrent_dropout > 0:
            message = (
                f"Layer {i} uses recurrent_dropout={layer.recurrent_dropout:g}: Keras then cannot use the fast "
                "cuDNN kernel on a GPU, and training is several times slower there. Prefer dropout, "
                "or accept the slower kernel."
            )
            fix = Fix(f"Set recurrent_dropout=0 on layer {i}", spec.with_layer(i - 1, recurrent_dropout=0.0))
            problems.append(Problem("recurrent_dropout", "warning", message, i, (fix,)))
    if timesteps and num_features and not any(p.is_error for p in problems):
        total = total_params(
            infer_shapes(spec, timesteps=timesteps, num_features=num_features, num_outputs=num_outputs)
        )
        if total is not None and total > param_budget:
            message = limits.params_message(total, param_budget) + " Training it would slow everyone sharing it."
            problems.append(Problem("param_budget", "error", message, None, _smaller(spec)))
    return sorted(problems, key=lambda p: not p.is_error)


def _smaller(spec: ArchitectureSpec) -> tuple[Fix, ...]:
    """One fix for a model over the budget: every layer at a quarter of its units."""
    layers = tuple(replace(x, units=max(1, x.units // 4)) for x in spec.layers)
    dense = tuple(replace(d, units=max(1, d.units // 4)) for d in spec.dense)
    return (Fix("Use a quarter of the units in every layer", replace(spec, layers=layers, dense=dense)),)


def first_error(problems: list[Problem]) -> Problem | None:
    return next((p for p in problems if p.is_error), None)


def cudnn_notes(spec: ArchitectureSpec) -> list[str]:
    """Why layers cannot use the fast cuDNN kernel on a GPU (an empty list: every layer can)."""
    notes = []
    for i, layer in enumerate(spec.layers, start=1):
        if layer.kind == "simple_rnn":
            notes.append(f"Layer {i} (SimpleRNN) has no cuDNN kernel.")
        elif layer.recurrent_dropout > 0:
            notes.append(f"Layer {i} ({layer.label}) uses recurrent_dropout, which turns the cuDNN kernel off.")
    return notes


def check_job(spec, windows, epochs: int) -> None:
    """Everything a training job is checked against before it is created (Train page, sweeps, CLI): the
    stack's own limits, its parameters for this data, the epochs, and the data's arrays."""
    limits.check_epochs(epochs)
    if len(spec.layers) > limits.MAX_LAYERS:
        raise limits.BudgetError(
            f"The stack has {len(spec.layers)} recurrent layers; this server trains at most {limits.MAX_LAYERS} "
            "(setting SLSTM_MAX_LAYERS)."
        )
    rows = infer_shapes(
        spec, timesteps=windows.timesteps, num_features=windows.num_features, num_outputs=windows.num_outputs
    )
    limits.check_params(total_params(rows))
