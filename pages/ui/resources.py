"""What one server shares across sessions: the run store, the job pool, the inspector, the rooms, the samples,
read uploads and cut windows (each created once, thread-safe or read-only)."""

from __future__ import annotations

import streamlit as st

from slstm.data import DataConfig, Windows, prepare
from slstm.data.read import Limits, Table, apply_missing, read_csv
from slstm.data.samples import SAMPLES
from slstm.inspector import Inspector
from slstm.jobs import JobPool
from slstm.rooms import RoomStore
from slstm.runs import RunStore


@st.cache_resource(show_spinner=False)
def run_store() -> RunStore:
    """One store per server (the job pool marks the runs a dead server left behind as failed, epochs kept)."""
    return RunStore()


@st.cache_resource(show_spinner=False, on_release=JobPool.shutdown)
def job_pool() -> JobPool:
    """The server's training pool, shared by every session (thread-safe); shut down (workers and all) when the
    cache lets it go."""
    return JobPool(run_store())


@st.cache_resource(show_spinner=False, on_release=Inspector.close)
def inspector() -> Inspector:
    """The server's one warm process that looks inside trained models (TensorFlow stays out of the server)."""
    return Inspector()


@st.cache_resource(show_spinner=False)
def room_store() -> RoomStore:
    """Workshop rooms, in the run store's database file (tables of their own)."""
    return RoomStore(run_store().path)


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
