"""Issue 13's inputs that must not break or fill a shared server, and text that must stay text (core side)."""

from __future__ import annotations

import base64
import json
import re
import tracemalloc
import zlib

import numpy as np
import pandas as pd
import pytest

from slstm import limits
from slstm.compare import runs_csv
from slstm.data import DataConfig, prepare
from slstm.data.read import read_csv
from slstm.errors import SlstmError, SpecError
from slstm.figures.charts import predictions, series
from slstm.figures.compare import metric_bars, overlaid_curves
from slstm.problems import check_job, validate
from slstm.shapes import InputShape
from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack
from slstm.text import escape_markdown, plot_text, quote


def token(text: str) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def long_csv(n: int = 60_000) -> bytes:
    """Issue item 1: one id covering n rows plus n one-row ids (about 1.2 MB)."""
    rows = ["id,t,v"] + [f"A,{i},{i % 7}" for i in range(n)] + [f"B{i},0,{i % 5}" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


# --- item 1: padding is checked in bytes before anything is allocated ---------------------------------
def test_wrong_sequence_id_is_refused_before_allocating():
    table = read_csv(long_csv(), name="long.csv")
    tracemalloc.start()
    try:
        with pytest.raises(limits.BudgetError) as caught:
            prepare(table.frame, DataConfig(("t", "v"), ("v",), sequence_id="id"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert "SLSTM_MAX_ARRAY_BYTES" in message and "is that the sequence id column?" in message
    assert "60,001 sequences" in message and len(message) < limits.MAX_MESSAGE
    assert peak < 64 * 2**20  # nothing near the 458 MB padding array was allocated


def test_long_sequences_are_cut_to_the_default_max_timesteps():
    frame = pd.DataFrame({"id": [0] * 3000 + [1] * 5, "v": np.arange(3005.0)})
    windows = prepare(frame, DataConfig(("v",), ("v",), sequence_id="id", val_fraction=0.0, test_fraction=0.0))
    assert windows.timesteps == limits.MAX_TIMESTEPS
    assert any("max_timesteps=1000" in note for note in windows.notes)


def test_a_lookback_above_the_limit_is_refused():
    frame = pd.DataFrame({"v": np.arange(5000.0)})
    with pytest.raises(limits.BudgetError, match="SLSTM_MAX_TIMESTEPS"):
        prepare(frame, DataConfig(("v",), ("v",), lookback=limits.MAX_TIMESTEPS + 1))


def test_array_budget_is_a_setting(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARRAY_BYTES", 1000)
    frame = pd.DataFrame({"id": np.repeat(np.arange(50), 10), "v": np.arange(500.0)})
    with pytest.raises(limits.BudgetError, match="limit is 1000 bytes"):
        prepare(frame, DataConfig(("v",), ("v",), sequence_id="id"))


# --- item 2: parameters, units, layers, epochs -----------------------------------------------------------
def test_parameter_budget_is_an_error_with_a_fix():
    [problem] = validate(lstm_stack(1024, 1024), InputShape(timesteps=10, features=200))
    assert problem.is_error and problem.code == "param_budget" and "SLSTM_PARAM_BUDGET" in problem.message
    assert not any(
        p.code == "param_budget" for p in validate(problem.fixes[0].spec, InputShape(timesteps=10, features=200))
    )


class FakeWindows:  # check_job needs only the data's shape
    shape = InputShape(timesteps=10, features=200)


@pytest.mark.parametrize(
    ("spec", "epochs", "setting"),
    [
        (ArchitectureSpec(tuple(LayerSpec("lstm", 1024, True, bidirectional=True) for _ in range(8))), 5, "PARAM"),
        (lstm_stack(*[4] * 9), 5, "SLSTM_MAX_LAYERS"),
        (lstm_stack(8), 10_000, "SLSTM_MAX_EPOCHS"),
    ],
)
def test_jobs_over_a_budget_are_refused_at_submit(spec, epochs, setting):
    with pytest.raises(limits.BudgetError, match=setting):
        check_job(spec, FakeWindows(), epochs)


def test_a_job_within_the_budgets_passes():
    check_job(lstm_stack(32, 16), FakeWindows(), 20)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"layers": [{"kind": "lstm", "units": 100_000_000}]}, "SLSTM_MAX_UNITS"),
        ({"layers": [{"kind": "lstm", "units": 4}], "dense": [4] * 50_000}, "SLSTM_MAX_DENSE"),
        ({"layers": [{"kind": "lstm", "units": 4, "dropout": 0.95}]}, "from 0 to 0.9"),
        ({"layers": [{"kind": "lstm", "units": 4, "return_sequences": True}] * 100}, "at most 64"),
    ],
)
def test_spec_classes_bound_their_values(data, words):
    with pytest.raises(SpecError, match=words):
        ArchitectureSpec.from_dict(data)


# --- item 4: no link or spec upload can crash the parser -------------------------------------------------
@pytest.mark.parametrize(
    "link",
    [
        token("[" * 100_000 + "]" * 100_000),  # deep nesting, 296 characters
        token('{"layers":' + "[" * 5000 + "]" * 5000 + "}"),
        token('{"layers":[{"kind":"lstm","units":' + "9" * 2200 + "}]}"),  # 82-character token
        token('{"layers":[{"kind":"lstm","units":' + "9" * 5000 + "}]}"),
        token(" " * 50_000_000),  # a ~65 KB token inflating to 50 MB
        token(json.dumps({"layers": [{"kind": "x" * 5_000_000, "units": 4}]})),
        "1." + "A" * 100_000,
        "1.%%%%",
    ],
)
def test_any_link_gives_a_short_spec_error(link):
    with pytest.raises(SpecError) as caught:
        ArchitectureSpec.from_url(link)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    "text",
    [b"\xff\xfe", "[" * 50_000, json.dumps({"layers": [{"kind": "x" * 5_000_000, "units": 1}]}), "1e999999", "nan"],
)
def test_any_spec_json_gives_a_short_spec_error(text):
    with pytest.raises(SpecError) as caught:
        ArchitectureSpec.from_json(text)
    assert len(str(caught.value)) < 300


def test_a_long_value_is_cut_in_messages():
    with pytest.raises(SpecError) as caught:
        ArchitectureSpec.from_dict({"layers": [{"kind": "x" * 5_000_000, "units": 4}]})
    assert len(str(caught.value)) < 200 and "5,000,000 characters" in str(caught.value)


# --- item 6: user text in figures and Markdown -----------------------------------------------------------
NASTY = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "http://evil.example/x",
    "**bold**",
    "$\\LaTeX$",
    ":red[x]",
    "&lt;b&gt;",
    "<a href='http://evil.example'>a</a>",
    "a\u200b",
    "a\u202e",
]


@pytest.mark.parametrize("name", NASTY)
def test_plot_text_leaves_no_markup(name):
    shown = plot_text(name)
    assert "<" not in shown and ">" not in shown and "&lt;b" not in shown.replace("&amp;lt;b", "")
    assert "\u200b" not in shown and "\u202e" not in shown


def test_every_user_string_in_figures_is_escaped():
    frame = pd.DataFrame({NASTY[0]: np.arange(5.0), NASTY[7]: np.arange(5.0)})
    figs = [
        series(frame, list(frame.columns), time_column=None),
        predictions(np.zeros((3, 1)), np.ones((3, 1)), unit=NASTY[0]),
        overlaid_curves({NASTY[7]: {"epoch": [1, 2], "loss": [1.0, 0.5]}}),
        metric_bars(pd.DataFrame({"name": [NASTY[0]], "rmse": [1.0], "best baseline": [2.0]}), "rmse"),
    ]
    text = json.dumps([f.to_plotly_json() for f in figs])
    assert "<img" not in text and "<a " not in text and "<a\\u0020" not in text


@pytest.mark.parametrize("name", NASTY)
def test_escape_markdown_breaks_markup_and_autolinks(name):
    shown = escape_markdown(name)
    assert not re.search(r"(?<!\\)[<>*$&\[\]()`_]", shown.replace("\\\\", ""))  # every markup character escaped
    read = shown.replace("\\", "")  # the text once Markdown has read the escapes
    assert "http://" not in read and ":red" not in read  # autolinks and directives broken by a word joiner


# --- item 7: runs.csv is formula-safe --------------------------------------------------------------------
def test_runs_csv_is_spreadsheet_safe():
    table = pd.DataFrame({"name": ['=HYPERLINK("http://evil.example","x")', "+1", "ok"], "rmse": [1.0, -2.0, 3.0]})
    lines = runs_csv(table).splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1") and lines[3] == "ok,3.0"
    assert lines[2].endswith(",-2.0")  # numbers stay numbers


# --- items 9-11: reading files ---------------------------------------------------------------------------
def test_names_that_differ_by_invisible_characters_load_and_differ_visibly():
    names = ["a", "a\u200b", "a\u202e", "a\u00a0", " a "]
    rows = "\n".join(",".join(str(i + j) for j in range(5)) for i in range(50))
    table = read_csv((",".join(names) + "\n" + rows + "\n").encode(), name="x.csv")
    columns = list(table.frame.columns)
    assert len(set(columns)) == 5 and len(table.frame) == 50
    assert "a\\u200b" in columns and "a\\u202e" in columns
    assert not any("\u200b" in c or "\u202e" in c for c in columns)
    assert any("invisible characters" in w for w in table.report.warnings)


def test_an_unclosed_quote_names_its_line():
    body = "\n".join(f"{i},{i}" for i in range(20)) + '\n5,"oops\n' + "\n".join(f"{i},{i}" for i in range(20, 100))
    with pytest.raises(SlstmError, match=r"Line 22 opens a quoted value .* the 80 lines after it"):
        read_csv(("a,b\n" + body + "\n").encode(), name="q.csv")


def test_messages_stay_short_however_long_the_input():
    with pytest.raises(SlstmError) as caught:
        read_csv(("x" * 1_000_000 + ",y\n").encode(), name="h.csv")
    assert len(str(caught.value)) < limits.MAX_MESSAGE
    assert len(quote("x" * 5_000_000)) < 100 and quote(10**5000).endswith("-digit number")
