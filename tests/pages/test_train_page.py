import time

from support import app_test, browser_cookies, figures, plain

from slstm.spec import lstm_stack
from slstm.train import auto_batch
from slstm.workspace import COOKIE


def open_train(spec=None, epochs=2):
    at = app_test().run()
    at.session_state["spec"] = spec or lstm_stack(4, 4)
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(epochs).run()
    return at


def run_until(at, done, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception
        if done(at):
            return at
        time.sleep(0.3)
    raise AssertionError("the run did not get there in time")


def current_run(at):
    store = at.session_state["run_store"]
    return store.get(at.session_state["active_run"])


def test_training_runs_as_a_job_and_shows_metrics_and_downloads():
    at = open_train()
    at.button(key="train").click().run()
    assert not at.exception
    assert at.button(key="train").disabled  # one job at a time per user
    at = run_until(at, lambda at: [h.value for h in at.subheader] == ["How good is it?"])
    assert current_run(at).status == "finished"
    run = current_run(at)
    assert run.epochs_done == 2 and run.workspace == at.session_state["ws"] and "ws" not in at.query_params
    train_samples = len(at.session_state["windows"].train)
    assert at.number_input(key="batch_size").value is None  # left to the app: the run records what it chose
    assert run.train_config["batch_size"] == auto_batch(train_samples) == 32
    assert run.data_choice == at.session_state["data_choice"].to_dict()  # the run records what the user chose
    assert run.data_choice["source"].startswith("sample:")
    loss = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Loss by epoch")
    history = at.session_state["run_store"].history(run.id)
    assert loss["data"][0]["y"] == history["loss"] and [t["name"] for t in loss["data"]] == ["train", "validation"]
    tables = [t.value for t in at.dataframe]
    assert {"model", "training mean", "persistence (last value)"} <= set(tables[0].index)
    assert {b.label for b in at.get("download_button")} == {
        "Model (.keras)",
        "Spec (JSON)",
        "History (CSV)",
        "Predictions (CSV)",
    }
    assert not at.button(key="train").disabled


def test_stop_keeps_the_run_and_its_finished_epochs():
    at = open_train(epochs=200)
    at.button(key="train").click().run()
    run_until(at, lambda at: current_run(at).epochs_done >= 1)
    at.button(key="stop").click().run()
    at = run_until(at, lambda at: current_run(at).status == "stopped", timeout=30)
    run = current_run(at)
    assert run.epochs_done >= 1 and "every finished epoch is kept" in run.message.lower()
    assert any(f["layout"]["title"]["text"] == "Loss by epoch" for f in figures(at))


def test_a_reload_with_the_same_workspace_finds_the_runs(monkeypatch):
    at = open_train()
    at.button(key="train").click().run()
    at = run_until(at, lambda at: current_run(at).status == "finished")
    ws, run_id = at.session_state["ws"], at.session_state["active_run"]
    browser_cookies(monkeypatch, {COOKIE: ws})  # a reload: a new session, the browser sends its cookie
    fresh = app_test()
    fresh.run()
    fresh.switch_page("pages/train.py").run()
    assert not fresh.exception
    assert any(run_id and "finished · 2 epochs" in plain(c.value) for c in fresh.main.caption)


def test_an_invalid_stack_is_not_trained_and_points_to_the_fix():
    at = app_test().run()
    at.session_state["spec"] = lstm_stack(8, 8).with_layer(0, return_sequences=False)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert "cannot be trained yet" in at.error[0].value
    assert not [b for b in at.button if b.key == "train"]


TRACES = b"trace,step,x,y,label\n" + b"".join(
    f"{k},{s},{(k * 7 + s) % 5 * 0.3:.1f},{s * 0.1 * (1 + k % 2):.1f},{'up' if k % 2 else 'down'}\n".encode()
    for k in range(40)
    for s in range(6)
)


def test_early_stopping_left_to_the_app_is_off_for_a_classifier_with_few_validation_sequences_and_says_why():
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("traces.csv", TRACES, "text/csv").run()
    at.selectbox(key="sequence_id").set_value("trace").run()
    at.selectbox(key="target").set_value("label").run()
    windows = at.session_state["windows"]
    assert windows.task == "classification" and len(windows.val) < 30
    at.session_state["spec"] = lstm_stack(4, 4)
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(1).run()
    assert at.number_input(key="patience").value is None and at.number_input(key="patience").placeholder == "auto: off"
    notes = [plain(i.value) for i in at.info]
    assert any(f"only {len(windows.val)} sequences (fewer than 30)" in n and "all 1 epochs" in n for n in notes), notes
    at.button(key="train").click().run()
    assert current_run(at).train_config["patience"] is None  # recorded as it trains: no early stopping
    at = run_until(at, lambda at: current_run(at).status == "finished")
    at.number_input(key="patience").set_value(5).run()  # chosen by the user: kept, and the note goes
    assert not any("Early stopping is off" in plain(i.value) for i in at.info)
    at.button(key="train").click().run()
    assert current_run(at).train_config["patience"] == 5
    run_until(at, lambda at: current_run(at).status == "finished")


def test_early_stopping_left_to_the_app_is_on_for_the_default_sample():
    at = open_train(epochs=1)
    assert at.number_input(key="patience").placeholder == "auto: 20"
    assert not any("Early stopping is off" in plain(i.value) for i in at.info)
    at.button(key="train").click().run()
    assert current_run(at).train_config["patience"] == 20
    run_until(at, lambda at: current_run(at).status == "finished")


def test_the_live_view_polls_while_the_pool_or_the_store_says_the_run_is_live():
    from types import SimpleNamespace

    from pages.ui.train import poll_every

    def run(status):
        return SimpleNamespace(status=status)

    training, waiting = SimpleNamespace(done=False, status="running"), SimpleNamespace(done=False, status="queued")
    over = SimpleNamespace(done=True, status="finished")
    assert poll_every(training, run("running")) == 1 and poll_every(training, run("queued")) == 1
    assert poll_every(waiting, run("queued")) == 2  # its place in the queue changes less often
    # the pool has no job (or has it done) while the store still says live: keep looking until the end is there
    assert poll_every(None, run("running")) == 3 and poll_every(over, run("queued")) == 3
    assert poll_every(over, run("finished")) is None and poll_every(None, run("stopped")) is None
    assert poll_every(None, None) is None


def test_a_refused_training_says_why_on_the_page():
    at = open_train()
    at.session_state["job_pool"].max_queued = 0  # this workspace may queue nothing more
    at.button(key="train").click().run()
    assert not at.exception
    assert any("queue" in e.value for e in at.error), [e.value for e in at.error]
    assert "active_run" not in at.session_state or at.session_state["active_run"] is None
