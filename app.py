"""Stacked LSTM Explorer: the entry point. Sets the page frame every page shares (navigation and the
sidebar status) and resolves the current data and architecture into st.session_state for the pages."""

from __future__ import annotations

import dataclasses
import logging

import streamlit as st

from slstm.csvio import Limits, Table, apply_missing, read_csv
from slstm.data import DataConfig, Windows, prepare
from slstm.errors import SlstmError
from slstm.jobs import JobPool
from slstm.runs import RunStore
from slstm.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.shapes import infer_shapes, shape_text, total_params
from slstm.spec import DEFAULT_SPEC, ArchitectureSpec
from slstm.text import escape_markdown
from slstm.workspace import COOKIE, cookie_script, count, is_id, new_id, parse_restore_code

logger = logging.getLogger("slstm.app")
st.set_page_config(page_title="Stacked LSTM Explorer", page_icon=":material/stacks:", layout="wide")


@st.cache_resource(max_entries=32, show_spinner=False)
def sample_frame(key: str):
    """A built-in sample, generated once per server and shared read-only."""
    return SAMPLES[key].make()


@st.cache_resource(max_entries=16, show_spinner="Reading the CSV…")
def uploaded_table(digest: str, name: str, policy: str, _data: bytes) -> Table:
    """An upload read once per content and missing-value policy (keyed by its digest, not its bytes)."""
    table = read_csv(_data, name=name, limits=Limits.from_env())
    return table if policy == "keep" else apply_missing(table, policy)[0]


@st.cache_resource(max_entries=64, show_spinner="Cutting windows…")
def windows_for(source: str, config: DataConfig, _frame, _test=None) -> Windows:
    return prepare(_frame, config) if _test is None else prepare(_frame, config, test_table=_test)


def _roles(ss, numeric: list[str], target: str, features: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The chosen target and features, reset to the data's defaults when they are not in this table.
    A target may be any column (text means classification); features are numeric."""
    if ss.get("target") not in ss["target_options"]:
        ss["target"] = target
    if not ss.get("features") or any(f not in numeric for f in ss["features"]):
        ss["features"] = list(features)
    return ss["target"], tuple(ss["features"])


APP_DEFAULTS = {"target_form": "auto", "scaling": "auto"}  # decided from the training rows (slstm.defaults)


def window_settings(ss) -> dict:
    """DataConfig's other fields, from the Data page's widgets of the same names (keys), where set."""
    roles = {"features", "targets", "time_column"}
    return {f.name: ss[f.name] for f in dataclasses.fields(DataConfig) if f.name not in roles and f.name in ss}


def current_data() -> None:
    """Put the chosen data and its windows (or the reason there are none) into session state."""
    ss = st.session_state
    ss["data_error"], ss["windows"], ss["table"], ss["test_frame"] = None, None, None, None
    upload = ss.get("upload") if ss.get("source") == "upload" else None
    try:
        if upload:
            digest, name, data = upload
            policy = ss.get("missing", "interpolate")
            table = uploaded_table(digest, name, policy, data)
            ss["table"], ss["data_name"], source = table, name, f"upload:{digest}:{policy}"
            frame, time_column = table.frame, table.time_column
            numeric = [c for c in table.numeric_columns if c != time_column]
            ss["target_options"] = [c for c in frame.columns if c != time_column]
            target, features = _roles(ss, numeric, numeric[0], tuple(numeric))
            if test := ss.get("test_upload"):
                try:
                    ss["test_frame"] = uploaded_table(test[0], test[1], policy, test[2]).frame
                except SlstmError as exc:
                    raise SlstmError(f"The test file {test[1]!r} could not be used: {exc}") from None
                source += f":test:{test[0]}"
        else:
            sample = SAMPLES[ss.setdefault("sample", DEFAULT_SAMPLE)]
            frame, time_column, source = sample_frame(sample.key), sample.time_column, f"sample:{sample.key}"
            ss["data_name"] = sample.title
            numeric = [c for c in frame.columns if c != time_column and frame[c].dtype.kind == "f"]
            ss["target_options"] = [c for c in frame.columns if c != time_column]
            target, features = _roles(ss, numeric, sample.target, sample.features)
        ss["frame"], ss["time_column"], ss["numeric_columns"] = frame, time_column, numeric
        settings = {**APP_DEFAULTS, **window_settings(ss)}
        config = DataConfig(features=features, targets=(target,), time_column=time_column, **settings)
        ss["data_config"] = config
        ss["windows"] = windows_for(source, config, frame, ss["test_frame"])
    except SlstmError as exc:
        ss["data_error"] = str(exc)
        ss.setdefault("frame", None)
    except Exception:  # a bug or the machine (e.g. MemoryError): every page must still draw
        logger.exception("Preparing the data failed")
        ss["data_error"] = (
            "This data could not be prepared (an internal error, logged on the server). Try other settings."
        )
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
                ss["link_error"] = f"The link's architecture could not be opened: {exc} Showing the default stack."
            except Exception:  # a spec must never break every page; SpecError should have caught it
                logger.exception("Reading ?arch= failed")
                ss["link_error"] = "The link's architecture could not be opened. Showing the default stack."
    return ss["spec"]


def sidebar_status() -> None:
    ss = st.session_state
    spec = current_spec()
    with st.sidebar:
        st.caption("Data")
        windows = ss.get("windows")
        st.text(ss.get("data_name", "no data"))
        if windows is not None:
            st.text(f"X_train {shape_text(windows.input_shape).replace('batch', 'samples')}")
        else:
            st.error(escape_markdown(ss["data_error"]))
        st.caption("Architecture")
        st.text(spec.short())
        if windows is not None:
            try:
                total = total_params(infer_shapes(spec, timesteps=windows.timesteps, num_features=windows.num_features))
            except Exception:  # never let the sidebar break every page
                logger.exception("infer_shapes failed in the sidebar")
                total = None
            st.text("invalid stack: see Architecture" if total is None else f"{total:,} parameters")
        latest_run()


def _active(runs) -> list:
    return [job for r in runs if (job := job_pool().get(r.id)) is not None and not job.done]


def _latest_run_body() -> None:
    """The workspace's newest run; while its jobs train, it refreshes itself and tells the pool that someone
    still watches them (jobs nobody watches are stopped)."""
    runs = run_store().list_runs(st.session_state["ws"])
    st.caption("Latest run")
    if not runs:
        st.text("none yet")
        return
    for job in _active(runs):
        job_pool().touch(job.run_id)
    run, job = runs[0], job_pool().get(runs[0].id)
    if job is not None and not job.done:
        st.text(f"{run.name}: {job.status}, epoch {job.epoch}/{job.epochs}")
    else:
        st.text(f"{run.name}: {run.status}, {run.epochs_done} epochs")
    if len(active := _active(runs)) > 1:
        st.text(f"{len(active)} jobs training or queued")


def latest_run() -> None:
    live = bool(_active(run_store().list_runs(st.session_state["ws"])))
    st.fragment(_latest_run_body, run_every=2 if live else None)()


@st.cache_resource(show_spinner=False)
def run_store() -> RunStore:
    """One store per server (the job pool marks the runs a dead server left behind as failed, epochs kept)."""
    return RunStore()


@st.cache_resource(show_spinner=False)
def job_pool() -> JobPool:
    """The server's training pool, shared by every session (thread-safe)."""
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
        ss["restore_message"] = ("error", str(exc))
        return
    for key in ("active_run", "watching", "inspect_run", "delete_pending"):
        ss.pop(key, None)
    ss["restore_code"] = ""
    found = count(len(run_store().list_runs(ss["ws"])))
    ss["restore_message"] = ("success", f"Opened the workspace of that code: {found}. This browser keeps it now.")


def workspace_panel() -> None:
    """Keeps the workspace in this browser's cookie; shows its restore code and takes another device's."""
    ss = st.session_state
    with st.sidebar:
        st.html(cookie_script(ss["ws"]), unsafe_allow_javascript=True)
        with st.expander("Your workspace", icon=":material/key:"):
            st.caption(
                "Your runs are kept for this browser, never in the address: a link you share opens the stack or "
                "the lesson, not your runs. To open them on another device, paste this restore code there. Keep "
                "it private: whoever has it can open, rename and delete your runs."
            )
            st.code(ss["ws"], language=None)
            st.text_input("Restore code from another device", key="restore_code", type="password")
            st.button("Open its runs", key="restore", on_click=restore)
            kind, text = ss.pop("restore_message", (None, ""))
            if kind:
                getattr(st, kind)(text)


pages = [
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:", default=True),
    st.Page("pages/architecture.py", title="Architecture", icon=":material/stacks:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/inspect.py", title="Inspect", icon=":material/search_insights:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/learn.py", title="Learn", icon=":material/school:", url_path="learn"),
]
nav = st.navigation(pages)
workspace()
current_data()
sidebar_status()
workspace_panel()
nav.run()
