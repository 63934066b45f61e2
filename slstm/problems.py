"""validate(): what is wrong with a stack, in the tutorial's words, each problem with fixes that are
whole new specs, so the UI applies one with a single click."""

from __future__ import annotations

from dataclasses import dataclass, replace

from slstm import limits
from slstm.i18n import t
from slstm.shapes import InputShape, infer_shapes, total_params
from slstm.spec import KIND_LABELS, ArchitectureSpec, LayerSpec

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


def _needs_3d(spec: ArchitectureSpec, lang: str) -> list[Problem]:
    problems = []
    for i in range(1, len(spec.layers)):
        prev, layer = spec.layers[i - 1], spec.layers[i]
        if prev.return_sequences:
            continue
        message = t("problems.needs_3d.message", lang, layer=i + 1, label=layer.label, width=_width(prev), prev=i)
        fix = Fix(
            t("problems.needs_3d.fix_return_sequences", lang, layer=i),
            spec.with_layer(i - 1, return_sequences=True),
        )
        problems.append(Problem("needs_3d", "error", message, i + 1, (fix,)))
    return problems


def _target_shape(spec: ArchitectureSpec, *, sequence_target: bool, timesteps: int | None, lang: str) -> list[Problem]:
    n = len(spec.layers)
    last = spec.layers[-1]
    if last.return_sequences and not sequence_target:
        message = t(
            "problems.sequence_output.message",
            lang,
            layer=n,
            label=last.label,
            timesteps=timesteps if timesteps is not None else "timesteps",
        )
        added = LayerSpec(last.kind, last.units)
        fixes = (
            Fix(
                t("problems.sequence_output.fix_return_sequences", lang, layer=n),
                spec.with_layer(n - 1, return_sequences=False),
            ),
            Fix(
                t("problems.sequence_output.fix_add_layer", lang, kind=KIND_LABELS[last.kind], units=last.units),
                replace(spec, layers=(*spec.layers, added)),
            ),
        )
        return [Problem("sequence_output", "error", message, n, fixes)]
    if sequence_target and not last.return_sequences:
        message = t("problems.last_output_only.message", lang, layer=n)
        fix = Fix(
            t("problems.last_output_only.fix_return_sequences", lang, layer=n),
            spec.with_layer(n - 1, return_sequences=True),
        )
        return [Problem("last_output_only", "error", message, n, (fix,))]
    return []


def _head_width(spec: ArchitectureSpec, num_outputs: int, lang: str) -> list[Problem]:
    if spec.head != "none":
        return []
    n = len(spec.layers)
    if spec.dense:
        width = spec.dense[-1].units
        what = t("problems.head_width.what_dense", lang, units=width)
        fix_spec = replace(spec, dense=(*spec.dense[:-1], replace(spec.dense[-1], units=num_outputs)))
        fix_label = t("problems.head_width.fix_units_dense", lang, outputs=num_outputs)
    else:
        last = spec.layers[-1]
        width = _width(last)
        what = t("problems.head_width.what_layer", lang, layer=n, label=last.label, width=width)
        fix_spec = spec.with_layer(n - 1, units=num_outputs, bidirectional=False)
        fix_label = t("problems.head_width.fix_units_layer", lang, layer=n, outputs=num_outputs)
    if width == num_outputs:
        return []
    message = t("problems.head_width.message", lang, what=what, outputs=num_outputs)
    fixes = (
        Fix(fix_label, fix_spec),
        Fix(t("problems.head_width.fix_dense_head", lang), replace(spec, head="dense")),
    )
    return [Problem("head_width", "error", message, None, fixes)]


def validate(
    spec: ArchitectureSpec,
    shape: InputShape | None = None,
    *,
    max_layers: int | None = None,
    param_budget: int | None = None,
    lang: str = "en",
) -> list[Problem]:
    """Problems with `spec` for data of `shape` (None: no data yet, only the checks that need none); errors
    first. Messages and fix labels are in `lang` (slstm/messages/<lang>/problems.toml, keyed by the problem's
    code).

    >>> from slstm.spec import lstm_stack
    >>> bad = lstm_stack(64, 32).with_layer(0, return_sequences=False)
    >>> [p.fixes[0].label for p in validate(bad)]
    ['Set return_sequences=True on layer 1']
    >>> [p.fixes[0].label for p in validate(bad, lang="zh")]
    ['在第 1 层设置 return_sequences=True']
    """
    if not spec.layers:
        fix = Fix(t("problems.empty.fix_add", lang), replace(spec, layers=(LayerSpec("lstm", 32),)))
        return [Problem("empty", "error", t("problems.empty.message", lang), None, (fix,))]
    problems: list[Problem] = []
    max_layers = limits.MAX_LAYERS if max_layers is None else max_layers
    param_budget = limits.PARAM_BUDGET if param_budget is None else param_budget
    if len(spec.layers) > max_layers:
        trimmed = replace(spec, layers=spec.layers[:max_layers]).with_layer(max_layers - 1, return_sequences=False)
        message = t("problems.too_deep.message", lang, layers=len(spec.layers), limit=max_layers)
        fix = Fix(t("problems.too_deep.fix_keep", lang, limit=max_layers), trimmed)
        problems.append(Problem("too_deep", "error", message, None, (fix,)))
    problems += _needs_3d(spec, lang)
    sequence_target = shape is not None and shape.sequence_target
    problems += _target_shape(spec, sequence_target=sequence_target, timesteps=shape and shape.timesteps, lang=lang)
    problems += _head_width(spec, 1 if shape is None else shape.outputs, lang)
    for i, layer in enumerate(spec.layers, start=1):
        if layer.recurrent_dropout > 0:
            message = t("problems.recurrent_dropout.message", lang, layer=i, rate=layer.recurrent_dropout)
            fix = Fix(
                t("problems.recurrent_dropout.fix_zero", lang, layer=i),
                spec.with_layer(i - 1, recurrent_dropout=0.0),
            )
            problems.append(Problem("recurrent_dropout", "warning", message, i, (fix,)))
    if shape is not None and not any(p.is_error for p in problems):
        total = total_params(infer_shapes(spec, shape))
        if total is not None and total > param_budget:
            message = t("problems.param_budget.message", lang, total=total, budget=param_budget)
            problems.append(Problem("param_budget", "error", message, None, _smaller(spec, lang)))
    return sorted(problems, key=lambda p: not p.is_error)


def _smaller(spec: ArchitectureSpec, lang: str) -> tuple[Fix, ...]:
    """One fix for a model over the budget: every layer at a quarter of its units."""
    layers = tuple(replace(x, units=max(1, x.units // 4)) for x in spec.layers)
    dense = tuple(replace(d, units=max(1, d.units // 4)) for d in spec.dense)
    return (Fix(t("problems.param_budget.fix_smaller", lang), replace(spec, layers=layers, dense=dense)),)


def first_error(problems: list[Problem]) -> Problem | None:
    return next((p for p in problems if p.is_error), None)


def cudnn_notes(spec: ArchitectureSpec, *, lang: str = "en") -> list[str]:
    """Why layers cannot use the fast cuDNN kernel on a GPU (an empty list: every layer can), in `lang`."""
    notes = []
    for i, layer in enumerate(spec.layers, start=1):
        if layer.kind == "simple_rnn":
            notes.append(t("problems.cudnn.simple_rnn", lang, layer=i))
        elif layer.recurrent_dropout > 0:
            notes.append(t("problems.cudnn.recurrent_dropout", lang, layer=i, label=layer.label))
    return notes


def check_job(spec, windows, epochs: int, *, lang: str = "en") -> None:
    """Everything a training job is checked against before it is created (Train page, sweeps, CLI): the
    stack's own limits, its parameters for this data, the epochs, and the data's arrays. The stack's depth
    is refused in `lang`; the epochs and parameter limits speak slstm.limits' words."""
    limits.check_epochs(epochs)
    if len(spec.layers) > limits.MAX_LAYERS:
        raise limits.BudgetError(
            t("problems.check_job.too_deep", lang, layers=len(spec.layers), limit=limits.MAX_LAYERS)
        )
    limits.check_params(total_params(infer_shapes(spec, windows.shape)))
