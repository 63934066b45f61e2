import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import any_specs, valid_specs

from slstm.model import build_model
from slstm.problems import validate
from slstm.shapes import InputShape, infer_shapes, recurrent_params, total_params
from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack

KERAS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def keras_rows(model):
    return [(layer.name, tuple(layer.output.shape), layer.count_params()) for layer in model.layers[1:]]


def spec_of(*layers, head="none", **kw):
    return ArchitectureSpec(layers=tuple(LayerSpec(*layer, **kw) for layer in layers), head=head)


def test_tutorial_lstm_as_output_layer():
    [row] = infer_shapes(spec_of(("lstm", 1)), InputShape(timesteps=3, features=1))
    assert (row.output_shape, row.params, row.ndim) == ((None, 1), 12, 2)
    [row] = infer_shapes(spec_of(("lstm", 1, True)), InputShape(timesteps=3, features=1))
    assert (row.output_shape, row.params, row.ndim) == ((None, 3, 1), 12, 3)


@pytest.mark.parametrize(
    ("kind", "expected"), [("lstm", 4 * 8 * (3 + 8 + 1)), ("gru", 3 * 8 * (3 + 8 + 2)), ("simple_rnn", 8 * (3 + 8 + 1))]
)
def test_param_formulas(kind, expected):
    assert recurrent_params(kind, 8, 3) == expected


def test_stacked_tutorial_examples_are_3d_until_the_last_layer():
    for depth in (2, 4):
        rows = infer_shapes(lstm_stack(*[16] * depth), InputShape(timesteps=10, features=2))
        assert [r.ndim for r in rows] == [3] * (depth - 1) + [2, 2]


def test_bidirectional_concat_doubles_width_and_params():
    [row] = infer_shapes(spec_of(("lstm", 4, True), bidirectional=True), InputShape(timesteps=5, features=2))
    assert row.output_shape == (None, 5, 8) and row.params == 2 * 4 * 4 * (2 + 4 + 1)
    [row] = infer_shapes(spec_of(("gru", 4), bidirectional=True, merge_mode="sum"), InputShape(timesteps=5, features=2))
    assert row.output_shape == (None, 4)


def test_a_recurrent_layer_fed_2d_is_not_built_and_nothing_after_it():
    rows = infer_shapes(lstm_stack(8, 8, 8).with_layer(0, return_sequences=False), InputShape(timesteps=5, features=1))
    assert [r.ok for r in rows] == [True, False, False, False]
    assert "receives the 2D tensor (batch, 8)" in rows[1].reason
    assert total_params(rows) is None


@pytest.mark.slow  # trains or starts a process per case
@KERAS
@given(valid_specs(), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3))
def test_infer_shapes_matches_keras(spec, timesteps, features, outputs):
    model = build_model(spec, InputShape(timesteps=timesteps, features=features, outputs=outputs), check=False)
    rows = infer_shapes(spec, InputShape(timesteps=timesteps, features=features, outputs=outputs))
    assert [(r.name, r.output_shape, r.params) for r in rows] == keras_rows(model)
    assert total_params(rows) == model.count_params()


@settings(max_examples=60, deadline=None)
@given(any_specs())
def test_every_spec_keras_rejects_has_an_error_from_validate(spec):
    try:
        build_model(spec, InputShape(timesteps=4, features=2), check=False)
    except ValueError:
        assert any(p.is_error for p in validate(spec))
    else:
        assert "needs_3d" not in {p.code for p in validate(spec)}


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_numeric_side_of_a_formula_equals_the_parameter_count(kind, bidirectional):
    spec = ArchitectureSpec(layers=(LayerSpec(kind, 32, bidirectional=bidirectional),))
    for row in infer_shapes(spec, InputShape(timesteps=5, features=3)):
        sides = row.formula.split(" = ")
        numeric = [side for side in sides if not any(ch.isalpha() for ch in side)]  # u, d: the symbolic side
        assert len(numeric) >= 2, row.formula
        for side in numeric:
            value = eval(side.replace("·", "*").replace("×", "*").replace(",", ""))  # our own formula text
            assert value == row.params, (row.formula, side)
