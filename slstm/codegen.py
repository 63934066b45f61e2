"""to_keras_code(): the architecture as a standalone Keras script that a learner can paste into a file and
run with numpy and keras. It builds what build_model builds: same layers, names, shapes and parameters."""

from __future__ import annotations

import math
import unicodedata
from numbers import Integral, Real

from slstm.errors import Message, SlstmError, SpecError
from slstm.i18n import t, texts
from slstm.problems import first_error, validate
from slstm.shapes import TASKS, InputShape, LayerShape, infer_shapes, shape_text, total_params
from slstm.spec import KIND_LABELS, ArchitectureSpec, LayerSpec

FORMS = ("layers", "function")  # the model as a list of its layers, or as build_model(n_layers, units)
SAMPLES = 256  # rows of placeholder data in the script
LINE_LENGTH = 120  # longer layer lines are split one argument per line, as `ruff format` would


def to_keras_code(
    spec: ArchitectureSpec,
    shape: InputShape,
    *,
    epochs: int = 2,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    fit: bool = True,
    target_form: str = "value",
    form: str = "layers",
    lang: str = "en",
) -> str:
    """A runnable Python script that builds, compiles and trains `spec` on placeholder data, its comments in
    `lang` (slstm/messages/<lang>/codegen.toml; the code itself is the same in every language).

    Raises SpecError (the first problem from validate()) when the stack cannot work. `fit=False` leaves
    out the training call (for a preview, or a test that executes the script). `target_form="change"` adds
    how the Explorer prepared the data: inputs are each step's change, targets the change from the last input
    value, and forecasts that last value plus the prediction. `form="function"` writes the model as
    `build_model(n_layers, units)`, a function of its depth and width, where the stack repeats one kind of layer
    (see `function_form_problem`).

    >>> from slstm.spec import lstm_stack
    >>> src = to_keras_code(lstm_stack(64, 32), InputShape(timesteps=48, features=3))
    >>> print(next(line.strip() for line in src.splitlines() if "lstm_1" in line))
    layers.LSTM(64, return_sequences=True, name="lstm_1"),  # -> (batch, 48, 64), 17,408 params
    """
    timesteps = _whole("timesteps", shape.timesteps)
    num_features = _whole("features", shape.features)
    num_outputs = _whole("outputs", shape.outputs)
    task, sequence_target = shape.task, bool(shape.sequence_target)
    epochs = _whole("epochs", epochs)
    batch_size = _whole("batch_size", batch_size)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, Real) or not 0 < learning_rate < math.inf:
        raise SlstmError(f"Received learning_rate={learning_rate!r}; expected a positive number such as 0.001.")
    if task not in TASKS:
        raise SlstmError(f"Received task={task!r}; expected one of {', '.join(TASKS)}.")
    if form not in FORMS:
        raise SlstmError(f"Received form={form!r}; expected one of {', '.join(FORMS)}.")
    if task == "classification" and num_outputs < 2:
        raise SlstmError(
            f"Received num_outputs={num_outputs} for classification; expected the number of classes, at least 2."
        )
    shape = InputShape(timesteps, num_features, num_outputs, task, sequence_target)
    problems = validate(spec, shape, lang=lang)
    problem = first_error([p for p in problems if p.code != "param_budget"])  # the budget is this server's, not yours
    if problem:
        raise SpecError(problem.message)
    if form == "function" and (reason := function_form_problem(spec)):
        raise SpecError(reason)

    rows = infer_shapes(spec, shape)
    classify = task == "classification"
    lines = _header(spec, shape, lang)
    lines += ["import keras", "import numpy as np", "from keras import layers", ""]
    if form == "function":
        lines += _function(spec, rows, shape, lang)
    else:
        lines += _model(spec, rows, shape, lang)
    lines += _compile(spec, classify, float(learning_rate), total_params(rows) or 0, lang)
    lines += _data(shape, lang)
    if target_form == "change" and not classify:
        lines += change_lines(lang)
    if fit:
        lines.append(f"model.fit(x, y, epochs={epochs}, batch_size={batch_size}, validation_split=0.2)")
    lines.append(f'print(f"{t("codegen.print_total", lang)}: {{model.count_params():,}}")')
    return "\n".join(lines) + "\n"


def change_lines(lang: str = "en") -> list[str]:
    """The helper for target_form="change": how the Explorer prepared the data, with comments in `lang`."""
    return [
        "",  # two blank lines before a function, as ruff format writes it
        *(f"# {line}" for line in texts("codegen.change", lang)),
        "def to_changes(series: np.ndarray, lookback: int):",
        f'    """{t("codegen.change_doc", lang)}"""',
        f"    steps = np.diff(series, prepend=series[:1])  # {t('codegen.change_first', lang)}",
        "    x = np.lib.stride_tricks.sliding_window_view(steps[:-1], lookback)[..., None]",
        f"    last = series[lookback - 1 : -1]  # {t('codegen.change_last', lang)}",
        "    return x, (series[lookback:] - last)[:, None], last",
        "",
        "",
        "# x, y, last = to_changes(your_series, lookback); model.fit(x, y); forecast = last + model.predict(x)[:, 0]",
        "",
    ]


CHANGE_LINES = change_lines("en")


def _columns(text: str) -> int:
    """How wide a line shows in an editor (and in ruff's line-length check): CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise SlstmError(f"Received {name}={value!r}; expected a positive whole number.")
    return int(value)


def _word(text: str) -> str:
    """A string literal for a name or choice; specs hold only these, never free text."""
    if not text.isidentifier():
        raise SpecError(f"Received {text!r}; expected a plain name such as lstm_1.")
    return f'"{text}"'


def _header(spec, shape: InputShape, lang) -> list[str]:
    timesteps, num_features, num_outputs, classify = shape.timesteps, shape.features, shape.outputs, shape.classify
    sequence_target = shape.sequence_target
    parts = [f"{KIND_LABELS[x.kind]}({x.units})" for x in spec.layers]
    parts = [f"Bidirectional({p})" if x.bidirectional else p for x, p in zip(spec.layers, parts, strict=True)]
    parts += [f"Dense({d.units}, {d.activation})" for d in spec.dense]
    if spec.head == "dense":
        parts.append(f"Dense({num_outputs}, softmax)" if classify else f"Dense({num_outputs})")
    per = t("codegen.per_timestep" if sequence_target else "codegen.per_window", lang)
    y_shape = _samples_text(_target_shape(timesteps, num_outputs, classify, sequence_target))
    kind = "codegen.target_classes" if classify else "codegen.target_values"
    target = t(kind, lang, count=num_outputs, per=per, shape=y_shape)
    flow = [""]  # the layers joined by " -> ", wrapped to LINE_LENGTH
    for part in parts:
        if flow[-1] and _columns(f"#   {flow[-1]} -> {part}") > LINE_LENGTH:
            flow[-1] += " ->"
            flow.append("")
        flow[-1] += f" -> {part}" if flow[-1] else part
    return [
        f"# {t('codegen.made_by', lang)}",
        *(f"#   {line}" for line in flow),
        f"# {t('codegen.input', lang, timesteps=timesteps, features=num_features)}",
        f"# {t('codegen.target', lang, target=target)}",
        f"# {t('codegen.needs', lang)}",
    ]


def _target_shape(timesteps, num_outputs, classify, sequence_target) -> tuple[int | None, ...]:
    shape: tuple[int | None, ...] = (None, timesteps) if sequence_target else (None,)
    return shape if classify else (*shape, num_outputs)


def _samples_text(shape: tuple[int | None, ...]) -> str:
    """`(None,)` -> "(samples,)", `(None, 5)` -> "(samples, 5)"."""
    return "(" + ", ".join("samples" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _recurrent(layer: LayerSpec, name: str) -> tuple[str, list[str]]:
    args = [str(layer.units)]  # only what differs from Keras' defaults
    if layer.return_sequences:
        args.append("return_sequences=True")
    if layer.dropout > 0:
        args.append(f"dropout={float(layer.dropout)!r}")
    if layer.recurrent_dropout > 0:
        args.append(f"recurrent_dropout={float(layer.recurrent_dropout)!r}")
    cls = f"layers.{KIND_LABELS[layer.kind]}"  # the labels are Keras' class names
    if not layer.bidirectional:
        return cls, [*args, f"name={_word(name)}"]
    outer = [f"{cls}({', '.join(args)})"]
    if layer.merge_mode != "concat":
        outer.append(f"merge_mode={_word(layer.merge_mode)}")
    return "layers.Bidirectional", [*outer, f"name={_word(name)}"]


def _element(func: str, args: list[str], comment: str) -> list[str]:
    """One item of the Sequential list, with its comment; split one argument per line when too long."""
    flat = f"        {func}({', '.join(args)}),  # {comment}"
    if _columns(flat) <= LINE_LENGTH:
        return [flat]
    return [f"        {func}(", *(f"            {a}," for a in args), f"        ),  # {comment}"]


def _model(spec, rows: list[LayerShape], shape: InputShape, lang) -> list[str]:
    timesteps, num_features, num_outputs, classify = shape.timesteps, shape.features, shape.outputs, shape.classify
    calls = [_recurrent(layer, row.name) for layer, row in zip(spec.layers, rows, strict=False)]
    dense_rows = rows[len(spec.layers) :]
    for d, row in zip(spec.dense, dense_rows, strict=False):
        calls.append(("layers.Dense", [str(d.units), f"activation={_word(d.activation)}", f"name={_word(row.name)}"]))
    if spec.head == "dense":
        softmax = ['activation="softmax"'] if classify else []
        calls.append(("layers.Dense", [str(num_outputs), *softmax, f"name={_word(rows[-1].name)}"]))
    lines = [
        f"# {t('codegen.model', lang)}",
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape=({timesteps}, {num_features})),  # (batch, timesteps, features)",
    ]
    for (func, args), row in zip(calls, rows, strict=True):
        lines += _element(func, args, t("codegen.layer", lang, shape=shape_text(row.output_shape), params=row.params))
    return [*lines, "    ],", '    name="stacked_rnn",', ")", ""]


def _compile(spec, classify: bool, learning_rate: float, total: int, lang: str) -> list[str]:
    if not classify:
        loss, metric = '"mse"', '"mae"'
    elif spec.head == "dense":
        loss, metric = '"sparse_categorical_crossentropy"', '"accuracy"'
    else:  # no softmax layer: the last layer gives raw scores, and the loss applies softmax itself
        loss, metric = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", '"accuracy"'
    return [
        "model.compile(",
        f"    optimizer=keras.optimizers.Adam(learning_rate={learning_rate!r}),",
        f"    loss={loss},",
        f"    metrics=[{metric}],",
        ")",
        f"model.summary()  # {t('codegen.summary', lang, total=total)}",
        "",
    ]


def _data(shape: InputShape, lang) -> list[str]:
    timesteps, num_features, num_outputs, classify = shape.timesteps, shape.features, shape.outputs, shape.classify
    sequence_target = shape.sequence_target
    y_shape = _target_shape(timesteps, num_outputs, classify, sequence_target)
    size = ", ".join(str(SAMPLES if s is None else s) for s in y_shape)
    if classify:
        y = f"y = np.random.randint(0, {num_outputs}, size=({size}{',' if len(y_shape) == 1 else ''}))"
        what = t("codegen.y_classes", lang, last=num_outputs - 1)
    else:
        y = f'y = np.random.rand({size}).astype("float32")'
        what = t("codegen.y_targets", lang)
    y_text = _samples_text(y_shape)
    return [
        f"# {t('codegen.data', lang)}",
        f'x = np.random.rand({SAMPLES}, {timesteps}, {num_features}).astype("float32")'
        "  # (samples, timesteps, features)",
        f"{y}  # {y_text}: {what}",
        "",
    ]


def function_form_problem(spec: ArchitectureSpec) -> Message | None:
    """Why `spec` cannot be written as build_model(n_layers, units), or None: the function repeats one recurrent
    layer, so the layers may differ only in their units (and the last one's return_sequences).

    >>> from slstm.spec import lstm_stack
    >>> function_form_problem(lstm_stack(32, 16)) is None
    True
    >>> str(function_form_problem(lstm_stack(8, 8).with_layer(0, dropout=0.2)))
    'build_model(n_layers, units) repeats one kind of recurrent layer; layer 2 differs from layer 1 in dropout.'
    """
    first = spec.layers[0] if spec.layers else None
    for number, layer in enumerate(spec.layers[1:], start=2):
        for field in ("kind", "dropout", "recurrent_dropout", "bidirectional", "merge_mode"):
            if getattr(layer, field) != getattr(first, field):
                return Message("codegen.function_alike", layer=number, field=field)
    if any(not layer.return_sequences for layer in spec.layers[:-1]):
        return Message("codegen.function_sequences")
    return None


def _function(spec, rows: list[LayerShape], shape: InputShape, lang) -> list[str]:
    """The model as build_model(n_layers, units): the recurrent layers in a loop, the head after it."""
    timesteps, num_features, num_outputs, classify = shape.timesteps, shape.features, shape.outputs, shape.classify
    first, n = spec.layers[0], len(spec.layers)
    widths = [layer.units for layer in spec.layers]
    units = (
        str(widths[0]) if len(set(widths)) == 1 else "(" + ", ".join(map(str, widths)) + ("," if n == 1 else "") + ")"
    )
    every = spec.layers[-1].return_sequences  # a per-timestep target: every layer returns sequences
    args = ["width", "return_sequences=True" if every else "return_sequences=not last"]
    if first.dropout > 0:
        args.append(f"dropout={float(first.dropout)!r}")
    if first.recurrent_dropout > 0:
        args.append(f"recurrent_dropout={float(first.recurrent_dropout)!r}")
    cls, name = (
        f"layers.{KIND_LABELS[first.kind]}",
        f'name=f"{"bi_" if first.bidirectional else ""}{first.kind}_{{i + 1}}"',
    )
    body = [f"        last = i == n_layers - 1  # {t('codegen.function_last', lang)}"] if not every else []
    if first.bidirectional:
        outer = ["rnn"] + ([f"merge_mode={_word(first.merge_mode)}"] if first.merge_mode != "concat" else []) + [name]
        body += _call("        rnn = ", cls, args) + _call("        model.add(", "layers.Bidirectional", outer, ")")
    else:
        body += _call("        model.add(", cls, [*args, name], ")")
    head = []
    for d, row in zip(spec.dense, rows[n:], strict=False):
        head.append(f"    model.add(layers.Dense({d.units}, activation={_word(d.activation)}, name={_word(row.name)}))")
    if spec.head == "dense":
        softmax = ', activation="softmax"' if classify else ""
        head.append(f'    model.add(layers.Dense({num_outputs}{softmax}, name="output"))')
    return [
        "",  # two blank lines before a function, as ruff format writes it
        *(f"# {line}" for line in texts("codegen.function_intro", lang)),
        f"def build_model(n_layers={n}, units={units}, timesteps={timesteps}, features={num_features}):",
        f'    """{t("codegen.function_doc", lang)}"""',
        "    widths = [units] * n_layers if isinstance(units, int) else list(units)",
        "    if len(widths) != n_layers:",
        f'        raise ValueError(f"{t("codegen.function_mismatch", lang, have="{len(widths)}", n="{n_layers}")}")',
        '    model = keras.Sequential(name="stacked_rnn")',
        "    model.add(keras.Input(shape=(timesteps, features)))  # (batch, timesteps, features)",
        "    for i, width in enumerate(widths):",
        *body,
        *head,
        "    return model",
        "",
        "",
        f"model = build_model(n_layers={n}, units={units})",
        "",
    ]


def _call(start: str, func: str, args: list[str], end: str = "") -> list[str]:
    """`start + func(args) + end` laid out as ruff format would: on one line, else the arguments on one line of
    their own, else one per line."""
    flat = f"{start}{func}({', '.join(args)}){end}"
    if _columns(flat) <= LINE_LENGTH:
        return [flat]
    indent = " " * (len(start) - len(start.lstrip()) + 4)
    if end:  # model.add(layers.X(...)): first break inside model.add's parentheses
        inner = _call(indent, func, args)
        return (
            [start.rstrip(), *inner, indent[:-4] + end]
            if len(inner) == 1
            else [start + func + "(", *(f"{indent}{a}," for a in args), indent[:-4] + ")" + end]
        )
    hugged = f"{indent}{', '.join(args)}"
    if _columns(hugged) <= LINE_LENGTH:
        return [f"{start}{func}(", hugged, indent[:-4] + ")"]
    return [f"{start}{func}(", *(f"{indent}{a}," for a in args), indent[:-4] + ")"]
