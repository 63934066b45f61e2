from support import app_test, figures

from slstm.spec import ArchitectureSpec


def open_architecture(spec: ArchitectureSpec | None = None):
    at = app_test().run()
    if spec is not None:
        at.session_state["spec"] = spec
    return at.switch_page("pages/architecture.py").run()


def summary(at):
    return at.dataframe[0].value


def test_tutorial_lstm_as_output_layer_shows_2d_shape_and_12_params():
    at = app_test().run()
    at.number_input(key="lookback").set_value(3).run()
    spec = ArchitectureSpec.from_dict({"layers": [{"kind": "lstm", "units": 1}], "head": "none"})
    at.session_state["spec"] = spec
    at.switch_page("pages/architecture.py").run()
    table = summary(at)
    assert list(table["output shape"]) == ["(batch, 1)"]
    assert list(table["params"]) == ["12"]
    assert at.metric[0].value == "12"
    at.checkbox(key="rs_0_1").check().run()
    assert list(summary(at)["output shape"]) == ["(batch, 3, 1)"]
    assert list(summary(at)["tensor"]) == ["3D"]
    assert "many-to-many" in at.error[0].value


def test_adding_a_layer_keeps_the_stack_valid_and_updates_the_shape_flow():
    at = open_architecture()
    at.number_input(key="num_layers").set_value(3).run()
    table = summary(at)
    assert list(table["tensor"]) == ["3D", "3D", "2D", "2D"]
    assert not at.error
    assert at.session_state["spec"].short() == "LSTM32↑ → LSTM16↑ → LSTM16 → Dense(out)"
    flow = figures(at)[0]
    texts = [a["text"] for a in flow["layout"]["annotations"]]
    assert any("3D (batch, 24, 16)" in t for t in texts)


def test_unchecking_return_sequences_explains_the_2d_input():
    at = open_architecture()
    at.checkbox(key="rs_0_2").uncheck().run()
    assert not at.exception
    message = at.error[0].value
    assert "Layer 2 (LSTM) receives a 2D tensor (batch, 32)" in message
    assert "Set return_sequences=True on layer 1" in message
    assert list(summary(at)["params"])[1:] == ["—", "—"]
    assert at.metric[0].value == "—"


def test_gru_param_count_uses_reset_after():
    at = open_architecture()
    at.selectbox(key="kind_1_2").set_value("gru").run()
    assert list(summary(at)["params"])[1] == f"{3 * 16 * (32 + 16 + 2):,}"
