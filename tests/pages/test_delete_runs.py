"""Deleting runs: nothing ticked for it, a question first, a training run stopped before it goes; and every page
keeps working when a run vanishes under it (deleted on Compare, in another tab, or on another device)."""

import time

import pytest
from support import app_test, plain
from test_compare_page import open_compare

from slstm.spec import lstm_stack


def editor(at):
    return at.data_editor(key=at.session_state["runs_editor_key"])


def tick(at, **rows):
    """Tick rows of the runs table for deletion (row 0 is the newest run)."""
    at.session_state[at.session_state["runs_editor_key"]] = {
        "edited_rows": {int(row[1:]): {"delete": True} for row in rows},
        "added_rows": [],
        "deleted_rows": [],
    }
    return at.run()


def warnings(at):
    return [plain(w.value) for w in at.main.warning]


def test_nothing_is_ticked_for_deletion_and_delete_asks_first():
    at, ids = open_compare([lstm_stack(8), lstm_stack(4)])
    store, ws = at.session_state["run_store"], at.session_state["ws"]
    assert not editor(at).value["delete"].any()  # the table as drawn, before the user's edits
    assert at.button(key="delete_runs").disabled
    tick(at, r0=True)
    at.button(key="delete_runs").click().run()
    assert len(store.list_runs(ws)) == 2  # asked, not done
    assert warnings(at) == [
        "Delete 1 run for good: run 2? Their history, weights, model and predictions go too; this cannot be undone."
    ]
    at.button(key="delete_cancel").click().run()
    assert not at.exception and warnings(at) == [] and len(store.list_runs(ws)) == 2
    tick(at, r0=True)
    at.button(key="delete_runs").click().run()
    at.button(key="delete_confirm").click().run()
    assert not at.exception
    assert [r.id for r in store.list_runs(ws)] == [ids[0]]
    assert plain(at.main.success[0].value) == "Deleted 1 run."
    assert at.button(key="delete_runs").disabled  # no tick moved onto the remaining run


def test_a_tick_never_moves_to_another_run_when_the_list_changes():
    at, ids = open_compare([lstm_stack(8), lstm_stack(4)])
    store = at.session_state["run_store"]
    tick(at, r0=True)  # the newest run, ids[1]
    assert at.button(key="delete_runs").label == "Delete 1 ticked…" and not at.button(key="delete_runs").disabled
    store.create_run(workspace=at.session_state["ws"], spec=lstm_stack(2).to_dict(), data_config={}, train_config={})
    at.run()  # another tab added a run: it is row 0 now
    assert not at.exception
    assert len(editor(at).value) == 3
    assert at.button(key="delete_runs").label == "Delete ticked…" and at.button(key="delete_runs").disabled


def train(at, epochs):
    at.session_state["spec"] = lstm_stack(4, 4)
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(epochs).run()
    at.button(key="train").click().run()
    assert not at.exception
    return at.session_state["active_run"]


def wait_for(at, done, timeout=120):
    deadline = time.time() + timeout
    while not done():
        assert time.time() < deadline, "not in time"
        time.sleep(0.3)
        at.run()
        assert not at.exception


def test_a_training_run_is_stopped_before_it_is_deleted_and_the_train_page_copes():
    at = app_test().run()
    store, pool = at.session_state["run_store"], at.session_state["job_pool"]
    run_id = train(at, epochs=300)
    wait_for(at, lambda: store.get(run_id).epochs_done >= 1)
    at.switch_page("pages/compare.py").run()
    tick(at, r0=True)
    at.button(key="delete_runs").click().run()
    assert warnings(at)[0].endswith("Still training or queued, stopped first: run 1.")
    at.button(key="delete_confirm").click().run()
    assert not at.exception
    assert store.get(run_id) is None
    job = pool.get(run_id)
    assert job.done and job.status == "stopped" and job.epochs_seen < 300
    at.switch_page("pages/train.py").run()  # its active run is gone
    assert not at.exception
    assert at.session_state["active_run"] is None and not at.button(key="train").disabled
    assert any("No runs yet in this workspace" in c.value for c in at.main.caption)


@pytest.fixture
def finished():
    at = app_test().run()
    run_id = train(at, epochs=2)
    wait_for(at, lambda: at.session_state["run_store"].get(run_id).status == "finished")
    return at, run_id


def test_every_page_copes_with_a_run_deleted_elsewhere(finished):
    at, run_id = finished
    store = at.session_state["run_store"]
    downloads = {b.label: b.proto for b in at.get("download_button")}
    assert set(downloads) == {"Model (.keras)", "Spec (JSON)", "History (CSV)", "Predictions (CSV)"}
    at.switch_page("pages/inspect.py").run()
    assert at.selectbox(key="inspect_run").value.id == run_id
    store.delete(run_id)  # another tab, or another device with the restore code
    for page in ("pages/inspect.py", "pages/train.py", "pages/compare.py", "pages/data.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    assert "none yet" in [t.value for t in at.sidebar.text]
    at.switch_page("pages/inspect.py").run()
    assert "No trained run" in at.info[0].value
