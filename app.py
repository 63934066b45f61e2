"""Stacked LSTM Explorer: the entry point. Sets the page frame every page shares (navigation and the
sidebar status) and resolves the current data and architecture into st.session_state for the pages."""

from __future__ import annotations

import logging

import streamlit as st

from slstm import room_push
from slstm.choice import SETTINGS, DataChoice
from slstm.csvio import Limits, Table, apply_missing, read_csv
from slstm.data import DataConfig, Windows, prepare
from slstm.errors import SlstmError, localize
from slstm.i18n import DEFAULT_LANGUAGE, LANGUAGES, parse_lang, t
from slstm.jobs import JobPool
from slstm.lessons import parse_hide
from slstm.rooms import TEACHER_COOKIE, RoomStore
from slstm.runs import RunStore
from slstm.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.shapes import infer_shapes, shape_text, total_params
from slstm.spec import DEFAULT_SPEC, ArchitectureSpec
from slstm.text import escape_markdown
from slstm.workspace import COOKIE, cookie_script, is_id, new_id, parse_restore_code

logger = logging.getLogger("slstm.app")


def current_lang() -> str:
    """The app's language: a link's ?lang= on the session's first run, else the browser's locale, else English;
    then the sidebar's choice. Every run writes it back to ?lang=, so reloads and page switches keep it."""
    ss = st.session_state
    if "lang" not in ss:
        ss["lang"] = parse_lang(st.query_params.get("lang")) or parse_lang(st.context.locale) or DEFAULT_LANGUAGE
    if "hide" in st.query_params:  # a lesson link's hide flags (?hide=language) hold for the rest of the session
        ss["learn_hide"] = parse_hide(st.query_params["hide"])
    st.query_params["lang"] = ss["lang"]
    return ss["lang"]


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


LANG = current_lang()
st.set_page_config(page_title=t("common.app_title", LANG), page_icon=":material/stacks:", layout="wide")


@st.cache_resource(max_entries=32, show_spinner=False)
def sample_frame(key: str):
    """A built-in sample, generated once per server and shared read-only."""
    return SAMPLES[key].make()


@st.cache_resource(max_entries=16, show_spinner=False)
def uploaded_table(digest: str, name: str, policy: str, _data: bytes) -> Table:
    """An upload read once per content and missing-value policy (keyed by its digest, not its bytes)."""
    table = read_csv(_data, name=name, limits=Limits.from_env())
    return table if policy == "keep" else apply_missing(table, policy)[0]


@st.cache_resource(max_entries=64, show_spinner=False)
def windows_for(source: str, config: DataConfig, _frame, _test=None) -> Windows:
    return prepare(_frame, config) if _test is None else prepare(_frame, config, test_table=_test)


def data_choice(ss, source: str) -> DataChoice:
    """The Data page's choice for `source`: its roles and the DataConfig settings it set (widgets keyed by the
    settings' names)."""
    settings = {name: ss[name] for name in SETTINGS if name in ss}
    return DataChoice.of(source, target=ss.get("target"), features=ss.get("features") or (), **settings)


def data_link() -> None:
    """A link's ?data= (a sample and its settings) on the session's first run; the address bar then carries
    the current sample choice, as ?arch= carries the stack."""
    ss = st.session_state
    if "data_link_read" in ss:
        return
    ss["data_link_read"] = True
    if (text := st.query_params.get("data")) is None:
        return
    try:
        choice = DataChoice.from_url(text)
    except SlstmError as exc:
        ss["data_link_error"] = t("frame.link_data_error", LANG, error=exc.text(LANG))
        return
    ss["source"], ss["sample"] = "sample", choice.sample
    ss.update(dict(choice.settings))


def current_data() -> None:
    """Put the chosen data and its windows (or the reason there are none) into session state."""
    ss = st.session_state
    ss["data_error"], ss["windows"], ss["table"], ss["test_frame"] = None, None, None, None
    upload = ss.get("upload") if ss.get("source") == "upload" else None
    if upload:
        st.query_params.pop("data", None)  # an upload cannot travel in a link
    try:
        if upload:
            digest, name, data = upload
            policy = ss.get("missing", "interpolate")
            with st.spinner(t("frame.reading_csv", LANG)):
                table = uploaded_table(digest, name, policy, data)
            ss["table"], ss["data_name"], source = table, name, f"upload:{digest}:{policy}"
            frame, time_column = table.frame, table.time_column
            numeric = [c for c in table.numeric_columns if c != time_column]
            choice = data_choice(ss, f"upload:{digest}")
            if test := ss.get("test_upload"):
                try:
                    ss["test_frame"] = uploaded_table(test[0], test[1], policy, test[2]).frame
                except SlstmError as exc:
                    error = localize(exc, LANG)
                    raise SlstmError(t("frame.test_file_unusable", LANG, name=test[1], error=error)) from None
                source += f":test:{test[0]}"
        else:
            sample = SAMPLES[ss.setdefault("sample", DEFAULT_SAMPLE)]
            frame, time_column, source = sample_frame(sample.key), sample.time_column, f"sample:{sample.key}"
            ss["data_name"] = t(f"samples.{sample.key}.title", LANG)
            numeric = [c for c in frame.columns if c != time_column and frame[c].dtype.kind == "f"]
            choice = data_choice(ss, source)
            st.query_params["data"] = choice.to_url()
        ss["frame"], ss["time_column"], ss["numeric_columns"] = frame, time_column, numeric
        ss["target_options"] = [c for c in frame.columns if c != time_column]
        ss["data_choice"], config = choice, choice.config(numeric, ss["target_options"], time_column)
        ss["target"], ss["features"] = config.targets[0], list(config.features)  # defaults where unset or gone
        ss["data_config"] = config
        with st.spinner(t("frame.cutting_windows", LANG)):
            ss["windows"] = windows_for(source, config, frame, ss["test_frame"])
    except SlstmError as exc:
        ss["data_error"] = localize(exc, LANG)  # a data error in the reader's language
        ss.setdefault("frame", None)
    except Exception:  # a bug or the machine (e.g. MemoryError): every page must still draw
        logger.exception("Preparing the data failed")
        ss["data_error"] = t("frame.data_internal_error", LANG)
        ss.setdefault("frame", None)


def current_spec() -> ArchitectureSpec:
    """The session's architecture: on a session's first run, the one a shared link (?arch=...) carries."""
    ss = st.session_state
    if "spec" not in ss:
        ss["spec"] = DEFAULT_SPEC
        token = st.query_params.get("arch")
        if token:
            try:
                ss["spec"] = ArchitectureSpec.from_url(token)
            except SlstmError as exc:
                ss["link_error"] = t("frame.link_arch_error", LANG, error=exc.text(LANG))
            except Exception:  # a spec must never break every page; SpecError should have caught it
                logger.exception("Reading ?arch= failed")
                ss["link_error"] = t("frame.link_arch_error_plain", LANG)
    return ss["spec"]


def sidebar_status() -> None:
    ss = st.session_state
    spec = current_spec()
    with st.sidebar:
        st.caption(t("frame.data", LANG))
        windows = ss.get("windows")
        st.text(ss.get("data_name", t("frame.no_data", LANG)))
        if windows is not None:
            st.text(t("frame.x_train", LANG, shape=shape_text(windows.input_shape).replace("batch", "samples")))
        else:
            st.error(escape_markdown(ss["data_error"]))
        st.caption(t("frame.architecture", LANG))
        st.text(spec.short())
        if windows is not None:
            try:
                total = total_params(infer_shapes(spec, windows.shape))
            except Exception:  # never let the sidebar break every page
                logger.exception("infer_shapes failed in the sidebar")
                total = None
            st.text(t("frame.invalid_stack", LANG) if total is None else t("frame.parameters", LANG, count=total))
        latest_run()


def _active(runs) -> list:
    return [job for r in runs if (job := job_pool().get(r.id)) is not None and not job.done]


def _latest_run_body() -> None:
    """The workspace's newest run; while its jobs train, it refreshes itself and tells the pool that someone
    still watches them (jobs nobody watches are stopped)."""
    runs = run_store().list_runs(st.session_state["ws"])
    st.caption(t("frame.latest_run", LANG))
    if not runs:
        st.text(t("frame.none_yet", LANG))
        return
    for job in _active(runs):
        job_pool().touch(job.run_id)
    run, job = runs[0], job_pool().get(runs[0].id)
    if job is not None and not job.done:
        status = t(f"common.status.{job.status}", LANG)
        st.text(t("frame.run_live", LANG, name=run.name, status=status, epoch=job.epoch, epochs=job.epochs))
    else:
        epochs = t("common.epochs", LANG, count=run.epochs_done)
        st.text(t("frame.run_done", LANG, name=run.name, status=t(f"common.status.{run.status}", LANG), epochs=epochs))
    if len(active := _active(runs)) > 1:
        st.text(t("frame.jobs_active", LANG, count=len(active)))


def latest_run() -> None:
    live = bool(_active(run_store().list_runs(st.session_state["ws"])))
    st.fragment(_latest_run_body, run_every=2 if live else None)()


@st.cache_resource(show_spinner=False)
def run_store() -> RunStore:
    """One store per server (the job pool marks the runs a dead server left behind as failed, epochs kept)."""
    return RunStore()


@st.cache_resource(show_spinner=False, on_release=JobPool.shutdown)
def job_pool() -> JobPool:
    """The server's training pool, shared by every session (thread-safe); shut down (workers and all) when the
    cache lets it go."""
    return JobPool(run_store())


def workspace() -> str:
    """The user's workspace id: the one this browser keeps in a cookie (so a reload or a server restart brings
    the runs back), else a new one. Never in the address: a legacy ?ws= is dropped, not adopted."""
    ss = st.session_state
    if "ws" in st.query_params:
        del st.query_params["ws"]
    if "ws" not in ss:
        kept = st.context.cookies.get(COOKIE)
        ss["ws"] = kept if is_id(kept) else new_id()
    ss["run_store"], ss["job_pool"] = run_store(), job_pool()
    return ss["ws"]


def restore() -> None:
    """Open the runs of a restore code pasted from another device (on_click of the Restore button)."""
    ss = st.session_state
    try:
        ss["ws"] = parse_restore_code(ss.get("restore_code"))
    except SlstmError as exc:
        ss["restore_message"] = ("error", exc.text(LANG))
        return
    for key in ("active_run", "watching", "inspect_run", "delete_pending"):
        ss.pop(key, None)
    ss["restore_code"] = ""
    found = t("common.runs", LANG, count=len(run_store().list_runs(ss["ws"])))
    ss["restore_message"] = ("success", t("frame.restored", LANG, runs=found))


def workspace_panel() -> None:
    """Keeps the workspace in this browser's cookie; shows its restore code and takes another device's."""
    ss = st.session_state
    with st.sidebar:
        st.html(cookie_script(ss["ws"]), unsafe_allow_javascript=True)
        with st.expander(t("frame.workspace", LANG), icon=":material/key:"):
            st.caption(t("frame.workspace_caption", LANG))
            st.code(ss["ws"], language=None)
            st.text_input(t("frame.restore_code", LANG), key="restore_code", type="password")
            st.button(t("frame.restore", LANG), key="restore", on_click=restore)
            kind, text = ss.pop("restore_message", (None, ""))
            if kind:
                getattr(st, kind)(text)


@st.cache_resource(show_spinner=False)
def room_store() -> RoomStore:
    """Workshop rooms, in the run store's database file (tables of their own)."""
    return RoomStore(run_store().path)


def teacher() -> str | None:
    """The teacher key this session holds: one opened here, or the one this browser's cookie keeps, if it still
    opens a room. Never from the address. The Teacher page is in the navigation only with it."""
    ss = st.session_state
    if ss.get("teacher_key") is None:
        kept = st.context.cookies.get(TEACHER_COOKIE)
        ss["teacher_key"] = kept if room_store().room_for_key(kept) else None
    return ss["teacher_key"]


def _undo_push(code: str) -> None:
    if (version := room_push.undo_push(st.session_state)) is not None:
        room_store().undo(code, st.session_state["ws"], version)
        st.session_state["room_notice"] = None


def room_frame() -> None:
    """The room this workspace joined (found again after a reload or a restart): the teacher's newest push is
    applied once per version, on whatever page the attendee is, with its note and Undo in the sidebar."""
    ss = st.session_state
    rooms = ss["room_store"] = room_store()
    member = ss["room_member"] = rooms.membership(ss["ws"])
    if member is None:
        ss.pop("room_notice", None)
        return
    push, spec = rooms.latest_push(member.code), current_spec()
    if room_push.due(ss, push, member.undone):
        changed = room_push.apply_push(ss, push)
        ss["room_notice"] = (push.version, push.note, changed)
    if ss.get("room_reported") != (stack := ss.get("spec", spec).short()):
        rooms.report(member.code, ss["ws"], stack)
        ss["room_reported"] = stack
    if notice := ss.get("room_notice"):
        version, note, changed = notice
        with st.sidebar:
            text = (
                t("room.push.note", LANG, version=version, note=note)
                if note
                else t("room.push.no_note", LANG, version=version)
            )
            st.info(escape_markdown(text))  # the teacher's note is text, never Markdown
            st.caption(t("room.push.changed", LANG, what=", ".join(t(f"room.push.what.{w}", LANG) for w in changed)))
            st.button(t("room.push.undo", LANG), key="room_undo_push", on_click=_undo_push, args=(member.code,))


pages = [
    st.Page("pages/data.py", title=t("common.page.data", LANG), icon=":material/table_chart:", default=True),
    st.Page("pages/architecture.py", title=t("common.page.architecture", LANG), icon=":material/stacks:"),
    st.Page("pages/train.py", title=t("common.page.train", LANG), icon=":material/model_training:"),
    st.Page("pages/inspect.py", title=t("common.page.inspect", LANG), icon=":material/search_insights:"),
    st.Page("pages/compare.py", title=t("common.page.compare", LANG), icon=":material/compare_arrows:"),
    st.Page("pages/learn.py", title=t("common.page.learn", LANG), icon=":material/school:", url_path="learn"),
    st.Page("pages/room.py", title=t("room.page.room", LANG), icon=":material/groups:", url_path="room"),
    *(
        [st.Page("pages/teacher.py", title=t("room.page.teacher", LANG), icon=":material/co_present:")]
        if teacher()
        else []
    ),
]
nav = st.navigation(pages)
language_picker()
workspace()
room_frame()
data_link()
current_data()
sidebar_status()
workspace_panel()
nav.run()
