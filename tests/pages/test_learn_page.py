import re

import pytest
from support import app_test, figures

from slstm import lessons
from slstm.i18n import t
from slstm.presets import PRESETS

CJK = re.compile(r"[\u4e00-\u9fff]")


def open_learn(**query):
    """The Learn page as a link opens it: query parameters first, then the page."""
    at = app_test()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/learn.py").run()


def keys(elements) -> list:
    return [e.key for e in elements]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_renders_in_both_languages(lang):
    at = open_learn(lang=lang)
    text = lessons.texts(lang)
    for number, lesson in text.lessons.items():
        at.selectbox(key="learn_lesson").set_value(number).run()
        assert not at.exception, (number, at.exception)
        assert at.title[0].value == f"{number}. {lesson.title}"
        assert at.markdown[0].value == lesson.body[0]
        assert at.query_params["lesson"] == str(number) and at.query_params["lang"] == lang
        assert at.button(key=f"learn_designer_{number}").label == text.ui["designer"]
        if lang == "zh":
            assert CJK.search(at.title[0].value)
        questions = [q.q for q in lesson.questions]
        assert [e.label for e in at.expander][: len(questions)] == questions
    assert number == 8 and len(lesson.questions) == 12


def test_the_language_switch_changes_the_text_and_the_link():
    at = open_learn(lesson="6")
    assert at.title[0].value == "6. Inside a cell: gates and the cell state"
    at.radio(key="language").set_value("zh").run()
    assert at.title[0].value == "6. 单元内部：门与细胞状态"
    assert at.selectbox(key="learn_lesson").value == 6 and at.query_params["lang"] == "zh"


def test_lesson_1_plots_the_multi_scale_sample():
    at = open_learn(lesson="1")
    (fig,) = figures(at)
    assert fig["data"][0]["name"] == "value" and fig["layout"]["title"]["text"].startswith("Two time scales")


def test_lesson_2_builds_the_windows_live():
    at = open_learn(lesson="2")
    assert at.metric[0].value == "(7, 3, 1)"
    at.slider(key="learn_lookback").set_value(5).run()
    assert at.metric[0].value == "(5, 5, 1)"
    table = at.dataframe[0].value
    assert list(table.columns) == ["t1", "t2", "t3", "t4", "t5", "y"]
    assert list(table.iloc[0]) == [12, 14, 15, 17, 18, 18]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_3_shows_the_shapes_keras_computes(lang):
    at = open_learn(lesson="3", lang=lang)
    assert not at.exception
    assert [m.value for m in at.metric] == ["(1, 1)", "(1, 3, 1)"]
    assert at.session_state["learn_lstm_shapes"] == {False: (1, 1), True: (1, 3, 1)}
    values = [c.value for c in at.code][1:3]  # after the Keras snippet: the 2D output, then the 3D one
    last, sequence = (re.findall(r"-?\d+\.\d+", v) for v in values)
    assert len(last) == 1 and len(sequence) == 3 and sequence[-1] == last[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_break_it_shows_the_apps_explanation_and_fix_it_removes_it(lang):
    at = open_learn(lesson="4", lang=lang)
    notes = lessons.texts(lang).lessons[4].notes
    assert not at.error and at.success[0].value == notes["valid"]
    assert at.button(key="learn_fix").disabled
    at.button(key="learn_break").click().run()
    if lang == "en":
        assert "Layer 2 (LSTM) receives a 2D tensor (batch, 64) because layer 1" in at.error[0].value
    else:
        assert at.error[0].value.startswith("第 2 层（LSTM）收到的是 2D 张量 (batch, 64)")
    assert lessons.KERAS_ERROR in [c.value for c in at.code]  # what Keras alone would say, in its own words
    assert at.session_state["learn_stack"] == lessons.STACK.with_layer(0, return_sequences=False)
    flow = figures(at)[0]
    assert any("(batch, 64)" in a["text"] for a in flow["layout"]["annotations"])
    assert at.button(key="learn_break").disabled
    at.button(key="learn_fix").click().run()
    assert not at.error and at.session_state["learn_stack"] == lessons.STACK


def test_lesson_5_shows_the_illustration_and_its_reading():
    at = open_learn(lesson="5")
    assert at.info[0].value.startswith("Best: 2 layer(s) of 64 units")
    assert any(m.value.startswith("**Illustration, not a measurement:**") for m in at.markdown)
    assert len(figures(at)) == 2


def test_lesson_6_draws_the_gates_of_a_real_layer():
    at = open_learn(lesson="6")
    assert not at.exception
    gates = figures(at)[1]
    assert len(gates["data"]) == 6  # i, f, candidate, o, cell, hidden


def test_lesson_7_answers_with_live_examples():
    at = open_learn(lesson="7")
    assert len(at.expander) >= 10
    assert any("30 recurrent layers" in e.value for e in at.error)
    assert any("recurrent_dropout=0.2" in w.value for w in at.warning)
    assert any(list(df.value.iloc[:, 2]) == ["(batch, 24, 64)", "(batch, 16)", "(batch, 1)"] for df in at.dataframe)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_8_answers_the_readers_questions_with_live_examples(lang):
    at = open_learn(lesson="8", lang=lang)
    assert not at.exception
    notes = lessons.texts(lang).lessons[8].notes
    assert [m.label for m in at.metric] == [notes[f"loss_{k}"] for k in ("as_is", "times", "scaled")]
    as_is, times, scaled = (float(m.value.replace(",", "")) for m in at.metric)
    assert times / as_is == pytest.approx(1e6, rel=1e-3) and scaled < 2  # the loss in the millions, then about 1
    assert t("verdict.reason.majority", lang) in [i.value for i in at.info]  # the Train page's own words
    tables = [df.value for df in at.dataframe]
    assert any(list(df.iloc[:, 1])[:1] == ["(batch, 5, 640)"] for df in tables)  # the 4D input, axes merged
    assert any(list(df.iloc[:, 2]) == ["(batch, 24, 32)", "(batch, 24, 8)"] for df in tables)  # Dense on 3D
    captions = [c.value for c in at.caption]
    total = lessons.texts(lang).ui["total"]
    assert total.format(params=12_705) in " ".join(captions) and total.format(params=12_801) in " ".join(captions)
    snippets = [c.value for c in at.code if "import keras" in c.value]  # not the lesson link or restore code
    assert len(snippets) == sum(bool(q.code) for q in lessons.texts(lang).lessons[8].questions) == 8
    assert any("def build_model(n_layers, units" in c for c in snippets)


def test_lesson_8s_layer_count_goes_to_the_designer():
    at = open_learn(lesson="8")
    layer_rows = [len(df.value) for df in at.dataframe]
    at.slider(key="learn_n_layers").set_value(5).run()
    assert [len(df.value) for df in at.dataframe] != layer_rows
    assert any(list(df.value.iloc[:, 0]) == ["LSTM"] * 5 + ["Dense (output)"] for df in at.dataframe)
    at.button(key="learn_designer_8").click().run()
    assert not at.exception and at.title[0].value == "Architecture"
    assert at.session_state["spec"] == lessons.depth_stack(5)


def test_a_link_with_hide_flags_hides_those_controls():
    at = open_learn(lesson="4", lang="zh", hide="picker,language,designer_link,instructor,bogus")
    assert not at.exception
    assert at.title[0].value == "4. 堆叠式LSTM：除最后一层外，每层都返回序列"
    assert "learn_lesson" not in keys(at.selectbox) and "language" not in keys(at.radio)
    assert not [k for k in keys(at.button) if k and k.startswith("learn_designer")]
    assert lessons.texts("zh").ui["instructors"] not in [e.label for e in at.expander]
    assert at.query_params["hide"] == "picker,language,designer_link,instructor"  # unknown names dropped
    at.button(key="learn_break").click().run()  # the lesson itself still works
    assert at.error and "learn_lesson" not in keys(at.selectbox)


def test_without_flags_every_control_is_there_and_a_bad_link_opens_lesson_1():
    at = open_learn(lesson="99", hide="")
    assert at.selectbox(key="learn_lesson").value == 1 and at.radio(key="language").value == "en"
    assert at.button(key="learn_designer_1") and "For instructors" in [e.label for e in at.expander]


def test_the_instructor_box_builds_the_link_for_this_lesson():
    at = open_learn(lesson="2", lang="zh")
    at.multiselect(key="learn_hide_pick").set_value(["language", "picker"]).run()

    def link():  # the lesson link's code box (the sidebar has the restore code's too)
        return next(c.value for c in at.code if "?lesson=" in c.value)

    assert link().endswith("?lesson=2&lang=zh&hide=picker,language")
    at.selectbox(key="learn_lesson").set_value(5).run()
    assert link().endswith("?lesson=5&lang=zh&hide=picker,language")


def test_open_in_the_designer_loads_the_lessons_stack():
    at = open_learn(lesson="5")
    version = at.session_state["spec_version"] if "spec_version" in at.session_state else 0
    at.button(key="learn_designer_5").click().run()
    assert not at.exception
    assert at.session_state["spec"] == PRESETS["four_hidden"].spec
    assert at.session_state["spec_version"] == version + 1
    assert at.title[0].value == "Architecture"


def test_open_in_the_designer_takes_lesson_2s_lookback_along():
    at = open_learn(lesson="2")
    at.slider(key="learn_lookback").set_value(6).run()
    at.button(key="learn_designer_2").click().run()
    assert at.title[0].value == "Architecture"
    assert at.session_state["spec"] == PRESETS["lstm_output"].spec
    assert at.session_state["windows"].timesteps == 6


def test_the_broken_stack_opens_in_the_designer_as_it_is():
    at = open_learn(lesson="4")
    at.button(key="learn_break").click().run()
    at.button(key="learn_designer_4").click().run()
    assert "Layer 2 (LSTM) receives a 2D tensor" in at.error[0].value  # now on the Architecture page
