"""The sidebar every page shares: the language, the data and stack in use, the newest run (live while it
trains), a teacher's push with its Undo, and the workspace's restore code."""

from __future__ import annotations

import logging

import streamlit as st

from pages.ui.frame import Frame
from slstm import room_push
from slstm.errors import SlstmError
from slstm.i18n import LANGUAGES, t
from slstm.shapes import infer_shapes, shape_text, total_params
from slstm.text import escape_markdown
from slstm.workspace import cookie_script, parse_restore_code

logger = logging.getLogger("slstm.app")


def _pick_lang() -> None:
    st.session_state["lang"] = st.session_state["language"]


def language_picker() -> None:
    """One language choice for the whole app, at the top of the sidebar (unless a lesson link hides it)."""
    ss = st.session_state
    if "language" in ss.get("learn_hide", ()):
        return
    ss["language"] = ss["lang"]
    st.sidebar.radio(
        t("common.language"),
        list(LANGUAGES),
        key="language",
        format_func=LANGUAGES.get,
        horizontal=True,
        on_change=_pick_lang,
    )


def status(f: Frame) -> None:
    """The data and the stack in use, with the windows' shape and the parameter count."""
    lang, windows = f.lang, f.windows
    with st.sidebar:
        st.caption(t("frame.data", lang))
        st.text(f.data.name)
        if windows is not None:
            st.text(t("frame.x_train", lang, shape=shape_text(windows.input_shape).replace("batch", "samples")))
        else:
            st.error(escape_markdown(f.data.error))
        st.caption(t("frame.architecture", lang))
        st.text(f.spec.short())
        if windows is not None:
            try:
                total = total_params(infer_shapes(f.spec, windows.shape))
            except Exception:  # never let the sidebar break every page
                logger.exception("infer_shapes failed in the sidebar")
                total = None
            st.text(t("frame.invalid_stack", lang) if total is None else t("frame.parameters", lang, count=total))
        latest_run(f)


def _active(f: Frame, runs) -> list:
    return [job for r in runs if (job := f.pool.get(r.id)) is not None and not job.done]


def _latest_run_body(f: Frame) -> None:
    """The workspace's newest run; while its jobs train, it refreshes itself and tells the pool that someone
    still watches them (jobs nobody watches are stopped)."""
    lang, pool = f.lang, f.pool
    runs = f.store.list_runs(st.session_state["ws"])
    st.caption(t("frame.latest_run", lang))
    if not runs:
        st.text(t("frame.none_yet", lang))
        return
    for job in _active(f, runs):
        pool.touch(job.run_id)
    run, job = runs[0], pool.get(runs[0].id)
    if job is not None and not job.done:
        state = t(f"common.status.{job.status}", lang)
        st.text(t("frame.run_live", lang, name=run.name, status=state, epoch=job.epoch, epochs=job.epochs))
    else:
        epochs = t("common.epochs", lang, count=run.epochs_done)
        state = t(f"common.status.{run.status}", lang)
        st.text(t("frame.run_done", lang, name=run.name, status=state, epochs=epochs))
    if len(active := _active(f, runs)) > 1:
        st.text(t("frame.jobs_active", lang, count=len(active)))


def latest_run(f: Frame) -> None:
    live = bool(_active(f, f.store.list_runs(f.ws)))
    st.fragment(_latest_run_body, run_every=2 if live else None)(f)


def _undo_push(f: Frame, code: str) -> None:
    if (version := room_push.undo_push(st.session_state)) is not None:
        f.rooms.undo(code, st.session_state["ws"], version)
        st.session_state["room_notice"] = None


def room_notice(f: Frame) -> None:
    """The teacher's newest push, once applied: its note, what it changed, and Undo."""
    notice = st.session_state.get("room_notice")
    if f.member is None or not notice:
        return
    version, note, changed = notice
    lang = f.lang
    with st.sidebar:
        text = (
            t("room.push.note", lang, version=version, note=note)
            if note
            else t("room.push.no_note", lang, version=version)
        )
        st.info(escape_markdown(text))  # the teacher's note is text, never Markdown
        st.caption(t("room.push.changed", lang, what=", ".join(t(f"room.push.what.{w}", lang) for w in changed)))
        st.button(t("room.push.undo", lang), key="room_undo_push", on_click=_undo_push, args=(f, f.member.code))


def _restore(f: Frame) -> None:
    """Open the runs of a restore code pasted from another device (on_click of the Restore button)."""
    ss = st.session_state
    try:
        ss["ws"] = parse_restore_code(ss.get("restore_code"))
    except SlstmError as exc:
        ss["restore_message"] = ("error", exc.text(f.lang))
        return
    for key in ("active_run", "watching", "inspect_run", "delete_pending"):
        ss.pop(key, None)
    ss["restore_code"] = ""
    found = t("common.runs", f.lang, count=len(f.store.list_runs(ss["ws"])))
    ss["restore_message"] = ("success", t("frame.restored", f.lang, runs=found))


def workspace_panel(f: Frame) -> None:
    """Keeps the workspace in this browser's cookie; shows its restore code and takes another device's."""
    ss, lang = st.session_state, f.lang
    with st.sidebar:
        st.html(cookie_script(f.ws), unsafe_allow_javascript=True)
        with st.expander(t("frame.workspace", lang), icon=":material/key:"):
            st.caption(t("frame.workspace_caption", lang))
            st.code(f.ws, language=None)
            st.text_input(t("frame.restore_code", lang), key="restore_code", type="password")
            st.button(t("frame.restore", lang), key="restore", on_click=_restore, args=(f,))
            kind, text = ss.pop("restore_message", (None, ""))
            if kind:
                getattr(st, kind)(text)
