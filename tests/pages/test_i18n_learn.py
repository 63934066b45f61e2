"""Acceptance for the translated Learn page: in zh no run of three English words outside code identifiers, in en
no Chinese character outside the glossary's two bilingual headers; for every lesson (with every expander's
content, which AppTest renders whether open or not), and for lesson 4 with its stack broken."""

from __future__ import annotations

import pytest
from i18n_support import check, open_page
from support import figures

from slstm import lessons
from slstm.i18n import t

BILINGUAL = ("glossary.title", "glossary.col_zh")  # "Glossary (English ↔ 中文)" and "中文": the glossary's own


def check_learn(at, lang: str) -> None:
    """i18n_support.check, except that in en the glossary may name 中文 in its title and column."""
    check(at, lang, allowed_chinese=tuple(t(key, "en") for key in BILINGUAL))


def open_lesson(number: int, lang: str):
    at = open_page("pages/learn.py", lang)
    at.selectbox(key="learn_lesson").set_value(number).run()
    assert at.title[0].value == f"{number}. {lessons.texts(lang).lessons[number].title}"
    return at


@pytest.mark.parametrize("number", list(lessons.texts("en").lessons))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_speaks_one_language(lang, number):
    at = open_lesson(number, lang)
    check_learn(at, lang)
    text = lessons.texts(lang)
    assert at.button(key=f"learn_designer_{number}").label == text.ui["designer"]
    shown = [e.label for e in at.expander]
    assert all(q.q in shown for q in text.lessons[number].questions)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_4_with_its_stack_broken_speaks_one_language(lang):
    at = open_lesson(4, lang)
    at.button(key="learn_break").click().run()
    check_learn(at, lang)
    [error] = at.error
    assert error.value.startswith("Layer 2 (LSTM)" if lang == "en" else "第 2 层（LSTM）")
    assert lessons.KERAS_ERROR in [c.value for c in at.code]  # Keras' own words, shown as code
    flow = figures(at)[0]
    assert flow["layout"]["title"]["text"] == t("plots.shape_flow.title", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_live_figures_and_readings_are_in_the_pages_language(lang):
    at = open_lesson(5, lang)
    from slstm.compare import read_sweep

    assert at.info[0].value == read_sweep(lessons.illustrative_sweep(), lang=lang)
    depth, params = figures(at)
    assert depth["layout"]["xaxis"]["title"]["text"] == t("compare.fig_sweep.depth", lang)
    at = open_lesson(6, lang)
    gates = figures(at)[1]
    panels = [a["text"] for a in gates["layout"]["annotations"]]
    assert t("inspect.fig_gates.panel.forget_gate", lang) in panels
    at = open_lesson(1, lang)
    assert figures(at)[0]["layout"]["yaxis"]["title"]["text"] == t("plots.series.value", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_8s_layer_count_example_stays_in_one_language(lang):
    at = open_lesson(8, lang)
    at.slider(key="learn_n_layers").set_value(6).run()
    check_learn(at, lang)
    head = t("plots.shape_flow.output_layer", lang)
    assert any(list(df.value.iloc[:, 0]) == ["LSTM"] * 6 + [head] for df in at.dataframe)
