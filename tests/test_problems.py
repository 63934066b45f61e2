import re

import pytest
from hypothesis import given, settings
from strategies import any_specs, valid_specs

from slstm import limits
from slstm.problems import validate
from slstm.shapes import InputShape, infer_shapes, total_params
from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


def test_2d_input_to_a_recurrent_layer_is_explained_with_a_fix():
    spec = lstm_stack(64, 64, 32).with_layer(1, return_sequences=False)
    [problem] = validate(spec)
    assert problem.message.startswith("Layer 3 (LSTM) receives a 2D tensor (batch, 64) because layer 2")
    assert problem.layer == 3
    [fix] = problem.fixes
    assert fix.label == "Set return_sequences=True on layer 2"
    assert fix.spec == lstm_stack(64, 64, 32)
    assert validate(fix.spec) == []


def test_last_layer_returning_sequences_for_one_value_offers_both_fixes():
    spec = lstm_stack(8, 8).with_layer(1, return_sequences=True)
    [problem] = validate(spec, InputShape(timesteps=10, features=1))
    assert "many-to-many" in problem.message and "(batch, 10, …)" in problem.message
    assert len(problem.fixes) == 2
    for fix in problem.fixes:
        assert validate(fix.spec) == []
    assert validate(spec, InputShape(10, 1, sequence_target=True)) == []


def test_head_none_needs_units_equal_to_targets():
    spec = ArchitectureSpec(layers=(LayerSpec("lstm", 4),), head="none")
    [problem] = validate(spec, InputShape(10, 1, outputs=2))
    assert "outputs 4 values and the target has 2" in problem.message
    assert [validate(f.spec, InputShape(10, 1, outputs=2)) for f in problem.fixes] == [[], []]


def test_recurrent_dropout_is_a_warning_about_cudnn():
    spec = lstm_stack(8).with_layer(0, recurrent_dropout=0.2)
    [problem] = validate(spec)
    assert problem.severity == "warning" and "cuDNN" in problem.message


def test_parameter_budget_warning():
    [problem] = validate(lstm_stack(512, 512), InputShape(timesteps=10, features=3), param_budget=100_000)
    assert problem.code == "param_budget" and "above this server's budget of 100,000" in problem.message


@pytest.mark.parametrize("depth", [9, 12])
def test_too_deep_stacks_are_errors(depth):
    problems = validate(lstm_stack(*[4] * depth))
    assert problems[0].code == "too_deep"
    assert len(problems[0].fixes[0].spec.layers) == 8


@settings(max_examples=60, deadline=None)
@given(valid_specs())
def test_valid_stacks_have_no_3d_errors(spec):
    codes = {p.code for p in validate(spec, InputShape(10, 1, sequence_target=spec.layers[-1].return_sequences))}
    assert "needs_3d" not in codes


@settings(max_examples=100, deadline=None)
@given(any_specs())
def test_every_fix_removes_its_problem(spec):
    for problem in validate(spec):
        for fix in problem.fixes:
            assert (problem.code, problem.layer) not in {(p.code, p.layer) for p in validate(fix.spec)}


def test_cudnn_notes_name_the_layers_that_cannot_use_it():
    from slstm.problems import cudnn_notes

    spec = lstm_stack(8, 8, 8).with_layer(1, recurrent_dropout=0.1).with_layer(2, kind="simple_rnn")
    assert cudnn_notes(spec) == [
        "Layer 2 (LSTM) uses recurrent_dropout, which turns the cuDNN kernel off.",
        "Layer 3 (SimpleRNN) has no cuDNN kernel.",
    ]
    assert cudnn_notes(lstm_stack(8, 8)) == []


CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")

# one stack per problem code, with the settings that make validate() report it
EVERY_CODE = {
    "empty": (ArchitectureSpec(layers=()), {}),
    "too_deep": (lstm_stack(*[4] * 9), {}),
    "needs_3d": (lstm_stack(64, 64, 32).with_layer(1, return_sequences=False), {}),
    "sequence_output": (lstm_stack(8, 8).with_layer(1, return_sequences=True), {}),
    "last_output_only": (lstm_stack(8, 8), {"sequence_target": True}),
    "head_width": (ArchitectureSpec(layers=(LayerSpec("gru", 4, bidirectional=True),), head="none"), {}),
    "recurrent_dropout": (lstm_stack(8).with_layer(0, recurrent_dropout=0.25), {}),
    "param_budget": (lstm_stack(512, 512), {"features": 3, "param_budget": 100_000}),
}


def shaped(options, **shape):
    """validate()'s arguments for an EVERY_CODE case: its data shape (10 timesteps of 1 feature unless the case
    says otherwise) and its budget."""
    fields = {k: v for k, v in options.items() if k != "param_budget"}
    shape = InputShape(**{"timesteps": 10, "features": 1, **shape, **fields})
    return {"shape": shape, "param_budget": options.get("param_budget")}


@pytest.mark.parametrize("code", EVERY_CODE)
def test_every_problem_speaks_chinese_with_the_same_numbers_and_fixes(code):
    spec, options = EVERY_CODE[code]
    [en] = [p for p in validate(spec, **shaped(options, outputs=2)) if p.code == code]
    [zh] = [p for p in validate(spec, **shaped(options, outputs=2), lang="zh") if p.code == code]
    assert (zh.severity, zh.layer, [f.spec for f in zh.fixes]) == (en.severity, en.layer, [f.spec for f in en.fixes])
    assert CJK.search(zh.message) and not CJK.search(en.message)
    assert sorted(NUMBERS.findall(zh.message)) == sorted(NUMBERS.findall(en.message))
    for en_fix, zh_fix in zip(en.fixes, zh.fixes, strict=True):
        assert CJK.search(zh_fix.label) and not CJK.search(en_fix.label)
        assert sorted(NUMBERS.findall(zh_fix.label)) == sorted(NUMBERS.findall(en_fix.label))


def test_chinese_problems_keep_code_identifiers_and_the_glossary_terms():
    spec, options = EVERY_CODE["needs_3d"]
    [problem] = validate(spec, **shaped(options), lang="zh")
    assert problem.message.startswith("第 3 层（LSTM）收到的是 2D 张量 (batch, 64)，因为第 2 层只返回最后一个输出")
    assert "return_sequences=True" in problem.message
    assert problem.fixes[0].label == "在第 2 层设置 return_sequences=True"
    spec, options = EVERY_CODE["sequence_output"]
    [problem] = validate(spec, **shaped(options), lang="zh")
    assert [f.label for f in problem.fixes] == ["在第 2 层设置 return_sequences=False", "在最上面加一个 LSTM(8) 层"]
    assert "(batch, 10, …)" in problem.message
    [problem] = validate(lstm_stack(512, 512), InputShape(timesteps=10, features=3), param_budget=100_000)
    total = total_params(infer_shapes(lstm_stack(512, 512), InputShape(timesteps=10, features=3)))
    assert problem.message.startswith(limits.params_message(total, 100_000))  # the English of slstm.limits


def test_cudnn_notes_and_job_checks_in_chinese():
    from slstm.problems import check_job, cudnn_notes

    spec = lstm_stack(8, 8, 8).with_layer(1, recurrent_dropout=0.1).with_layer(2, kind="simple_rnn")
    assert cudnn_notes(spec, lang="zh") == [
        "第 2 层（LSTM）使用了 recurrent_dropout，因此用不了 cuDNN 内核。",
        "第 3 层（SimpleRNN）没有 cuDNN 内核。",
    ]
    with pytest.raises(limits.BudgetError, match="这个网络有 9 个循环层"):
        check_job(lstm_stack(*[4] * 9), None, 1, lang="zh")
    with pytest.raises(limits.BudgetError, match="The stack has 9 recurrent layers"):
        check_job(lstm_stack(*[4] * 9), None, 1)
