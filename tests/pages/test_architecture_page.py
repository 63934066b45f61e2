from support import app_test, figures, plain

from slstm.spec import ArchitectureSpec, lstm_stack


def open_architecture(spec: ArchitectureSpec | None = None, **query):
    at = app_test()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if spec is not None:
        at.session_state["spec"] = spec
    return at.switch_page("pages/architecture.py").run()


def summary(at):
    return at.dataframe[0].value


def apply_preset(at, key):
    at.selectbox(key="preset").set_value(key).run()
    return at.button(key="apply_preset").click().run()


def test_tutorial_presets_show_the_tutorials_shapes():
    at = apply_preset(open_architecture(), "lstm_output")
    assert not at.exception
    assert at.session_state["windows"].timesteps == 3  # the preset sets the lookback it is told with
    assert list(summary(at)["output shape"]) == ["(batch, 1)"] and list(summary(at)["params"]) == ["12"]
    assert at.metric[0].value == "12"
    at = apply_preset(at, "lstm_sequences")
    assert list(summary(at)["output shape"]) == ["(batch, 3, 1)"] and list(summary(at)["tensor"]) == ["3D"]
    assert "many-to-many" in at.error[0].value
    for key, depth in (("two_hidden", 2), ("four_hidden", 4)):
        at = apply_preset(at, key)
        assert list(summary(at)["tensor"]) == ["3D"] * (depth - 1) + ["2D", "2D"]
        assert not at.error


def test_break_it_preset_is_explained_and_fixed_in_one_click():
    at = apply_preset(open_architecture(), "break_missing_rs")
    message = at.error[0].value
    assert "Layer 2 (LSTM) receives a 2D tensor (batch, 64) because layer 1 returns only its last output" in message
    assert list(summary(at)["params"])[1:] == ["—", "—"]
    at.button(key="fix_0_0").click().run()
    assert not at.error
    assert at.session_state["spec"] == lstm_stack(64, 32)
    assert at.checkbox(key=f"return_sequences_0_v{at.session_state['spec_version']}").value is True


def test_sequence_output_offers_both_fixes():
    at = apply_preset(open_architecture(), "break_sequence_out")
    labels = [b.label for b in at.button if b.key.startswith("fix_0_")]
    assert labels == ["Set return_sequences=False on layer 2", "Add a LSTM(32) layer on top"]
    at.button(key="fix_0_1").click().run()
    assert at.session_state["spec"].short() == "LSTM64↑ → LSTM32↑ → LSTM32 → Dense(out)"
    assert not at.error


def test_editing_a_layer_writes_through_to_the_spec_and_the_link():
    at = open_architecture()
    v = at.session_state["spec_version"]
    at.number_input(key=f"units_1_v{v}").set_value(8).run()
    at.checkbox(key=f"bidirectional_0_v{v}").check().run()
    spec = at.session_state["spec"]
    assert spec.layers[1].units == 8 and spec.layers[0].bidirectional
    assert list(summary(at)["output shape"])[:2] == ["(batch, 24, 64)", "(batch, 8)"]
    assert ArchitectureSpec.from_url(at.query_params["arch"]) == spec


def test_adding_moving_and_removing_layers():
    at = open_architecture()
    at.number_input(key="n_v0").set_value(3).run()
    assert at.session_state["spec"].short() == "LSTM32↑ → LSTM16↑ → LSTM16 → Dense(out)"
    flow = figures(at)[0]
    assert any("3D (batch, 24, 16)" in a["text"] for a in flow["layout"]["annotations"])
    v = at.session_state["spec_version"]
    at.button(key=f"del_0_v{v}").click().run()
    assert at.session_state["spec"].short() == "LSTM16↑ → LSTM16 → Dense(out)"
    at.number_input(key=f"units_1_v{at.session_state['spec_version']}").set_value(4).run()
    at.button(key=f"up_1_v{at.session_state['spec_version']}").click().run()
    assert at.session_state["spec"].short() == "LSTM4 → LSTM16↑ → Dense(out)"
    assert "receives a 2D tensor" in at.error[0].value


def test_dense_layers_and_head():
    at = open_architecture()
    at.text_input(key="dense_v0").input("16, 8").run()
    assert [d.units for d in at.session_state["spec"].dense] == [16, 8]
    assert list(summary(at)["layer"])[2:] == [
        "dense_1 (Dense(relu))",
        "dense_2 (Dense(relu))",
        "output (Dense (output))",
    ]
    at.text_input(key="dense_v0").input("16, x").run()
    assert "whole numbers from 1 to 1,024 separated by commas" in plain(at.error[0].value)
    at.radio(key="head_v0").set_value("none").run()
    assert "the last Dense layer has 8 units and the target has 1" in at.error[1].value


def test_gru_param_count_uses_reset_after():
    at = open_architecture()
    at.selectbox(key="kind_1_v0").set_value("gru").run()
    assert list(summary(at)["params"])[1] == f"{3 * 16 * (32 + 16 + 2):,}"


def test_a_shared_link_opens_the_exact_stack():
    spec = ArchitectureSpec.from_dict(
        {
            "layers": [
                {"kind": "gru", "units": 12, "return_sequences": True, "bidirectional": True, "merge_mode": "ave"},
                {"kind": "simple_rnn", "units": 5, "dropout": 0.2},
            ],
            "dense": [{"units": 7}],
            "head": "dense",
        }
    )
    at = open_architecture(arch=spec.to_url())
    assert at.session_state["spec"] == spec
    assert list(summary(at)["output shape"]) == ["(batch, 24, 12)", "(batch, 5)", "(batch, 7)", "(batch, 1)"]


def test_a_damaged_link_says_so_and_falls_back_to_the_default():
    at = open_architecture(arch="1.garbage!!")
    assert not at.exception
    assert "could not be opened" in plain(at.error[0].value)
    assert at.session_state["spec"] == lstm_stack(32, 16)


def test_spec_json_upload_good_and_bad():
    at = open_architecture()
    at.file_uploader(key="spec_upload").upload(
        "bad.json", b'{"layers": [{"kind": "cnn", "units": 3}]}', "application/json"
    ).run()
    assert "'bad.json' could not be loaded" in plain(at.error[0].value)
    good = lstm_stack(5, 6, 7)
    at.file_uploader(key="spec_upload").upload("good.json", good.to_json().encode(), "application/json").run()
    assert at.session_state["spec"] == good
    assert not at.exception


def test_exported_code_on_labelled_data_is_a_classifier_over_its_classes():
    at = app_test()
    at.session_state["sample"] = "gestures"
    at.run()
    windows = at.session_state["windows"]
    assert windows.task == "classification" and len(windows.classes) >= 2
    at.switch_page("pages/architecture.py").run()
    [code] = [c.value for c in at.code if "model.compile(" in c.value]
    assert f'layers.Dense({len(windows.classes)}, activation="softmax"' in code
    assert "sparse_categorical_crossentropy" in code
