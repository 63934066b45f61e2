"""Stacked LSTM Explorer: the entry point. Sets the page frame every page shares (navigation and the
sidebar status) and resolves the current data and architecture into st.session_state for the pages."""

from __future__ import annotations

import streamlit as st

from slstm.data import DataConfig, Windows, prepare
from slstm.errors import SlstmError
from slstm.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.shapes import infer_shapes, shape_text, total_params
from slstm.spec import DEFAULT_SPEC, ArchitectureSpec
from slstm.text import escape_markdown

st.set_page_config(page_title="Stacked LSTM Explorer", page_icon=":material/stacks:", layout="wide")


@st.cache_resource(max_entries=32, show_spinner=False)
def sample_frame(key: str):
    """A built-in sample, generated once per server and shared read-only."""
    return SAMPLES[key].make()


@st.cache_resource(max_entries=64, show_spinner="Cutting windows…")
def sample_windows(key: str, config: DataConfig) -> Windows:
    return prepare(sample_frame(key), config)


def current_data() -> None:
    """Put the chosen data and its windows (or the reason there are none) into session state."""
    ss = st.session_state
    key = ss.setdefault("sample", DEFAULT_SAMPLE)
    sample = SAMPLES[key]
    ss["frame"] = sample_frame(key)
    ss["data_name"] = sample.title
    try:
        config = DataConfig(
            features=tuple(ss.get("features") or sample.features),
            targets=(sample.target,),
            time_column=sample.time_column,
            lookback=int(ss.get("lookback", 24)),
            horizon=int(ss.get("horizon", 1)),
        )
        ss["data_config"] = config
        ss["windows"] = sample_windows(key, config)
        ss["data_error"] = None
    except SlstmError as exc:
        ss["windows"] = None
        ss["data_error"] = str(exc)


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
    return ss["spec"]


def sidebar_status() -> None:
    ss = st.session_state
    spec = current_spec()
    with st.sidebar:
        st.caption("Data")
        windows = ss.get("windows")
        st.text(ss["data_name"])
        if windows is not None:
            st.text(f"X_train {shape_text(windows.input_shape).replace('batch', 'samples')}")
        else:
            st.error(escape_markdown(ss["data_error"]))
        st.caption("Architecture")
        st.text(spec.short())
        if windows is not None:
            rows = infer_shapes(spec, timesteps=windows.timesteps, num_features=windows.num_features)
            total = total_params(rows)
            st.text("invalid stack: see Architecture" if total is None else f"{total:,} parameters")
        st.caption("Latest run")
        run = ss.get("last_run")
        if run:
            st.text(f"{run['status']}: {len(run['history'].get('loss', []))} epochs")
            if run["history"].get("loss"):
                st.text(f"loss {run['history']['loss'][-1]:.4g}")
        else:
            st.text("none yet")


pages = [
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:", default=True),
    st.Page("pages/architecture.py", title="Architecture", icon=":material/stacks:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
]
nav = st.navigation(pages)
current_data()
sidebar_status()
nav.run()
