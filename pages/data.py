"""Data: pick a sample or upload a CSV, set column roles, windows and splits, and see the
(samples, timesteps, features) it makes and where one sample comes from."""

import hashlib

import pandas as pd
import streamlit as st

from pages import serve_through_app
from slstm import plots
from slstm.csvio import POLICIES, format_report
from slstm.data import SCALINGS, TARGET_FORMS, TASKS
from slstm.defaults import suggest_lookback
from slstm.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
TARGET_FORM_LABELS = {
    "auto": "auto (change on a trend)",
    "value": "predict the value",
    "change": "predict the change from the last input value",
}
st.title("Data")
st.write(
    "Choose a series and how it is cut into samples. Each sample is a window of past rows (the lookback); "
    "its label is the target a few rows later (the horizon). In long format, each sequence is one sample."
)


def remember_upload(widget: str = "csv_upload", state: str = "upload") -> None:
    """Keep the uploaded bytes (and their digest) in session state before app.py reads them."""
    file = ss.get(widget)
    if file is None:
        ss.pop(state, None)
        return
    data = file.getvalue()
    ss[state] = (hashlib.sha256(data).hexdigest(), file.name, data)


def expected_sequence_id() -> str | None:
    """A sample brings its own layout; an upload starts as a series until a sequence id column is chosen."""
    return SAMPLES[ss.get("sample", DEFAULT_SAMPLE)].sequence_id if ss.get("source", "sample") == "sample" else None


def sync_sequence_id() -> None:  # callbacks run before app.py reads sequence_id
    ss["sequence_id"] = expected_sequence_id()


def id_leaves_features() -> None:
    """A sequence id column is neither a feature nor the target."""
    seq = ss.get("sequence_id")
    ss["features"] = [f for f in ss.get("features") or [] if f != seq]
    others = [c for c in ss.get("target_options", []) if c != seq]
    if ss.get("target") == seq and others:
        ss["target"] = others[-1]  # labels are often the last column


table = ss.get("table")
id_options = [None, *(c for c in table.frame.columns if c != table.time_column)] if table is not None else [None]
if ss.get("source", "sample") == "sample" and ss.get("sequence_id") != expected_sequence_id():
    sync_sequence_id()  # e.g. a sample chosen without its callback: redo this run with the sample's layout
    st.rerun()
left, right = st.columns([2, 1])
with left:
    source = st.radio(
        "Data",
        ["sample", "upload"],
        format_func={"sample": "Built-in sample", "upload": "Upload a CSV"}.get,
        horizontal=True,
        key="source",
        on_change=sync_sequence_id,
        persist_state="session",
    )
    if source == "sample":
        key = st.selectbox(
            "Sample data",
            list(SAMPLES),
            format_func=lambda k: SAMPLES[k].title,
            key="sample",
            on_change=sync_sequence_id,
            persist_state="session",
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
        st.file_uploader(
            "Test CSV (optional: the same columns, kept apart for the final test)",
            key="test_csv_upload",
            on_change=remember_upload,
            args=("test_csv_upload", "test_upload"),
            help="Without one, the last rows (or sequences) of the file above are the test split.",
        )
        c1, c2 = st.columns(2)
        c1.selectbox(
            "Missing values",
            POLICIES,
            index=POLICIES.index("interpolate"),
            key="missing",
            persist_state="session",
            help="What to do with empty or unreadable cells in numeric columns.",
        )
        if ss.get("sequence_id") not in id_options:  # a column of an earlier file
            ss["sequence_id"] = None
            st.rerun()
        c2.selectbox(
            "Sequence id column (long format)",
            id_options,
            format_func=lambda c: "none" if c is None else c,
            key="sequence_id",
            on_change=id_leaves_features,
            persist_state="session",
            help="Rows sharing an id form one sequence, one sample; its label is the target on its last row.",
        )
long_format = ss.get("sequence_id") is not None
with right:
    if long_format:
        st.number_input(
            "Max timesteps per sequence",
            1,
            10_000,
            value=None,
            placeholder="longest sequence",
            key="max_timesteps",
            persist_state="session",
            help="Shorter sequences are pre-padded with zeros (and masked); longer ones keep their last steps.",
        )
    else:
        st.number_input("Lookback (timesteps per sample)", 1, 500, value=24, key="lookback", persist_state="session")
        st.number_input("Horizon (steps ahead to predict)", 1, 200, value=1, key="horizon", persist_state="session")

if source == "upload" and not ss.get("upload"):
    st.info("Upload a CSV to use your own data, or switch back to a built-in sample.")
    st.stop()
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
if not long_format:
    st.selectbox(
        "Target form",
        TARGET_FORMS,
        format_func=TARGET_FORM_LABELS.get,
        key="target_form",
        bind="query-params",
        persist_state="session",
        help="auto: the change when the training split shows a trend (a straight line explains half its variance).",
    )
    st.caption(
        "An LSTM's outputs pass through tanh and its weights fit the training range, so fed levels it cannot "
        "extrapolate a trend beyond the highest value it saw; predicting the change from the last input value "
        "lets it learn only what persistence misses. Metrics, plots and exports stay in the target's own units."
    )
with st.expander("Windows and splits"):
    c1, c2, c3 = st.columns(3)
    c1.number_input(
        "Stride (rows between windows)", 1, 1000, value=1, key="stride", persist_state="session", disabled=long_format
    )
    c2.selectbox("Scaling (fitted on training rows)", SCALINGS, key="scaling", persist_state="session")
    c3.selectbox("Task", TASKS, key="task", persist_state="session", help="auto: text or few whole numbers = classes")
    c1.slider("Validation fraction", 0.0, 0.5, 0.15, 0.05, key="val_fraction", persist_state="session")
    c2.slider("Test fraction", 0.0, 0.5, 0.15, 0.05, key="test_fraction", persist_state="session")
    c3.checkbox("predict all H next steps", key="multi_step", persist_state="session", help="multi-step regression")

windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(ss["data_error"]))
    st.stop()
frame, c = ss["frame"], windows.config
(samples, timesteps, features), y_shape = windows.input_shape, windows.train.y.shape
st.subheader("What the network receives")
c1, c2, c3, c4 = st.columns(4)
c1.metric("samples (training)", f"{samples:,}")
c2.metric("timesteps", timesteps)
c3.metric("features", features)
c4.metric("task", f"{len(windows.classes)} classes" if windows.classes else "regression")
y_meaning = f"class indices of {len(windows.classes)} classes" if windows.classes else "(samples, outputs)"
st.text(
    f"X_train: {windows.input_shape} = ({samples:,} samples, {timesteps} timesteps, {features} "
    f"feature{'s' * (features != 1)})  →  y_train: {y_shape} = {y_meaning}"
)
how = "by sequence, stratified by class" if long_format and windows.classes else "by sequence" if long_format else ""
scaled = {
    "standard": "Scaled to mean 0 and standard deviation 1",
    "minmax": "Scaled to 0–1",
    "none": "Not scaled",
    "per_sequence": "Each sequence z-normalised on its own (mean 0, standard deviation 1 per feature)",
}
st.caption(
    escape_markdown(
        f"Validation: {len(windows.val):,} samples, test: {len(windows.test):,} samples, split "
        f"{how or 'in time order'}. Target: {c.targets[0]!r}; features: {', '.join(map(repr, c.features))}. "
        f"{scaled[c.scaling]}{' using the training rows only' if c.scaling in ('standard', 'minmax') else ''}."
        + (f" {TARGET_FORM_LABELS[c.target_form].capitalize()}." if not long_format else "")
        + (" Sequences are pre-padded with zeros and masked." if windows.masked else "")
    )
)
if windows.classes:
    st.dataframe(pd.DataFrame(windows.class_counts()).T.rename_axis("class"), width="content", key="class_counts")
for note in windows.notes:
    st.warning(escape_markdown(note))
if not long_format and c.targets[0] in frame.columns and frame[c.targets[0]].dtype.kind in "fiu":
    hint = suggest_lookback(frame[c.targets[0]].to_numpy("float64")[: windows.train.rows[1]])
    if hint and hint != c.lookback:
        st.button(
            f"Use lookback {hint}: the series repeats about every {hint} rows",
            key="lookback_hint",
            on_click=ss.__setitem__,
            args=("lookback", hint),
            help="From the autocorrelation of the training rows: its highest peak.",
        )

st.subheader("Where one sample comes from")
last = len(windows.train) - 1
if ss.get("preview_sample", 0) > last:
    ss["preview_sample"] = max(last, 0)  # fewer samples than before
sample = st.slider("Training sample", 0, last, key="preview_sample") if last > 0 else 0
if last >= 0:
    st.plotly_chart(plots.window_preview(frame, windows, sample), key="window_preview")
st.plotly_chart(plots.series(frame, list(c.features), time_column=ss.get("time_column")), key="series_chart")
st.dataframe(frame.head(200), height=240)
