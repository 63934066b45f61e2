"""Data: pick a built-in sample, set the window, and see the (samples, timesteps, features) it makes."""

import hashlib

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:  # opened by a deep link before app.py ever ran: let app.py's navigation serve it
    PagesManager.uses_pages_directory = False
    st.rerun()


from slstm import plots
from slstm.csvio import POLICIES, format_report
from slstm.samples import SAMPLES
from slstm.text import escape_markdown

ss = st.session_state
st.title("Data")
st.write(
    "Choose a series and how it is cut into samples. Each sample is a window of past rows (the lookback); "
    "its label is the target a few rows later (the horizon)."
)


def remember_upload() -> None:
    """Keep the uploaded bytes (and their digest) in session state before app.py reads them."""
    file = ss.get("csv_upload")
    if file is None:
        ss.pop("upload", None)
        return
    data = file.getvalue()
    ss["upload"] = (hashlib.sha256(data).hexdigest(), file.name, data)


series_samples = [k for k, s in SAMPLES.items() if s.sequence_id is None]
left, right = st.columns([2, 1])
with left:
    source = st.radio(
        "Data",
        ["sample", "upload"],
        format_func={"sample": "Built-in sample", "upload": "Upload a CSV"}.get,
        horizontal=True,
        key="source",
        persist_state="session",
    )
    if source == "sample":
        key = st.selectbox(
            "Sample data", series_samples, format_func=lambda k: SAMPLES[k].title, key="sample", persist_state="session"
        )
        st.caption(SAMPLES[key].story)
    else:
        st.file_uploader(
            "CSV file",
            type=None,
            key="csv_upload",
            on_change=remember_upload,
            help="Comma, semicolon, tab or pipe separated; any common encoding; up to 50 MB.",
        )
        st.selectbox(
            "Missing values",
            POLICIES,
            index=POLICIES.index("interpolate"),
            key="missing",
            persist_state="session",
            help="What to do with empty or unreadable cells in numeric columns.",
        )
with right:
    st.number_input("Lookback (timesteps per sample)", 1, 500, value=24, key="lookback", persist_state="session")
    st.number_input("Horizon (steps ahead to predict)", 1, 200, value=1, key="horizon", persist_state="session")

if source == "upload" and not ss.get("upload"):
    st.info("Upload a CSV to use your own data, or switch back to a built-in sample.")
    st.stop()
table = ss.get("table")
if table is not None:
    with st.expander(
        f"What was detected and cleaned ({len(table.report.steps)} steps, {len(table.report.warnings)} warnings)",
        expanded=bool(table.report.warnings),
    ):
        st.text(format_report(table))  # plain text: file and column names are never Markdown
numeric = ss.get("numeric_columns") or []
if numeric:
    c1, c2 = st.columns([1, 2])
    c1.selectbox("Target (what to predict)", ss["target_options"], key="target", persist_state="session")
    c2.multiselect("Features (what the network sees)", numeric, key="features", persist_state="session")
windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(ss["data_error"]))
    st.stop()
frame = ss["frame"]
x_shape, y_shape = windows.input_shape, windows.train.y.shape
st.subheader("What the network receives")
c1, c2, c3 = st.columns(3)
c1.metric("samples (training)", f"{x_shape[0]:,}")
c2.metric("timesteps", x_shape[1])
c3.metric("features", x_shape[2])
st.text(f"X_train: {x_shape} = (samples, timesteps, features)  →  y_train: {y_shape}")
st.caption(
    escape_markdown(
        f"Validation: {len(windows.val):,} samples, test: {len(windows.test):,} samples, split in time order. "
        f"Target: {windows.config.targets[0]!r}; features: {', '.join(map(repr, windows.config.features))}. "
        "Scaled to mean 0 and standard deviation 1 using the training rows only."
    )
)
for note in windows.notes:
    st.warning(note)

st.plotly_chart(
    plots.series(frame, list(windows.config.features), time_column=ss.get("time_column")), key="series_chart"
)
st.dataframe(frame.head(200), height=240)
