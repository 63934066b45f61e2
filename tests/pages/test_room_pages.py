"""The room pages through the whole app (AppTest): a teacher opens a room, attendees join by code, pushes
arrive with a note and undo; privacy: no attendee sees another's unshared runs, the teacher key or the
teacher's view (also not by the address), and a non-member with the room's link sees only the join form."""

import pytest
import streamlit as st
from support import app_test, browser_cookies, plain

from slstm.rooms import TEACHER_COOKIE
from slstm.spec import DEFAULT_SPEC, lstm_stack

SPEC = DEFAULT_SPEC.to_dict()


def texts(at) -> str:
    """Everything an attendee's page shows as text (main area and sidebar), one string."""
    parts = [e.value for kind in ("title", "subheader", "text", "markdown", "caption", "info", "success", "error",
                                  "warning", "code") for e in at.get(kind)]  # fmt: skip
    parts += [w.label for w in (*at.toggle, *at.button, *at.text_input)]
    return plain("\n".join(str(p) for p in parts))


def table(at, column):
    """The first table on the page with this column, as a DataFrame."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def open_room():
    teacher = app_test().run()
    teacher.switch_page("pages/room.py").run()
    teacher.button(key="room_open").click().run()
    assert not teacher.exception
    key = teacher.session_state["teacher_key"]
    code = teacher.session_state["room_store"].room_for_key(key).code
    assert teacher.title[0].value == f"Teacher's view · room {code}"
    return teacher, key, code


def join(code, name, **query):
    at = app_test()
    at.query_params.update(query)
    at.run().switch_page("pages/room.py").run()
    at.text_input(key="room_code").input(code)
    at.text_input(key="room_name").input(name).run()
    at.button(key="room_join").click().run()
    assert not at.exception
    return at


def push(teacher, **choices):
    if choices.get("stack"):
        teacher.checkbox(key="push_stack").check()
    if "lesson" in choices:
        teacher.selectbox(key="push_lesson").set_value(choices["lesson"])
    teacher.text_input(key="push_note").input(choices.get("note", ""))
    next(b for b in teacher.button if b.label == "Push").click().run()
    assert not teacher.exception


def test_attendees_join_by_code_and_a_push_reaches_every_page_with_its_note_and_undo():
    teacher, key, code = open_room()
    ada = join(code.lower().replace("lstm-", ""), "Ada")  # typed loosely
    assert "You joined room " + code + " as Ada." in texts(ada)
    teacher.session_state["spec"] = stack = lstm_stack(48, 24)
    teacher.switch_page("pages/teacher.py").run()
    push(teacher, stack=True, lesson=4, note="Two layers now")
    assert "Push 1 sent" in texts(teacher)
    assert "Ada" in table(teacher, "current stack")["name"].tolist()
    ada.switch_page("pages/architecture.py").run()  # another page: the frame applies the push there too
    assert not ada.exception
    assert ada.session_state["spec"] == stack and ada.session_state["learn_lesson"] == 4
    assert "Push 1 from the teacher: Two layers now" in [plain(i.value) for i in ada.sidebar.info]
    ada.switch_page("pages/learn.py").run()
    assert ada.title[0].value.startswith("4. ")
    ada.button(key="room_undo_push").click().run()
    assert ada.session_state["spec"] != stack and not ada.sidebar.info
    ada.run()
    assert ada.session_state["spec"] != stack  # once per version: an undone push does not come back


def test_attendees_never_see_each_others_unshared_runs_the_key_or_the_teachers_view():
    teacher, key, code = open_room()
    ada, bob = join(code, "Ada"), join(code, "Bob")
    store, rooms = ada.session_state["run_store"], ada.session_state["room_store"]
    ada_ws, bob_ws = ada.session_state["ws"], bob.session_state["ws"]
    shared = store.create_run(workspace=ada_ws, spec=SPEC, data_config={}, train_config={}, name="ada shared").id
    store.create_run(workspace=ada_ws, spec=SPEC, data_config={}, train_config={}, name="ada private")
    ada.run()
    ada.toggle(key=f"room_share_{shared}").set_value(True).run()
    assert rooms.shared(code) == {shared: ada_ws}
    teacher.switch_page("pages/teacher.py").run()
    names = table(teacher, "attendee")["name"].tolist()
    assert names == ["ada shared"]
    for page in ("pages/room.py", "pages/compare.py", "pages/train.py", "pages/data.py"):
        bob.switch_page(page).run()
        seen = texts(bob) + str([d.value.to_dict() for d in bob.dataframe])
        assert "ada" not in seen.lower() and key not in seen
    assert bob.session_state["teacher_key"] is None and key not in str(dict(bob.session_state))
    assert store.list_runs(bob_ws) == []
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in an attendee's navigation at all
        bob.switch_page("pages/teacher.py").run()
    # even the page itself, reached without the key, shows nothing of the room
    bob.session_state["teacher_key"] = "A" * 21 + "A"
    bob.run()
    assert "Ada" not in texts(bob)


def test_the_teacher_page_refuses_a_key_in_the_address_and_a_wrong_cookie(monkeypatch):
    _, key, code = open_room()
    browser_cookies(monkeypatch, {TEACHER_COOKIE: key[:-1] + ("A" if key[-1] != "A" else "Q")})
    stranger = app_test()
    stranger.query_params.update(teacher=key, key=key)
    stranger.run()
    assert stranger.session_state["teacher_key"] is None
    assert key not in texts(stranger)
    with pytest.raises(
        ValueError, match="Could not find a navigation page"
    ):  # the Teacher page is not in this session's navigation
        stranger.switch_page("pages/teacher.py").run()
    browser_cookies(monkeypatch, {TEACHER_COOKIE: key})  # the teacher's own browser after a restart
    st.cache_resource.clear()
    back = app_test().run()
    back.switch_page("pages/teacher.py").run()
    assert not back.exception and back.title[0].value == f"Teacher's view · room {code}"


def test_a_non_member_with_the_room_link_sees_only_the_join_form():
    teacher, _, code = open_room()
    join(code, "Ada")
    stranger = app_test()
    stranger.query_params["room"] = code
    stranger.run().switch_page("pages/room.py").run()
    assert stranger.text_input(key="room_code").value == code
    shown = texts(stranger)
    assert "Ada" not in shown and f"Room {code}" not in shown and "Class experiment" not in shown
    assert not stranger.toggle and stranger.session_state["room_member"] is None


def test_bad_join_input_gets_a_clear_message():
    _, _, code = open_room()
    at = join("LSTM-0000", "Ada")
    assert "That is not a join code" in at.error[0].value
    at = join(code, "   ")
    assert "Choose a display name first" in at.error[0].value
    join(code, "Ada")
    at = join(code, "ADA")
    assert "already goes by" in plain(at.error[0].value)


class FakePool:
    """Stands in for the job pool where a test records runs itself (no worker starts)."""

    def check_quota(self, workspace, count=1):
        pass

    def submit(self, inputs):
        pass


def test_a_server_restart_during_a_class_experiment_brings_back_the_room_members_finished_cells_and_grid(
    monkeypatch,
):
    import os
    import socket

    from slstm import room_grid
    from slstm.data.samples import SAMPLES
    from slstm.workspace import COOKIE

    teacher, key, code = open_room()
    ada, bob = join(code, "Ada"), join(code, "Bob")
    store, rooms = teacher.session_state["run_store"], teacher.session_state["room_store"]
    grid = room_grid.start_grid(
        rooms, code, key, row_axis="depth", row_values=(1, 2), col_axis="units", col_values=(4, 8),
        sample="sine_trend", epochs=2,
    )  # fmt: skip
    frame = SAMPLES["sine_trend"].make()
    ada_ws, bob_ws = ada.session_state["ws"], bob.session_state["ws"]
    done = room_grid.submit_cell(store, FakePool(), rooms, grid, room_grid.deal(rooms, grid, ada_ws), ada_ws, frame)
    for epoch, loss in ((1, 0.6), (2, 0.4)):
        store.add_epoch(done, epoch, {"loss": loss, "val_loss": loss}, seconds=0.1)
    store.set_status(done, "finished")
    cut = room_grid.submit_cell(store, FakePool(), rooms, grid, room_grid.deal(rooms, grid, bob_ws), bob_ws, frame)
    store.add_epoch(cut, 1, {"loss": 0.7, "val_loss": 0.7}, seconds=0.1)
    store.set_status(cut, "running")  # mid-training, in a server process that is gone by now
    store.set_owner(cut, owner=f"{socket.gethostname()}:{os.getpid()}:not-this-start")

    st.cache_resource.clear()  # the restart: a new run store, job pool and room store on the same disk
    browser_cookies(monkeypatch, {TEACHER_COOKIE: key})
    back = app_test().run()
    back.switch_page("pages/teacher.py").run()
    assert not back.exception and back.session_state["room_store"] is not rooms
    assert back.title[0].value == f"Teacher's view · room {code}"
    assert table(back, "current stack")["name"].tolist() == ["Ada", "Bob"]
    cells = table(back, "cell")
    assert cells["state"].tolist() == ["finished", "dealt", "free", "free"]
    assert cells["attendee"].tolist() == ["Ada", "Bob", "", ""] and cells["best val_loss"][0] == 0.4
    assert "Too few finished cells to compare yet (1 of 4)." in texts(back)

    browser_cookies(monkeypatch, {COOKIE: ada_ws})
    ada = app_test().run()
    ada.switch_page("pages/room.py").run()
    assert f"You are Ada in room {code}." in texts(ada)
    assert "1 layer × 4 units: finished, 2 epochs, best val_loss 0.4" in texts(ada)
    browser_cookies(monkeypatch, {COOKIE: bob_ws})
    bob = app_test().run()
    bob.switch_page("pages/room.py").run()
    assert "1 layer × 8 units: failed, 1 epochs" in texts(bob)  # cut off by the restart, its epoch kept
    assert "Your cell: 1 layer × 8 units" in texts(bob) and bob.button(key="room_train")  # and it can train again
