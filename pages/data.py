"""Data: pick a sample or upload a CSV, set column roles, windows and splits, and see the
(samples, timesteps, features) it makes and where one sample comes from."""

import streamlit as st

from pages import serve_through_app
from pages.ui import data as ui
from pages.ui.frame import page_frame
from slstm.data.samples import SAMPLES
from slstm.figures import charts as plots
from slstm.i18n import labels, translator
from slstm.text import escape_markdown

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
st.title(_("data.title"))
st.write(_("data.intro"))
if ss.get("data_link_error"):
    st.error(escape_markdown(ss.pop("data_link_error")))

if ss.get("source", "sample") == "sample" and ss.get("sequence_id") != ui.expected_sequence_id():
    ui.sync_sequence_id()  # e.g. a sample chosen without its callback: redo this run with the sample's layout
    st.rerun()
left, right = st.columns([2, 1])
with left:
    source = st.radio(
        _("data.source"),
        ["sample", "upload"],
        format_func=lambda k: _(f"data.source_option.{k}"),
        horizontal=True,
        key="source",
        on_change=ui.sync_sequence_id,
        persist_state="session",
    )
    if source == "sample":
        key = st.selectbox(
            _("data.sample_data"),
            list(SAMPLES),
            format_func=lambda k: _(f"samples.{k}.title"),
            key="sample",
            on_change=ui.sync_sequence_id,
            persist_state="session",
        )
        st.caption(_(f"samples.{key}.story"))
    else:
        ui.upload_inputs(f)
long_format = ss.get("sequence_id") is not None
with right:
    ui.window_inputs(f.lang, long_format)

if source == "upload" and not ss.get("upload"):
    st.info(_("data.upload_first"))
    st.stop()
if f.data.table is not None:
    ui.read_report(f)
ui.roles(f, long_format)
ui.windows_splits(f.lang, long_format)

windows = f.windows
if windows is None:
    st.error(escape_markdown(f.data.error))
    st.stop()
ui.receives(f, windows, long_format)
ui.lookback_hint(f, windows, long_format)

st.subheader(_("data.one_sample"))
frame, last = f.data.frame, len(windows.train) - 1
if ss.get("preview_sample", 0) > last:
    ss["preview_sample"] = max(last, 0)  # fewer samples than before
sample = st.slider(_("data.training_sample"), 0, last, key="preview_sample") if last > 0 else 0
if last >= 0:
    preview = plots.window_preview(frame, windows, sample, labels=labels("plots.window", f.lang))
    st.plotly_chart(preview, key="window_preview")
features, series_labels = list(windows.config.features), labels("plots.series", f.lang)
series = plots.series(frame, features, time_column=f.data.time_column, labels=series_labels)
st.plotly_chart(series, key="series_chart")
st.dataframe(frame.head(200), height=240)
