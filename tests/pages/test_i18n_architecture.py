"""Acceptance for the translated Architecture page: in zh no run of three English words outside code identifiers,
in en no Chinese character; on the sample data, with an invalid stack (its error and fix buttons), every preset,
and the exported code's comments."""

from __future__ import annotations

import pytest
from i18n_support import CJK, check, open_page, page_texts
from support import app_test, plain

from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


def open_architecture(lang: str, spec: ArchitectureSpec | None = None):
    at = open_page("pages/architecture.py", lang)
    if spec is not None:
        at.session_state["spec"] = spec
        at.run()
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_architecture_page_on_the_sample_data_speaks_one_language(lang):
    at = open_architecture(lang)
    check(at, lang)
    assert not at.error and at.dataframe and at.metric


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_invalid_stack_made_with_the_widgets_is_explained_in_one_language(lang):
    at = open_architecture(lang)
    at.checkbox(key="return_sequences_0_v0").uncheck().run()  # layer 1 of the 2-layer stack feeds layer 2 in 2D
    check(at, lang)
    [error] = at.error
    fixes = [b for b in at.button if b.key and b.key.startswith("fix_0_")]
    assert len(fixes) == 1
    if lang == "zh":
        assert error.value.startswith("第 2 层（LSTM）收到的是 2D 张量 (batch, 32)")
        assert fixes[0].label == "在第 1 层设置 return_sequences=True"
        assert at.info[0].value.startswith("请先修正网络结构：")  # the code tab waits for the fix
        assert list(at.dataframe[0].value.columns) == ["层", "输出形状", "张量", "参数量", "计算公式"]
    else:
        assert "receives a 2D tensor" in error.value and fixes[0].label == "Set return_sequences=True on layer 1"
    fixes[0].click().run()
    assert not at.error and at.session_state["spec"] == lstm_stack(32, 16)
    check(at, lang)


INVALID = {  # stacks with every kind of problem the page shows, several at once
    "head_width_and_dropout": ArchitectureSpec(
        layers=(LayerSpec("gru", 4, recurrent_dropout=0.2, bidirectional=True, merge_mode="sum"),), head="none"
    ),
    "sequence_output": lstm_stack(8, 8).with_layer(1, return_sequences=True),
    "too_deep": lstm_stack(*[4] * 9),
    "dense_head_none": ArchitectureSpec(layers=lstm_stack(8).layers, dense=lstm_stack(8).dense, head="none"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", INVALID)
def test_invalid_stacks_in_session_state_are_explained_in_one_language(lang, name):
    at = open_architecture(lang, INVALID[name])
    check(at, lang)
    assert at.error and [b for b in at.button if b.key and b.key.startswith("fix_0_")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_preset_and_the_dense_error_speak_one_language(lang):
    at = open_architecture(lang)
    for key in at.selectbox(key="preset").options:
        at.selectbox(key="preset").set_value(key).run()
        at.button(key="apply_preset").click().run()
        check(at, lang)
    at.text_input(key=f"dense_v{at.session_state['spec_version']}").input("16, x").run()
    check(at, lang)
    assert any("32, 16" in e.value for e in at.error)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_exported_code_and_the_figure_speak_the_pages_language(lang):
    at = open_architecture(lang)
    [code] = [c.value for c in at.code if "keras.Sequential" in c.value]
    first = code.splitlines()[0]
    flow = [t for t in page_texts(at) if t.startswith("<b>")]  # the shape-flow figure's boxes
    if lang == "zh":
        assert first == "# 一个堆叠式循环网络，由堆叠式LSTM探索器生成：" and "model.summary()  # 参数总数：" in code
        assert flow[0] == "<b>输入</b>  →  3D (batch, 24, 1)" and flow[-1].startswith("<b>全连接输出层</b>")
    else:
        assert first == "# A stacked recurrent network, made by Stacked LSTM Explorer:" and not CJK.search(code)
        assert flow[0] == "<b>Input</b>  →  3D (batch, 24, 1)" and flow[-1].startswith("<b>Dense (output)</b>")


BAD_SPECS = {  # what a spec.json upload or an ?arch= link can hold that no stack can
    "unknown_kind": b'{"layers": [{"kind": "cnn", "units": 3}]}',
    "too_many_units": b'{"layers": [{"kind": "lstm", "units": 100000000}]}',
    "unknown_key": b'{"layers": [{"kind": "lstm", "units": 3, "filters": 2}], "extra": 1}',
    "bad_dense": b'{"layers": [{"kind": "lstm", "units": 3}], "dense": [{"units": 4, "activation": "swish"}]}',
    "not_json": b'{"layers": [',
    "too_deep": b"[" * 5000,
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_spec_that_cannot_be_read_is_explained_in_one_language(lang):
    at = open_architecture(lang)
    for name, data in BAD_SPECS.items():
        at.file_uploader(key="spec_upload").upload(f"{name}.json", data, "application/json").run()
        check(at, lang)
        [error] = at.error
        assert f"'{name}.json'" in plain(error.value) and at.session_state["spec"] == lstm_stack(32, 16)
        assert bool(CJK.search(error.value)) == (lang == "zh"), name


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("token", ["1.garbage!!", "7.eJyrVg", "1." + "A" * 70_000])
def test_a_link_whose_architecture_cannot_be_read_says_so_in_the_links_language(lang, token):
    at = app_test()
    at.query_params.update(lang=lang, arch=token)
    at.run()
    at.switch_page("pages/architecture.py").run()
    check(at, lang)
    assert at.session_state["spec"] == lstm_stack(32, 16)
    assert any(bool(CJK.search(e.value)) == (lang == "zh") for e in at.error)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_code_can_be_exported_as_build_model_n_layers_units(lang):
    at = open_architecture(lang)
    at.radio(key="code_form").set_value("function").run()
    check(at, lang)
    [code] = [c.value for c in at.code if "def build_model" in c.value]
    assert "def build_model(n_layers=2, units=(32, 16), timesteps=24, features=1):" in code
    assert "model = build_model(n_layers=2, units=(32, 16))" in code
    scope: dict = {}
    exec(code.replace("model.fit(", "(lambda *a, **k: None)("), scope)
    assert scope["build_model"](3, 4).count_params() == 4 * 4 * (1 + 4 + 1) + 2 * 4 * 4 * (4 + 4 + 1) + 5
    # a stack whose layers differ in more than their units keeps the list of layers, and says why
    at.session_state["spec"] = lstm_stack(8, 8).with_layer(1, dropout=0.3)
    at.run()
    check(at, lang)
    assert any("def build_model" not in c.value and "keras.Sequential(" in c.value for c in at.code)
    assert any(
        "build_model(n_layers, units)" in plain(c.value) and bool(CJK.search(c.value)) == (lang == "zh")
        for c in at.caption
    )
