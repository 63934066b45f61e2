"""Acceptance for the translated Inspect page: every text it shows (labels, captions, options, figure titles,
axes, legends and subplot titles) in one language, before any run and with a finished run, in each of its views."""

from __future__ import annotations

import pytest
from i18n_support import check, open_page
from support import figures, train_to_the_end

from slstm.spec import lstm_stack

LANGS = ["en", "zh"]


def trained(lang: str):
    """The app in `lang` with one finished 2-epoch run of LSTM 6 → LSTM 4 → Dense on the sample, on Inspect."""
    return train_to_the_end(open_page("pages/data.py", lang), lstm_stack(6, 4)).switch_page("pages/inspect.py").run()


def titles(at) -> list[str]:
    return [f["layout"]["title"]["text"] for f in figures(at)]


@pytest.mark.parametrize("lang", LANGS)
def test_inspect_before_any_run_speaks_one_language(lang):
    at = open_page("pages/inspect.py", lang)
    check(at, lang)
    assert ("No trained run" if lang == "en" else "还没有训练好的模型") in at.info[0].value


@pytest.mark.parametrize("lang", LANGS)
def test_inspect_with_a_finished_run_speaks_one_language_in_every_view(lang):
    at = trained(lang)
    check(at, lang)  # the top layer (2D), the gates inside it, the forming prediction, every layer at once
    gates = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("lstm_2"))
    assert gates  # layer names are code identifiers and stay
    if lang == "zh":
        panels = [a["text"] for f in figures(at) for a in f["layout"].get("annotations", [])]
        assert {"输入门", "遗忘门", "输出门", "细胞状态", "隐藏状态"} <= {
            p.split(" ")[0].split("：")[0] for p in panels
        }
        assert "lstm_2：各个门和状态随时间的变化" in titles(at)
    at.selectbox(key="inspect_layer").set_value("lstm_1").run()  # a 3D layer: a heatmap and unit lines
    check(at, lang)
    at.radio(key="inspect_compare").set_value("before").run()
    check(at, lang)
    before = "lstm_1, before training" if lang == "en" else "lstm_1，训练之前"
    assert before in titles(at)
    at.radio(key="inspect_compare").set_value("other").run()
    check(at, lang)
    at.selectbox(key="inspect_split").set_value("validation").run()
    check(at, lang)
