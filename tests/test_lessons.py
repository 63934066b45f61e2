import re
import subprocess
import sys

import numpy as np
import pytest
from support import ROOT

from slstm import lessons
from slstm.compare import read_sweep
from slstm.presets import PRESETS
from slstm.problems import validate

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_both_languages_have_the_same_lessons_fields_and_placeholders():
    en, zh = (lessons.outline(lessons.read_raw(lang)) for lang in ("en", "zh"))
    assert sorted(en["lessons"]) == [str(n) for n in range(1, 8)]
    assert en == zh


@pytest.mark.parametrize("lang", list(lessons.LANGUAGES))
def test_every_lesson_has_a_title_and_a_body(lang):
    text = lessons.texts(lang)
    assert list(text.lessons) == list(range(1, 8))
    for lesson in text.lessons.values():
        assert lesson.title.strip() and lesson.body and all(p.strip() for p in lesson.body)
    assert len(text.lessons[7].questions) == 10
    assert all(q.q.strip() and q.a.strip() for q in text.lessons[7].questions)
    assert set(text.flags) == set(lessons.HIDE_FLAGS)


def test_the_chinese_texts_are_chinese():
    en, zh = lessons.texts("en"), lessons.texts("zh")
    for n, lesson in zh.lessons.items():
        assert CJK.search(lesson.title) and lesson.body != en.lessons[n].body
    assert all(CJK.search(q.q) for q in zh.lessons[7].questions)


def test_a_text_that_differs_from_english_is_refused():
    raw = lessons.read_raw("zh")
    del raw["lesson"]["4"]["notes"]["fix"]
    with pytest.raises(ValueError, match="same fields"):
        lessons._check(raw, "zh")
    raw = lessons.read_raw("zh")
    raw["lesson"]["2"]["notes"]["shape_note"] = "{samples} 个样本"  # a placeholder lost in translation
    with pytest.raises(ValueError, match="same fields"):
        lessons._check(raw, "zh")


def test_every_live_example_a_question_names_exists():
    names = {q.live for q in lessons.texts("en").lessons[7].questions if q.live}
    assert names == set(lessons.LIVE) == set(lessons.LIVE_STACKS) | set(lessons.LIVE_PROBLEMS)
    assert "30 recurrent layers" in validate(lessons.LIVE_PROBLEMS["too_deep"])[0].message
    assert "cuDNN" in validate(lessons.LIVE_PROBLEMS["dropout"])[0].message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("picker,language,designer_link", {"picker", "language", "designer_link"}),
        (" picker , instructor ", {"picker", "instructor"}),
        ("picker,nonsense,,<b>", {"picker"}),
        ("", set()),
        (None, set()),
    ],
)
def test_parse_hide_keeps_known_flags_only(text, expected):
    assert lessons.parse_hide(text) == frozenset(expected)


def test_lesson_and_language_from_a_link_fall_back_to_defaults():
    assert [lessons.parse_lesson(t) for t in ("3", " 7", "8", "0", "x", None)] == [3, 7, 1, 1, 1, 1]
    assert [lessons.parse_lang(t) for t in ("zh", "en", "fr", None)] == ["zh", "en", "en", "en"]


def test_lesson_link_lists_flags_in_a_fixed_order():
    assert lessons.lesson_link(4, "zh", {"language", "picker", "designer_link"}) == (
        "?lesson=4&lang=zh&hide=picker,language,designer_link"
    )
    assert lessons.lesson_link(1, "en") == "?lesson=1&lang=en"


@pytest.mark.parametrize("lookback", range(1, 10))
def test_window_table_cuts_the_series_as_the_data_page_does(lookback):
    table, shape = lessons.window_table(lookback)
    assert shape == (10 - lookback, lookback, 1) and len(table) == shape[0]
    for i, row in table.iterrows():
        assert list(row)[:-1] == list(lessons.SERIES[i : i + lookback])
        assert row["y"] == lessons.SERIES[i + lookback]


def test_designer_presets_are_valid_stacks():
    for number, (spec, lookback) in lessons.DESIGNER.items():
        assert not [p for p in validate(spec, timesteps=lookback or 24, num_features=1) if p.is_error], number
    assert lessons.DESIGNER[3] == (PRESETS["lstm_output"].spec, 3)


def test_the_sweep_illustration_reads_like_a_real_sweep():
    reading = read_sweep(lessons.illustrative_sweep())
    assert reading.startswith("Best: 2 layer(s) of 64 units")
    assert "3 layers did not improve on 2" in reading


def test_shape_table_follows_the_stack():
    table = lessons.shape_table(lessons.MIXED, ("layer", "in", "out", "params"))
    assert list(table["out"]) == ["(batch, 24, 64)", "(batch, 16)", "(batch, 1)"]
    assert list(table["in"])[1] == "(batch, 24, 64)"


def test_importing_lessons_loads_neither_streamlit_nor_tensorflow():
    code = "import sys, slstm.lessons as m; m.texts('zh'); "
    code += "print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _numpy_lstm(x: np.ndarray) -> list[float]:
    """Lesson 3's LSTM(1) by hand: gates i, f, c, o from TINY_WEIGHTS."""
    (w,), (u,), b = (np.asarray(a) for a in lessons.TINY_WEIGHTS)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = c = 0.0
    out = []
    for x_t in x:
        z = x_t * w + h * u + b
        c = sigmoid(z[1]) * c + sigmoid(z[0]) * np.tanh(z[2])
        h = sigmoid(z[3]) * np.tanh(c)
        out.append(h)
    return out


def test_lstm_output_is_computed_by_keras_with_the_lessons_weights():
    last, sequences = lessons.lstm_output(False), lessons.lstm_output(True)
    assert last.shape == (1, 1) and sequences.shape == (1, 3, 1)
    assert sequences[0, -1, 0] == pytest.approx(last[0, 0], abs=1e-6)
    np.testing.assert_allclose(sequences[0, :, 0], _numpy_lstm(np.asarray(lessons.TINY_INPUT)), atol=1e-5)


def test_the_hand_weighted_units_do_their_jobs():
    x, internals = lessons.gate_demo()
    assert x.shape == (1, 72, 1) and internals["cell"].shape == (1, 72, 3)
    cell = internals["cell"][0]  # (timesteps, units)
    np.testing.assert_allclose(cell[:, 0], np.tanh(1.5 * x[0, :, 0]), atol=0.05)  # unit 0 follows the input
    assert np.all(np.diff(cell[:, 1]) > -0.01) and cell[-1, 1] > 2  # unit 1 climbs at each of 3 peaks and holds
    assert np.abs(np.diff(cell[:, 2])).mean() < 0.5 * np.abs(np.diff(cell[:, 0])).mean()  # unit 2 is slower
