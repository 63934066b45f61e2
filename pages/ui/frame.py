"""The page frame: what app.py resolves on every run, before any page, into one typed value the pages read
(`page_frame()`): the language, the workspace and its store and pool, the room it joined, the architecture,
and the data (the choice, its table and windows, or the reason there are none)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from pages import FRAME_KEY as KEY  # where the frame is kept; the guard looks for it
from pages.ui.resources import job_pool, room_store, run_store, sample_frame, uploaded_table, windows_for
from slstm import room_push
from slstm.choice import SETTINGS, DataChoice
from slstm.data import DataConfig, Windows
from slstm.data.read import Table
from slstm.data.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.errors import SlstmError, localize
from slstm.i18n import DEFAULT_LANGUAGE, parse_lang, t
from slstm.jobs import JobPool
from slstm.lessons import parse_hide
from slstm.rooms import TEACHER_COOKIE, Member, RoomStore
from slstm.runs import RunStore
from slstm.spec import DEFAULT_SPEC, ArchitectureSpec
from slstm.workspace import COOKIE, is_id, new_id

logger = logging.getLogger("slstm.app")


@dataclass(frozen=True)
class Data:
    """The current data: the choice, the table it was read from, its windows; or `error`, in the reader's
    language, when there are no windows."""

    name: str
    choice: DataChoice | None = None
    config: DataConfig | None = None
    frame: pd.DataFrame | None = None
    time_column: str | None = None
    numeric_columns: tuple[str, ...] = ()
    target_options: tuple[str, ...] = ()
    table: Table | None = None  # an upload's table (what the reader reported); None for a sample
    test_frame: pd.DataFrame | None = None
    windows: Windows | None = None
    error: str | None = None


@dataclass(frozen=True)
class Frame:
    lang: str
    ws: str
    spec: ArchitectureSpec
    data: Data
    store: RunStore = field(repr=False)
    pool: JobPool = field(repr=False)
    rooms: RoomStore = field(repr=False)
    member: Member | None = None

    @property
    def windows(self) -> Windows | None:
        return self.data.windows


def page_frame() -> Frame:
    """The frame app.py built for this run (pages/__init__.py's guard reruns a page that finds none)."""
    return st.session_state[KEY]


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


def teacher() -> str | None:
    """The teacher key this session holds: one opened here, or the one this browser's cookie keeps, if it still
    opens a room. Never from the address. The Teacher page is in the navigation only with it."""
    ss = st.session_state
    if ss.get("teacher_key") is None:
        kept = st.context.cookies.get(TEACHER_COOKIE)
        ss["teacher_key"] = kept if room_store().room_for_key(kept) else None
    return ss["teacher_key"]


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
                ss["link_error"] = t("frame.link_arch_error", ss["lang"], error=exc.text(ss["lang"]))
            except Exception:  # a spec must never break every page; SpecError should have caught it
                logger.exception("Reading ?arch= failed")
                ss["link_error"] = t("frame.link_arch_error_plain", ss["lang"])
    return ss["spec"]


def room_member() -> Member | None:
    """The room this workspace joined (found again after a reload or a restart): the teacher's newest push is
    applied once per version, on whatever page the attendee is; the sidebar shows its note and Undo."""
    ss = st.session_state
    rooms = ss["room_store"] = room_store()
    member = ss["room_member"] = rooms.membership(ss["ws"])
    if member is None:
        ss.pop("room_notice", None)
        return None
    push = rooms.latest_push(member.code)
    if room_push.due(ss, push, member.undone):
        changed = room_push.apply_push(ss, push)
        ss["room_notice"] = (push.version, push.note, changed)
    if ss.get("room_reported") != (stack := current_spec().short()):
        rooms.report(member.code, ss["ws"], stack)
        ss["room_reported"] = stack
    return member


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
        ss["data_link_error"] = t("frame.link_data_error", ss["lang"], error=exc.text(ss["lang"]))
        return
    ss["source"], ss["sample"] = "sample", choice.sample
    ss.update(dict(choice.settings))


def data_choice(ss, source: str) -> DataChoice:
    """The Data page's choice for `source`: its roles and the DataConfig settings it set (widgets keyed by the
    settings' names)."""
    settings = {name: ss[name] for name in SETTINGS if name in ss}
    return DataChoice.of(source, target=ss.get("target"), features=ss.get("features") or (), **settings)


def _read(ss, lang: str) -> dict:
    """The chosen table: an upload (and its test file) or a sample, with its choice and cache source."""
    upload = ss.get("upload") if ss.get("source") == "upload" else None
    if not upload:
        sample = SAMPLES[ss.setdefault("sample", DEFAULT_SAMPLE)]
        frame, time_column, source = sample_frame(sample.key), sample.time_column, f"sample:{sample.key}"
        numeric = [c for c in frame.columns if c != time_column and frame[c].dtype.kind == "f"]
        choice = data_choice(ss, source)
        st.query_params["data"] = choice.to_url()
        name = t(f"samples.{sample.key}.title", lang)
        return dict(name=name, frame=frame, time_column=time_column, numeric=numeric, choice=choice, source=source)
    st.query_params.pop("data", None)  # an upload cannot travel in a link
    digest, name, data = upload
    policy = ss.get("missing", "interpolate")
    with st.spinner(t("frame.reading_csv", lang)):
        table = uploaded_table(digest, name, policy, data)
    found = dict(name=name, frame=table.frame, time_column=table.time_column, table=table, test_frame=None)
    found["numeric"] = [c for c in table.numeric_columns if c != table.time_column]
    found["choice"], found["source"] = data_choice(ss, f"upload:{digest}"), f"upload:{digest}:{policy}"
    if test := ss.get("test_upload"):
        try:
            found["test_frame"] = uploaded_table(test[0], test[1], policy, test[2]).frame
        except SlstmError as exc:
            error = localize(exc, lang)
            raise SlstmError(t("frame.test_file_unusable", lang, name=test[1], error=error)) from None
        found["source"] += f":test:{test[0]}"
    return found


def current_data(lang: str) -> Data:
    """The chosen data and its windows, or the reason there are none (also kept under the session keys the
    Data page's widgets read: frame, table, windows, target, features ...)."""
    ss = st.session_state
    ss["data_error"], ss["windows"], ss["table"], ss["test_frame"] = None, None, None, None
    found = {}
    try:
        found = _read(ss, lang)
        ss["table"], ss["data_name"], ss["test_frame"] = found.get("table"), found["name"], found.get("test_frame")
        frame, time_column, choice = found["frame"], found["time_column"], found["choice"]
        ss["frame"], ss["time_column"], ss["numeric_columns"] = frame, time_column, found["numeric"]
        ss["target_options"] = [c for c in frame.columns if c != time_column]
        ss["data_choice"], config = choice, choice.config(found["numeric"], ss["target_options"], time_column)
        ss["target"], ss["features"] = config.targets[0], list(config.features)  # defaults where unset or gone
        ss["data_config"] = config
        with st.spinner(t("frame.cutting_windows", lang)):
            ss["windows"] = windows_for(found["source"], config, frame, ss["test_frame"])
    except SlstmError as exc:
        ss["data_error"] = localize(exc, lang)  # a data error in the reader's language
        ss.setdefault("frame", None)
    except Exception:  # a bug or the machine (e.g. MemoryError): every page must still draw
        logger.exception("Preparing the data failed")
        ss["data_error"] = t("frame.data_internal_error", lang)
        ss.setdefault("frame", None)
    return Data(
        name=ss.get("data_name", t("frame.no_data", lang)),
        choice=ss.get("data_choice"),
        config=ss.get("data_config") if ss["windows"] is not None else None,
        frame=ss.get("frame"),
        time_column=ss.get("time_column"),
        numeric_columns=tuple(ss.get("numeric_columns") or ()),
        target_options=tuple(ss.get("target_options") or ()),
        table=ss["table"],
        test_frame=ss["test_frame"],
        windows=ss["windows"],
        error=ss["data_error"],
    )


def build(lang: str) -> Frame:
    """Resolve this run's frame (workspace, room, data, architecture) and keep it for the pages."""
    ws = workspace()
    member = room_member()
    data_link()
    data = current_data(lang)
    spec = current_spec()
    frame = Frame(lang, ws, spec, data, run_store(), job_pool(), room_store(), member)
    st.session_state[KEY] = frame
    return frame
