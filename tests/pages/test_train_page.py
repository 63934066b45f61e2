from support import app_test, figures

from slstm.spec import lstm_stack


def open_train(spec=None):
    at = app_test().run()
    at.session_state["spec"] = spec or lstm_stack(4, 4)
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(2).run()
    return at


def test_training_two_epochs_draws_the_loss_curve_and_metrics():
    at = open_train()
    at.button(key="train").click().run()
    assert not at.exception
    assert at.progress[0].value == 100
    assert "Epoch 2/2" in at.progress[0].proto.text
    run = at.session_state["last_run"]
    assert run["status"] == "finished"
    assert len(run["history"]["loss"]) == 2
    loss = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Loss by epoch")
    assert [t["name"] for t in loss["data"]] == ["train", "validation"]
    assert loss["data"][0]["y"] == run["history"]["loss"]
    assert "Final training loss" in at.success[0].value
    metrics = at.dataframe[0].value
    assert {"model", "training mean", "persistence (last value)"} <= set(metrics.index)


def test_an_invalid_stack_is_not_trained_and_points_to_the_fix():
    at = app_test().run()
    at.session_state["spec"] = lstm_stack(8, 8).with_layer(0, return_sequences=False)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert "cannot be trained yet" in at.error[0].value
    assert not at.button
