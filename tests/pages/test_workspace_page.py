"""The workspace: a generated id kept in the browser's cookie, never taken from or written to the address."""

import streamlit as st
from support import app_test, browser_cookies

from slstm.workspace import COOKIE, is_id, new_id


def seed_run(at, ws):
    return at.session_state["run_store"].create_run(workspace=ws, spec={}, data_config={}, train_config={}).id


def sidebar_texts(at):
    return [t.value for t in at.sidebar.text]


def test_a_new_browser_gets_a_generated_workspace_kept_in_a_cookie_not_in_the_address():
    at = app_test().run()
    assert not at.exception
    ws = at.session_state["ws"]
    assert is_id(ws) and "ws" not in at.query_params
    (script,) = [h.proto for h in at.get("html")]
    assert script.unsafe_allow_javascript and f"{COOKIE}={ws}; path=/" in script.body
    at.switch_page("pages/train.py").run()
    assert "ws" not in at.query_params and at.session_state["ws"] == ws


def test_a_link_with_someone_elses_workspace_is_ignored_and_cleaned(monkeypatch):
    first = app_test().run()
    theirs = first.session_state["ws"]
    seed_run(first, theirs)
    other = app_test()
    other.query_params["ws"] = theirs  # an old-style link, with a workspace id of the right form
    other.run()
    assert not other.exception
    assert other.session_state["ws"] != theirs and "ws" not in other.query_params
    assert "none yet" in sidebar_texts(other)


def test_the_cookie_brings_the_workspace_back_after_a_restart_and_a_malformed_one_is_ignored(monkeypatch):
    first = app_test().run()
    ws = first.session_state["ws"]
    seed_run(first, ws)
    st.cache_resource.clear()  # a server restart: a new run store and pool on the same disk
    browser_cookies(monkeypatch, {COOKIE: ws})  # the browser sends its cookie with the new session
    again = app_test().run()
    assert again.session_state["run_store"] is not first.session_state["run_store"]
    assert again.session_state["ws"] == ws and "run 1: queued, 0 epochs" in sidebar_texts(again)
    browser_cookies(monkeypatch, {COOKIE: "group1"})  # not of the generated form: never adopted
    guessed = app_test().run()
    assert not guessed.exception and is_id(guessed.session_state["ws"]) and guessed.session_state["ws"] != "group1"


def test_a_restore_code_opens_the_runs_of_another_device():
    laptop = app_test().run()
    code = laptop.session_state["ws"]
    seed_run(laptop, code)
    assert [c.value for c in laptop.sidebar.code] == [code]  # shown under "Your workspace"
    phone = app_test().run()
    phone.text_input(key="restore_code").input(f"  {code} ").run()
    phone.button(key="restore").click().run()
    assert not phone.exception
    assert phone.session_state["ws"] == code
    assert "Opened the workspace of that code: 1 run." in phone.sidebar.success[0].value
    assert "run 1: queued, 0 epochs" in sidebar_texts(phone)
    (script,) = [h.proto for h in phone.get("html")]
    assert f"{COOKIE}={code};" in script.body  # this browser keeps it from now on


def test_a_wrong_restore_code_says_so_without_repeating_it_and_keeps_the_workspace():
    at = app_test().run()
    ws = at.session_state["ws"]
    for pasted in ("group1", new_id()[:-1] + "!"):
        at.text_input(key="restore_code").input(pasted).run()
        at.button(key="restore").click().run()
        assert not at.exception and at.session_state["ws"] == ws
        (message,) = [e.value for e in at.sidebar.error]
        assert "not a restore code" in message and pasted not in message
