"""The Learn page's lessons as plain data: their texts (slstm/lessons/<lang>.toml, checked to have the same
fields and the same code in every language), the flags an instructor's link uses to hide controls, and the small
live examples each lesson computes with the app's own core, in NumPy (no TensorFlow: the server draws them)."""

from __future__ import annotations

import functools
import io
import string
import tokenize
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from slstm.cells import Cell, scan
from slstm.data import DataConfig, prepare
from slstm.data.samples import sine_trend
from slstm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from slstm.presets import PRESETS
from slstm.shapes import InputShape, infer_shapes, shape_text, total_params
from slstm.spec import ArchitectureSpec, DenseSpec, LayerSpec, lstm_stack

TEXTS = Path(__file__).with_name("lessons")
PAGE_PATH = "learn"  # the Learn page's url_path in app.py's navigation
HIDE_FLAGS = {  # ?hide=a,b hides these controls, as TensorFlow Playground's hide flags do
    "picker": "the lesson picker",
    "language": "the language switch",
    "designer_link": "the 'Open in the designer' buttons",
    "compare_link": "the link to the Compare page (lesson 5)",
    "instructor": "the 'For instructors' link builder",
}
LIVE = (  # the live examples of lessons 7 and 8's questions
    *("input_shape", "heads", "dropout", "units", "connect", "too_deep", "mixed"),
    *("merge_axes", "unscaled", "majority", "equal_params", "td_dense", "attention", "n_layers", "bidirectional"),
    "dropout_layer",
)


@dataclass(frozen=True)
class Question:
    q: str
    a: str
    live: str = ""  # one of LIVE, or "" for none
    code: str = ""  # a short Keras 3 snippet (the same code in every language, comments translated), or ""


@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    body: tuple[str, ...]  # Markdown paragraphs before the live example
    after: tuple[str, ...]  # ... and after it
    notes: Mapping[str, str]  # captions, labels and buttons the page places beside the live example
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Texts:
    lang: str
    ui: Mapping[str, str]  # the page's own labels
    flags: Mapping[str, str]  # HIDE_FLAGS' meanings in this language
    lessons: Mapping[int, Lesson]


# --- texts -------------------------------------------------------------------------------------------------


def read_raw(lang: str) -> dict[str, Any]:
    with (TEXTS / f"{lang}.toml").open("rb") as f:
        return tomllib.load(f)


def code_only(code: str) -> str:
    r"""A snippet without its comments and trailing spaces: what every language's copy must share.

    >>> code_only("x = 1  # one\n# two\ny = 2\n")
    'x = 1\ny = 2'
    """
    tokens = [tok for tok in tokenize.generate_tokens(io.StringIO(code).readline) if tok.type != tokenize.COMMENT]
    lines = tokenize.untokenize(tokens).splitlines()
    return "\n".join(line.rstrip() for line in lines if line.strip())


def outline(raw: dict[str, Any]) -> dict[str, Any]:
    """What must agree between languages: every key, the paragraph and question counts, each question's live
    example and code (comments aside) and each text's {placeholders}."""

    def fields(text: str) -> list[str]:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)

    lessons = {}
    for number, lesson in raw.get("lesson", {}).items():
        lessons[number] = {
            "keys": sorted(lesson),
            "body": len(lesson.get("body", [])),
            "after": len(lesson.get("after", [])),
            "notes": {k: fields(v) for k, v in lesson.get("notes", {}).items()},
            "questions": [q.get("live", "") for q in lesson.get("questions", [])],
            "code": [code_only(q.get("code", "")) for q in lesson.get("questions", [])],
        }
    return {
        "top": sorted(raw),
        "ui": {k: fields(v) for k, v in raw.get("ui", {}).items()},
        "flags": sorted(raw.get("flags", {})),
        "lessons": lessons,
    }


def _check(raw: dict[str, Any], lang: str) -> None:
    where = f"slstm/lessons/{lang}.toml"
    if sorted(raw.get("flags", {})) != sorted(HIDE_FLAGS):
        raise ValueError(f"{where}: [flags] must explain exactly {', '.join(HIDE_FLAGS)}.")
    for number, lesson in raw.get("lesson", {}).items():
        if not (isinstance(lesson.get("title"), str) and lesson["title"].strip() and lesson.get("body")):
            raise ValueError(f"{where}: lesson {number} needs a title and at least one body paragraph.")
        for q in lesson.get("questions", []):
            if q.get("live", "") not in ("", *LIVE):
                raise ValueError(f"{where}: lesson {number} names an unknown live example {q['live']!r}.")
    if lang != DEFAULT_LANGUAGE and outline(raw) != outline(read_raw(DEFAULT_LANGUAGE)):
        raise ValueError(f"{where} does not have the same fields as {DEFAULT_LANGUAGE}.toml; compare outline().")


@functools.cache
def texts(lang: str) -> Texts:
    """The lessons in `lang` (read and checked once per process; the result is read-only).

    >>> texts("en").lessons[3].title
    'One LSTM as the output layer'
    """
    raw = read_raw(lang)
    _check(raw, lang)
    lessons = {}
    for key, d in sorted(raw["lesson"].items(), key=lambda item: int(item[0])):
        questions = tuple(
            Question(q["q"], q["a"], q.get("live", ""), q.get("code", "")) for q in d.get("questions", [])
        )
        notes = MappingProxyType(dict(d.get("notes", {})))
        lessons[int(key)] = Lesson(int(key), d["title"], tuple(d["body"]), tuple(d.get("after", [])), notes, questions)
    return Texts(lang, MappingProxyType(raw["ui"]), MappingProxyType(raw["flags"]), MappingProxyType(lessons))


# --- links -------------------------------------------------------------------------------------------------


def parse_hide(text: str | None) -> frozenset[str]:
    """The known flag names in a comma-separated `hide` value; unknown names are ignored.

    >>> sorted(parse_hide("picker, language,nonsense"))
    ['language', 'picker']
    """
    return frozenset(name.strip() for name in (text or "").split(",") if name.strip() in HIDE_FLAGS)


def parse_lesson(text: str | None) -> int:
    """A lesson number from a link, or 1 when it is missing or not a lesson."""
    number = int(text) if text and text.strip().isdigit() else 1
    return number if number in texts(DEFAULT_LANGUAGE).lessons else 1


def parse_lang(text: str | None) -> str:
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


def lesson_link(number: int, lang: str, hide: frozenset[str] | list[str] = frozenset()) -> str:
    """The query string that opens a lesson with chosen controls hidden, flags in HIDE_FLAGS' order.

    >>> lesson_link(4, "zh", ["language", "picker"])
    '?lesson=4&lang=zh&hide=picker,language'
    """
    flags = ",".join(name for name in HIDE_FLAGS if name in hide)
    return f"?lesson={number}&lang={lang}" + (f"&hide={flags}" if flags else "")


# --- live examples -----------------------------------------------------------------------------------------

SERIES = (12.0, 14.0, 15.0, 17.0, 18.0, 18.0, 16.0, 15.0, 13.0, 12.0)  # lesson 2: ten hourly temperatures, °C
TINY_INPUT = (0.1, 0.2, 0.3)  # lesson 3: one sample, three timesteps, one feature
TINY_WEIGHTS = (  # lesson 3's LSTM(1): kernel (1, 4), recurrent kernel (1, 4), bias (4,); gates i, f, c, o
    [[0.6, 0.4, 1.2, 0.5]],
    [[0.3, 0.2, 0.8, 0.1]],
    [0.0, 1.0, 0.0, 0.0],
)
TINY_CODE = """import numpy as np
import keras

x = np.array([0.1, 0.2, 0.3]).reshape(1, 3, 1)  # (samples, timesteps, features)
for return_sequences in (False, True):
    inputs = keras.Input(shape=(3, 1))
    outputs = keras.layers.LSTM(1, return_sequences=return_sequences)(inputs)
    print(keras.Model(inputs, outputs)(x).shape)  # (1, 1), then (1, 3, 1)
"""
STACK = lstm_stack(64, 32)  # lesson 4's two-layer stack
TIMESTEPS = 24  # the window lessons 4, 7 and 8 draw their shapes for
KERAS_ERROR = (  # what Keras itself says about lesson 4's broken stack: its own words, shown as code
    "Input 0 of layer 'lstm_2' is incompatible with the layer: expected ndim=3, found ndim=2."
)
MIXED = ArchitectureSpec(layers=(LayerSpec("lstm", 32, True, bidirectional=True), LayerSpec("gru", 16)))
DESIGNER: dict[int, tuple[ArchitectureSpec, int | None]] = {  # lesson -> (stack, lookback) for the designer
    1: (lstm_stack(32, 32), None),
    2: (PRESETS["lstm_output"].spec, 3),
    3: (PRESETS["lstm_output"].spec, 3),
    4: (STACK, None),
    5: (PRESETS["four_hidden"].spec, None),
    6: (lstm_stack(3), None),
    7: (MIXED, None),
    8: (lstm_stack(32, 32, 32), None),  # unless the reader chose another depth in the layer-count example
}
N_LAYERS = (1, 6, 3)  # lesson 8's layer-count example: the slider's range and default
N_LAYERS_UNITS = 32
MERGED_SHAPE = (5, 640)  # lesson 8: a (5300, 5, 320, 2) input with its last two axes merged: (timesteps, features)
EQUAL_PARAMS = (  # lesson 8: depth or Dense layers, for about the same number of parameters
    lstm_stack(32, 32),
    ArchitectureSpec(layers=(LayerSpec("lstm", 48),), dense=(DenseSpec(64),)),
)
LIVE_STACKS: dict[str, tuple[ArchitectureSpec, ...]] = {  # lessons 7 and 8: shape tables
    "input_shape": (lstm_stack(32, 16),),
    "heads": (lstm_stack(32, 16), ArchitectureSpec(tuple(LayerSpec("lstm", u, True) for u in (32, 16)))),
    "units": (lstm_stack(64, 16),),
    "connect": (lstm_stack(64, 32),),
    "mixed": (MIXED,),
    "merge_axes": (lstm_stack(32, 16),),  # drawn on MERGED_SHAPE
    "equal_params": EQUAL_PARAMS,
    "td_dense": (
        ArchitectureSpec(layers=(LayerSpec("lstm", 32, True),), dense=(DenseSpec(8, "linear"),), head="none"),
    ),
    "attention": (ArchitectureSpec(layers=(LayerSpec("lstm", 64, True), LayerSpec("lstm", 32, True)), head="none"),),
    "bidirectional": (
        ArchitectureSpec(layers=(LayerSpec("lstm", 32, True, bidirectional=True), LayerSpec("lstm", 16))),
    ),
    "dropout_layer": (lstm_stack(32, 16), lstm_stack(32, 16).with_layer(1, dropout=0.2)),
}
LIVE_PROBLEMS: dict[str, ArchitectureSpec] = {  # lesson 7: what validate() says
    "dropout": lstm_stack(32, 16).with_layer(0, dropout=0.2, recurrent_dropout=0.2),
    "too_deep": lstm_stack(*[32] * 30),
}
LIVE_OTHER = ("unscaled", "majority", "n_layers")  # lesson 8: drawn by the page from the functions below


def window_table(lookback: int, values: tuple[float, ...] = SERIES) -> tuple[pd.DataFrame, tuple[int, int, int]]:
    """The samples the Data page's windowing cuts from `values`: one row per sample (X then y), and X's shape.

    >>> window_table(3)[1]
    (7, 3, 1)
    """
    config = DataConfig(("value",), ("value",), lookback=lookback, val_fraction=0.0, test_fraction=0.0, scaling="none")
    windows = prepare(pd.DataFrame({"value": values}), config)
    x = windows.train.x[:, :, 0]  # (samples, timesteps)
    table = pd.DataFrame(x, columns=[f"t{i + 1}" for i in range(lookback)]).assign(y=windows.train.y[:, 0])
    return table.rename_axis("sample"), windows.input_shape


def lstm_output(return_sequences: bool) -> np.ndarray:
    """LSTM(1) with fixed weights on TINY_INPUT shaped (1, 3, 1), as Keras computes it (slstm.cells, checked against
    Keras in the tests): (1, 1), or (1, 3, 1) with return_sequences=True (whose last step equals the (1, 1) output).

    >>> lstm_output(False).shape, lstm_output(True).shape
    ((1, 1), (1, 3, 1))
    """
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in TINY_WEIGHTS)
    x = np.asarray(TINY_INPUT, np.float64).reshape(1, 3, 1)  # (samples, timesteps, features)
    hidden = scan(Cell("lstm", 1, kernel, recurrent, bias), x)["hidden"]  # (1, 3, 1)
    return hidden if return_sequences else hidden[:, -1]


def gate_weights() -> list[np.ndarray]:
    """An LSTM(3) whose units have one job each: 0 follows the input, 1 counts peaks, 2 keeps a slow average.
    Keras' layout: kernel (1, 12), recurrent kernel (3, 12) and bias (12,), in blocks i, f, c, o of 3 units."""
    kernel, bias = np.zeros((1, 12)), np.zeros(12)
    kernel[0, 0:3], bias[0:3] = (0.0, 8.0, 0.0), (4.0, -8.0, -2.0)  # input gate: open, open above 1, a little
    bias[3:6] = (-4.0, 6.0, 2.0)  # forget gate: forget, keep, mostly keep
    kernel[0, 6:9], bias[6:9] = (1.5, 0.0, 1.5), (0.0, 0.2, 0.0)  # candidate: the input, a small fixed step, the input
    bias[9:12] = 3.0  # output gate: open
    return [kernel.astype("float32"), np.zeros((3, 12), "float32"), bias.astype("float32")]


def gate_input(timesteps: int = 72) -> np.ndarray:
    """The first `timesteps` of the noisy sine sample, standardised, as one sample (1, timesteps, 1)."""
    values = sine_trend()["value"].to_numpy()[:timesteps]
    return ((values - values.mean()) / values.std()).reshape(1, timesteps, 1)


def gate_demo() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(input (1, T, 1), the internals of the hand-weighted LSTM(3) for it): gates, cell, hidden (1, T, 3)."""
    x = gate_input()
    kernel, recurrent, bias = (w.astype(np.float64) for w in gate_weights())
    return x, scan(Cell("lstm", 3, kernel, recurrent, bias), x)


def illustrative_sweep() -> pd.DataFrame:
    """Made-up best validation losses shaped like a typical depth-against-width sweep (not a measurement), with
    the columns compare.read_sweep reads."""
    losses = {16: (0.112, 0.083, 0.081, 0.086), 64: (0.090, 0.071, 0.072, 0.079)}  # width -> by depth 1..4
    rows = []
    for units, by_depth in losses.items():
        for depth, loss in enumerate(by_depth, start=1):
            shapes = infer_shapes(lstm_stack(*[units] * depth), InputShape(timesteps=TIMESTEPS, features=1))
            rows.append({"depth": depth, "units": units, "params": total_params(shapes), "best val_loss": loss})
    return pd.DataFrame(rows)


def live_shape(name: str) -> tuple[int, int]:
    """(timesteps, features) a live example's shape tables are drawn on."""
    return MERGED_SHAPE if name == "merge_axes" else (TIMESTEPS, 1)


def shape_table(
    spec: ArchitectureSpec,
    columns: tuple[str, str, str, str],
    *,
    timesteps: int = TIMESTEPS,
    num_features: int = 1,
    lang: str = DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """Layer, input shape, output shape and parameters of `spec` on (batch, timesteps, num_features), headed
    `columns`; the output head is named in `lang` (as the shape-flow figure names it)."""
    rows = infer_shapes(spec, InputShape(timesteps=timesteps, features=num_features))
    head = t("plots.shape_flow.output_layer", lang)
    data = [
        (
            head if r.kind == "output" else r.label,
            shape_text(r.input_shape),
            shape_text(r.output_shape),
            r.formula or "—",
        )
        for r in rows
    ]
    return pd.DataFrame(data, columns=list(columns))


def stack_params(spec: ArchitectureSpec, *, timesteps: int = TIMESTEPS, num_features: int = 1) -> int | None:
    """The parameter count of `spec` on (batch, timesteps, num_features), as the Architecture page counts it."""
    return total_params(infer_shapes(spec, InputShape(timesteps=timesteps, features=num_features)))


def depth_stack(n_layers: int, units: int = N_LAYERS_UNITS) -> ArchitectureSpec:
    """What lesson 8's build_model(n_layers, units) builds: every LSTM layer but the last returns sequences.

    >>> depth_stack(3).short()
    'LSTM32↑ → LSTM32↑ → LSTM32 → Dense(out)'
    """
    return lstm_stack(*[units] * n_layers)


def untrained_losses(factor: float = 1000.0) -> dict[str, float]:
    """The first loss of an untrained network (its outputs are near 0, so the MSE is the mean of the squared
    training targets) on the noisy sine sample: as it is, with every value × `factor`, and standardised on the
    training rows as the Data page does. The MSE grows with the square of the target's units."""
    frame = sine_trend()
    out = {}
    for name, scale, scaling in (("as_is", 1.0, "none"), ("times", factor, "none"), ("scaled", factor, "standard")):
        config = DataConfig(("value",), ("value",), lookback=TIMESTEPS, scaling=scaling)
        windows = prepare(frame.assign(value=frame["value"] * scale), config)
        out[name] = float(np.mean(np.square(windows.train.y)))
    return out
