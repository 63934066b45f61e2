import pytest
from hypothesis import given, settings
from strategies import any_specs, valid_specs

from slstm.problems import validate
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
    [problem] = validate(spec, timesteps=10)
    assert "many-to-many" in problem.message and "(batch, 10, …)" in problem.message
    assert len(problem.fixes) == 2
    for fix in problem.fixes:
        assert validate(fix.spec) == []
    assert validate(spec, sequence_target=True) == []


def test_head_none_needs_units_equal_to_targets():
    spec = ArchitectureSpec(layers=(LayerSpec("lstm", 4),), head="none")
    [problem] = validate(spec, num_outputs=2)
    assert "outputs 4 values and the target has 2" in problem.message
    assert [validate(f.spec, num_outputs=2) for f in problem.fixes] == [[], []]


def test_recurrent_dropout_is_a_warning_about_cudnn():
    spec = lstm_stack(8).with_layer(0, recurrent_dropout=0.2)
    [problem] = validate(spec)
    assert problem.severity == "warning" and "cuDNN" in problem.message


def test_parameter_budget_warning():
    [problem] = validate(lstm_stack(512, 512), timesteps=10, num_features=3, param_budget=100_000)
    assert problem.code == "param_budget" and "above this server's budget of 100,000" in problem.message


@pytest.mark.parametrize("depth", [9, 12])
def test_too_deep_stacks_are_errors(depth):
    problems = validate(lstm_stack(*[4] * depth))
    assert problems[0].code == "too_deep"
    assert len(problems[0].fixes[0].spec.layers) == 8


@settings(max_examples=60, deadline=None)
@given(valid_specs())
def test_valid_stacks_have_no_3d_errors(spec):
    codes = {p.code for p in validate(spec, sequence_target=spec.layers[-1].return_sequences)}
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
