"""Data: pick a built-in sample, set the window, and see the (samples, timesteps, features) it makes."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:  # opened by a deep link before app.py ever ran: let app.py's navigation serve it
    PagesManager.uses_pages_directory = False
    st.rerun()


from slstm import plots
from slstm.samples import SAMPLES
from slstm.text import escape_markdown

ss = st.session_state
st.title("Data")
st.write(
    "Choose a series and how it is cut into samples. Each sample is a window of past rows (the lookback); "
    "its label is the target a few rows later (the horizon)."
)

series_samples = [k for k, s in SAMPLES.items() if s.sequence_id is None]
left, right = st.columns([2, 1])
with left:
    key = st.selectbox(
        "Sample data", series_samples, format_func=lambda k: SAMPLES[k].title, key="sample", persist_state="session"
    )
    st.caption(SAMPLES[key].story)
with right:
    st.number_input("Lookback (timesteps per sample)", 1, 500, value=24, key="lookback", persist_state="session")
    st.number_input("Horizon (steps ahead to predict)", 1, 200, value=1, key="horizon", persist_state="session")

sample = SAMPLES[key]
frame = ss["frame"]
windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(ss["data_error"]))
    st.stop()

x_shape, y_shape = windows.input_shape, windows.train.y.shape
st.subheader("What the network receives")
c1, c2, c3 = st.columns(3)
c1.metric("samples (training)", f"{x_shape[0]:,}")
c2.metric("timesteps", x_shape[1])
c3.metric("features", x_shape[2])
st.text(f"X_train: {x_shape} = (samples, timesteps, features)  →  y_train: {y_shape}")
st.caption(
    f"Validation: {len(windows.val):,} samples, test: {len(windows.test):,} samples, split in time order. "
    f"Target: {sample.target!r}; features: {', '.join(map(repr, windows.config.features))}. "
    "Scaled to mean 0 and standard deviation 1 using the training rows only."
)
for note in windows.notes:
    st.warning(note)

st.plotly_chart(plots.series(frame, list(windows.config.features), time_column=sample.time_column), key="series_chart")
st.dataframe(frame.head(200), height=240)
