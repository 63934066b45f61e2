import time

from support import app_test, browser_cookies, figures, seed_runs

from slstm.spec import lstm_stack
from slstm.workspace import COOKIE


def open_compare(specs=()):
    at = app_test().run()
    ids = seed_runs(at, specs)
    return at.switch_page("pages/compare.py").run(), ids


def test_empty_workspace_explains_what_to_do():
    at, _ = open_compare()
    assert not at.exception
    assert "No runs yet" in at.info[0].value


def test_three_runs_are_listed_compared_and_overlaid():
    at, ids = open_compare([lstm_stack(8), lstm_stack(16, 8), lstm_stack(16, 8)])
    assert not at.exception
    table = at.data_editor(key=at.session_state["runs_editor_key"]).value
    assert len(table) == 3 and list(table["architecture"])[0] == "LSTM16↑ → LSTM8 → Dense(out)"
    diff = next(d.value for d in at.dataframe if "learning_rate" in d.value.index)
    assert {"layers", "learning_rate", "layer 1 units"} <= set(diff.index)
    curves = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Loss curves")
    assert len(curves["data"]) == 6  # train and validation for each run


def test_rename_and_delete():
    at, ids = open_compare([lstm_stack(8), lstm_stack(4)])
    store = at.session_state["run_store"]
    at.session_state[at.session_state["runs_editor_key"]] = {
        "edited_rows": {0: {"name": "deep one", "delete": True}, 1: {"compare": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert store.get(ids[1]).name == "deep one"  # newest first: row 0 is the last created
    at.button(key="delete_runs").click().run()
    at.button(key="delete_confirm").click().run()
    assert not at.exception
    assert [r.id for r in store.list_runs(at.session_state["ws"])] == [ids[0]]


def test_a_small_sweep_runs_and_reads_its_result(monkeypatch):
    at, _ = open_compare()
    at.multiselect(key="sweep_depths").set_value([1, 2]).run()
    at.multiselect(key="sweep_widths").set_value([4]).run()
    at.number_input(key="sweep_epochs").set_value(1).run()
    at.button(key="run_sweep").click().run()
    deadline = time.time() + 180
    while time.time() < deadline and not any(m.value.startswith("Best: ") for m in at.markdown):
        time.sleep(0.5)
        at.run()
    assert not at.exception
    assert any(m.value.startswith("Best: ") for m in at.markdown)
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert "Best validation loss by depth" in titles
    runs = at.session_state["run_store"].list_runs(at.session_state["ws"])
    assert sorted(r.name for r in runs) == ["sweep 1×4", "sweep 2×4"]
    browser_cookies(monkeypatch, {COOKIE: at.session_state["ws"]})  # a reload: the browser sends its cookie
    fresh = app_test()
    fresh.run()
    fresh.switch_page("pages/compare.py").run()  # a reload: the form describes the sweep on record
    assert (fresh.multiselect(key="sweep_depths").value, fresh.multiselect(key="sweep_widths").value) == ([1, 2], [4])
    assert fresh.number_input(key="sweep_epochs").value == 1
    assert fresh.button(key="run_sweep").label == "Run sweep (2 cells)"
    assert any(m.value.startswith("Best: ") for m in fresh.markdown)
    assert not any("Showing the latest sweep" in c.value for c in fresh.main.caption)  # it is the one described
    fresh.number_input(key="sweep_epochs").set_value(2).run()  # another budget: a new sweep, none of it run yet
    assert any(
        "Showing the latest sweep in this workspace: depths [1, 2], widths [4]" in c.value for c in fresh.main.caption
    )
    assert any(m.value.startswith("Best: ") for m in fresh.markdown)
