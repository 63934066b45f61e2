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
from slstm.shapes import InputShape, infer_shapes

CJK = re.compile(r"[\u4e00-\u9fff]")
QUESTIONS = {7: 10, 8: 12}  # lesson -> how many questions it answers


def test_both_languages_have_the_same_lessons_fields_and_placeholders():
    en, zh = (lessons.outline(lessons.read_raw(lang)) for lang in ("en", "zh"))
    assert sorted(en["lessons"], key=int) == [str(n) for n in range(1, 9)]
    assert en == zh


@pytest.mark.parametrize("lang", list(lessons.LANGUAGES))
def test_every_lesson_has_a_title_and_a_body(lang):
    text = lessons.texts(lang)
    assert list(text.lessons) == list(range(1, 9))
    for lesson in text.lessons.values():
        assert lesson.title.strip() and lesson.body and all(p.strip() for p in lesson.body)
    for number, count in QUESTIONS.items():
        assert len(text.lessons[number].questions) == count
        assert all(q.q.strip() and q.a.strip() for q in text.lessons[number].questions)
    assert not [n for n, lesson in text.lessons.items() if lesson.questions and n not in QUESTIONS]
    assert set(text.flags) == set(lessons.HIDE_FLAGS)


def test_the_chinese_texts_are_chinese():
    en, zh = lessons.texts("en"), lessons.texts("zh")
    for n, lesson in zh.lessons.items():
        assert CJK.search(lesson.title) and lesson.body != en.lessons[n].body
        assert all(CJK.search(q.q) and CJK.search(q.a) for q in lesson.questions)
    for lesson in en.lessons.values():  # and the English ones English
        texts = [lesson.title, *lesson.body, *lesson.after, *lesson.notes.values()]
        assert not [s for s in texts + [x for q in lesson.questions for x in (q.q, q.a, q.code)] if CJK.search(s)]


def _zh_strings() -> list[str]:
    """Every text of zh.toml: ui, flags, titles, paragraphs, notes, questions, answers and code comments."""

    def walk(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)

    return list(walk(lessons.read_raw("zh")))


def test_the_chinese_lessons_use_the_glossarys_terms():
    """tests/test_i18n.py's wording rules for the message catalogs, applied to the lesson texts too."""
    texts = _zh_strings()
    for wrong in ("扫描", "训练运行", "写下的输出序列", "说明为英文", "周期数", "同一套代码", "页面"):
        assert not [s for s in texts if wrong in s], wrong  # a page is “网络结构”页, not the Architecture 页面
    assert not [s for s in texts if re.search("细胞(?!状态)", s)]  # 细胞状态, never 细胞 alone
    assert not [s for s in texts if re.search("(?<!式)堆叠(?!式)", s)], "堆叠式LSTM as a noun"
    assert not [s for s in texts if re.search(r"\b(Data|Architecture|Train|Inspect|Compare|Learn) ?页", s)]
    assert not [s for s in texts if re.search(r"\b(epoch|sweep)s?\b", s, re.I)]  # 轮次, 网格搜索
    zh = lessons.texts("zh")
    assert "堆叠式LSTM" in zh.ui["intro"] and "回看长度" in zh.lessons[2].body[0]
    assert "轮次" in zh.lessons[7].questions[7].a and "网格搜索" in zh.lessons[5].body[1]
    for number, lesson in zh.lessons.items():  # Dense is 全连接层 (Dense), spelled out once per lesson or answer
        for group in ([*lesson.body, *lesson.after], *[[q.a] for q in lesson.questions]):
            text = " ".join(group)
            if "全连接层" in text:
                assert "全连接层（`Dense`）" in text, (number, text[:40])


def test_lesson_6_says_every_gate_reads_the_whole_previous_hidden_state():
    for lang, words in (
        ("en", ("*all* the layer's units", "recurrent kernel")),
        ("zh", ("*所有*单元", "循环权重矩阵")),
    ):
        body = lessons.texts(lang).lessons[6].body
        assert all(w in body[0] for w in words) and "`(units, 4·units)`" in body[0]
        assert ("all zeros" if lang == "en" else "全为零") in body[2]
    kernel, recurrent, bias = lessons.gate_weights()
    assert kernel.shape == (1, 12) and recurrent.shape == (3, 12) and bias.shape == (12,)
    assert not recurrent.any()  # the demo's units ignore each other's outputs, so each does one job


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
    names = {q.live for n in QUESTIONS for q in lessons.texts("en").lessons[n].questions if q.live}
    assert names == set(lessons.LIVE) == set(lessons.LIVE_STACKS) | set(lessons.LIVE_PROBLEMS) | set(lessons.LIVE_OTHER)
    assert len(lessons.LIVE) == len(set(lessons.LIVE))
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
    assert [lessons.parse_lesson(t) for t in ("3", " 7", "8", "9", "0", "x", None)] == [3, 7, 8, 1, 1, 1, 1]
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
        assert not [p for p in validate(spec, InputShape(timesteps=lookback or 24, features=1)) if p.is_error], number
    assert lessons.DESIGNER[3] == (PRESETS["lstm_output"].spec, 3)


def test_the_sweep_illustration_reads_like_a_real_sweep():
    reading = read_sweep(lessons.illustrative_sweep())
    assert reading.startswith("Best: 2 layer(s) of 64 units")
    assert "3 layers did not improve on 2" in reading


def test_shape_table_follows_the_stack():
    table = lessons.shape_table(lessons.MIXED, ("layer", "in", "out", "params"))
    assert list(table["out"]) == ["(batch, 24, 64)", "(batch, 16)", "(batch, 1)"]
    assert list(table["in"])[1] == "(batch, 24, 64)"
    assert list(table["layer"]) == ["Bidirectional(LSTM)", "GRU", "Dense (output)"]
    zh = lessons.shape_table(lessons.MIXED, ("layer", "in", "out", "params"), lang="zh")
    assert list(zh["layer"])[-1] == "全连接输出层" and list(zh["out"]) == list(table["out"])


def test_lesson_8s_4d_input_is_drawn_with_its_last_two_axes_merged():
    assert lessons.live_shape("merge_axes") == (5, 320 * 2) and lessons.live_shape("heads") == (lessons.TIMESTEPS, 1)
    table = lessons.shape_table(
        lessons.LIVE_STACKS["merge_axes"][0], ("l", "in", "out", "p"), timesteps=5, num_features=640
    )
    assert list(table["in"])[0] == "(batch, 5, 640)" and "4·32·(640+32+1)" in list(table["p"])[0]


def test_lesson_8s_depth_and_dense_stacks_have_about_the_same_parameters():
    lstm_only, with_dense = (lessons.stack_params(spec) for spec in lessons.EQUAL_PARAMS)
    assert (lstm_only, with_dense) == (12_705, 12_801)  # about 12.7k each
    assert abs(lstm_only - with_dense) / lstm_only < 0.01
    assert [layer.units for layer in lessons.EQUAL_PARAMS[0].layers] == [32, 32]
    assert [d.units for d in lessons.EQUAL_PARAMS[1].dense] == [64]


def test_lesson_8s_dense_on_a_sequence_acts_at_every_timestep():
    [spec] = lessons.LIVE_STACKS["td_dense"]
    rows = infer_shapes(spec, InputShape(timesteps=lessons.TIMESTEPS, features=1))
    assert rows[-1].output_shape == (None, lessons.TIMESTEPS, 8) and rows[-1].params == 8 * (32 + 1)
    attention = infer_shapes(lessons.LIVE_STACKS["attention"][0], InputShape(timesteps=lessons.TIMESTEPS, features=1))
    assert attention[-1].output_shape == (None, lessons.TIMESTEPS, 32)  # what the attention layer reads


def test_lesson_8s_dropout_adds_no_parameters():
    plain, dropped = lessons.LIVE_STACKS["dropout_layer"]
    assert dropped.layers[1].dropout == 0.2 and lessons.stack_params(plain) == lessons.stack_params(dropped) == 7505


@pytest.mark.parametrize("n", range(1, 7))
def test_lesson_8s_layer_count_stack_is_valid_and_grows_by_one_layer(n):
    spec = lessons.depth_stack(n)
    assert len(spec.layers) == n and [layer.return_sequences for layer in spec.layers] == [True] * (n - 1) + [False]
    assert not [p for p in validate(spec, InputShape(timesteps=lessons.TIMESTEPS, features=1)) if p.is_error]
    low, high, default = lessons.N_LAYERS
    assert (low, high) == (1, 6) and low <= default <= high
    assert lessons.DESIGNER[8][0] == lessons.depth_stack(default)


def test_an_unscaled_target_makes_the_first_loss_grow_with_the_square_of_its_units():
    losses = lessons.untrained_losses(1000.0)
    assert losses["times"] / losses["as_is"] == pytest.approx(1e6, rel=1e-3)
    assert losses["times"] > 1e6 and 0.5 < losses["scaled"] < 1.5  # "in the millions", then about 1


def test_the_snippets_code_is_the_same_in_every_language():
    assert lessons.code_only("x = 1  # one\n# two\n\ny = '#3'\n") == "x = 1\ny = '#3'"
    raw = lessons.read_raw("zh")
    raw["lesson"]["8"]["questions"][0]["code"] += "x = 1\n"  # code, not a comment: must be in en.toml too
    with pytest.raises(ValueError, match="same fields"):
        lessons._check(raw, "zh")
    raw = lessons.read_raw("zh")
    raw["lesson"]["8"]["questions"][0]["code"] += "# 只是一条注释\n"
    lessons._check(raw, "zh")
    for lang in lessons.LANGUAGES:  # every snippet imports keras 3, never tf.keras
        for q in lessons.texts(lang).lessons[8].questions:
            assert not q.code or ("import keras" in q.code and "tensorflow" not in q.code)


SNIPPETS = [(i, q.q) for i, q in enumerate(lessons.texts("en").lessons[8].questions) if q.code]


@pytest.mark.parametrize("index", [i for i, _ in SNIPPETS], ids=[q[:30] for _, q in SNIPPETS])
def test_every_snippet_runs_in_keras_3(index, capsys):
    code = lessons.texts("en").lessons[8].questions[index].code
    exec(compile(code, f"lesson 8, question {index + 1}", "exec"), {"__name__": "snippet"})  # noqa: S102
    printed = capsys.readouterr().out
    for comment in re.findall(r"print\(.*\)  # ([\d ]+\d)", code):  # the numbers a print's comment promises
        assert comment in printed, (comment, printed)


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


def test_lstm_output_is_what_keras_computes_with_the_lessons_weights():
    from slstm.model import build_model

    last, sequences = lessons.lstm_output(False), lessons.lstm_output(True)
    assert last.shape == (1, 1) and sequences.shape == (1, 3, 1)
    assert sequences[0, -1, 0] == pytest.approx(last[0, 0], abs=1e-6)
    np.testing.assert_allclose(sequences[0, :, 0], _numpy_lstm(np.asarray(lessons.TINY_INPUT)), atol=1e-5)
    for return_sequences, ours in ((False, last), (True, sequences)):
        spec = PRESETS["lstm_sequences" if return_sequences else "lstm_output"].spec
        model = build_model(spec, InputShape(timesteps=3, features=1, sequence_target=return_sequences))
        model.get_layer("lstm_1").set_weights([np.asarray(w, "float32") for w in lessons.TINY_WEIGHTS])
        keras_says = model.predict_on_batch(np.asarray(lessons.TINY_INPUT, "float32").reshape(1, 3, 1))
        np.testing.assert_allclose(ours, keras_says, atol=1e-5)


def test_the_gate_demo_is_what_keras_computes_with_the_hand_weights():
    import keras

    x, internals = lessons.gate_demo()
    layer = keras.layers.LSTM(3, return_sequences=True)
    layer.build((1, x.shape[1], 1))
    layer.set_weights(lessons.gate_weights())
    np.testing.assert_allclose(internals["hidden"], layer(x.astype("float32")), atol=1e-5)


def test_the_hand_weighted_units_do_their_jobs():
    x, internals = lessons.gate_demo()
    assert x.shape == (1, 72, 1) and internals["cell"].shape == (1, 72, 3)
    cell = internals["cell"][0]  # (timesteps, units)
    np.testing.assert_allclose(cell[:, 0], np.tanh(1.5 * x[0, :, 0]), atol=0.05)  # unit 0 follows the input
    assert np.all(np.diff(cell[:, 1]) > -0.01) and cell[-1, 1] > 2  # unit 1 climbs at each of 3 peaks and holds
    assert np.abs(np.diff(cell[:, 2])).mean() < 0.5 * np.abs(np.diff(cell[:, 0])).mean()  # unit 2 is slower


@pytest.mark.parametrize(
    ("lang", "lower", "nan", "mask"), [("en", "lower", "NaN", "one mask"), ("zh", "调低", "NaN", "掩码")]
)
def test_the_lessons_advise_the_learning_rate_and_describe_dropout_one_way(lang, lower, nan, mask):
    answers = [q.a for lesson in lessons.texts(lang).lessons.values() for q in lesson.questions]
    for answer in answers:  # a lower learning rate only for a loss that oscillates or turns NaN
        if "learning rate" in answer.lower() or "学习率" in answer:
            assert lower not in answer or nan in answer, answer
    dropout = [a for a in answers if "`dropout" in a and "recurrent_dropout" in a]
    assert dropout and all(mask in a for a in dropout)  # one mask per sample, in every answer that explains it
    assert not any("explode" in a or "爆炸" in a for a in answers if "saturat" in a or "饱和" in a)
