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
from slstm.errors import localize
from slstm.i18n import labels, translator
from slstm.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
_ = translator(ss["lang"])
st.title(_("data.title"))
st.write(_("data.intro"))
if ss.get("data_link_error"):
    st.error(escape_markdown(ss.pop("data_link_error")))


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
        _("data.source"),
        ["sample", "upload"],
        format_func=lambda k: _(f"data.source_option.{k}"),
        horizontal=True,
        key="source",
        on_change=sync_sequence_id,
        persist_state="session",
    )
    if source == "sample":
        key = st.selectbox(
            _("data.sample_data"),
            list(SAMPLES),
            format_func=lambda k: _(f"samples.{k}.title"),
            key="sample",
            on_change=sync_sequence_id,
            persist_state="session",
        )
        st.caption(_(f"samples.{key}.story"))
    else:
        st.file_uploader(
            _("data.csv_file"),
            type=None,
            key="csv_upload",
            on_change=remember_upload,
            help=_("data.csv_help"),
        )
        st.file_uploader(
            _("data.test_csv"),
            key="test_csv_upload",
            on_change=remember_upload,
            args=("test_csv_upload", "test_upload"),
            help=_("data.test_csv_help"),
        )
        c1, c2 = st.columns(2)
        c1.selectbox(
            _("data.missing"),
            POLICIES,
            format_func=lambda p: _(f"data.policy.{p}"),
            index=POLICIES.index("interpolate"),
            key="missing",
            persist_state="session",
            help=_("data.missing_help"),
        )
        if ss.get("sequence_id") not in id_options:  # a column of an earlier file
            ss["sequence_id"] = None
            st.rerun()
        c2.selectbox(
            _("data.sequence_id"),
            id_options,
            format_func=lambda c: _("data.sequence_id_none") if c is None else c,
            key="sequence_id",
            on_change=id_leaves_features,
            persist_state="session",
            help=_("data.sequence_id_help"),
        )
long_format = ss.get("sequence_id") is not None
with right:
    if long_format:
        st.number_input(
            _("data.max_timesteps"),
            1,
            10_000,
            value=None,
            placeholder=_("data.max_timesteps_placeholder"),
            key="max_timesteps",
            persist_state="session",
            help=_("data.max_timesteps_help"),
        )
    else:
        st.number_input(_("data.lookback"), 1, 500, value=24, key="lookback", persist_state="session")
        st.number_input(_("data.horizon"), 1, 200, value=1, key="horizon", persist_state="session")

if source == "upload" and not ss.get("upload"):
    st.info(_("data.upload_first"))
    st.stop()
if table is not None:
    with st.expander(
        _("data.report", steps=len(table.report.steps), warnings=len(table.report.warnings)),
        expanded=bool(table.report.warnings),
    ):
        st.text(format_report(table, lang=ss["lang"]))  # plain text: file and column names are never Markdown
numeric = ss.get("numeric_columns") or []
if numeric:
    c1, c2 = st.columns([1, 2])
    c1.selectbox(_("data.target"), ss["target_options"], key="target", persist_state="session")
    c2.multiselect(_("data.features"), numeric, key="features", persist_state="session")
if not long_format:
    st.selectbox(
        _("data.target_form"),
        TARGET_FORMS,
        format_func=lambda f: _(f"data.target_form_option.{f}"),
        key="target_form",
        bind="query-params",
        persist_state="session",
        help=_("data.target_form_help"),
    )
    st.caption(_("data.target_form_caption"))
with st.expander(_("data.windows_splits")):
    c1, c2, c3 = st.columns(3)
    c1.number_input(_("data.stride"), 1, 1000, value=1, key="stride", persist_state="session", disabled=long_format)
    c2.selectbox(
        _("data.scaling"),
        SCALINGS,
        key="scaling",
        persist_state="session",
        format_func=lambda s: _(f"data.scaling_option.{s}"),
    )
    c3.selectbox(
        _("data.task"),
        TASKS,
        key="task",
        persist_state="session",
        help=_("data.task_help"),
        format_func=lambda k: _(f"data.task_option.{k}"),
    )
    c1.slider(_("data.val_fraction"), 0.0, 0.5, 0.15, 0.05, key="val_fraction", persist_state="session")
    c2.slider(_("data.test_fraction"), 0.0, 0.5, 0.15, 0.05, key="test_fraction", persist_state="session")
    c3.checkbox(_("data.multi_step"), key="multi_step", persist_state="session", help=_("data.multi_step_help"))

windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(ss["data_error"]))
    st.stop()
frame, c = ss["frame"], windows.config
(samples, timesteps, features), y_shape = windows.input_shape, windows.train.y.shape
st.subheader(_("data.receives"))
c1, c2, c3, c4 = st.columns(4)
c1.metric(_("data.m_samples"), f"{samples:,}")
c2.metric(_("data.m_timesteps"), timesteps)
c3.metric(_("data.m_features"), features)
classes = len(windows.classes)
c4.metric(_("data.m_task"), _("data.n_classes", count=classes) if classes else _("data.regression"))
y_meaning = _("data.y_classes", count=classes) if classes else _("data.y_regression")
x_features = _("data.n_features", count=features)
x_line = {"x_shape": windows.input_shape, "samples": samples, "timesteps": timesteps, "features": x_features}
st.text(_("data.x_line", **x_line, y_shape=y_shape, y_meaning=y_meaning))
how = "split_class" if long_format and windows.classes else "split_sequence" if long_format else "split_time"
scaled = _(f"data.scaled.{c.scaling}") + (_("data.training_rows_only") if c.scaling in ("standard", "minmax") else "")
st.caption(
    escape_markdown(
        _(
            "data.split_line",
            val=len(windows.val),
            test=len(windows.test),
            how=_(f"data.{how}"),
            target=repr(c.targets[0]),
            features=", ".join(map(repr, c.features)),
            scaled=scaled,
        )
        + (" " + _(f"data.target_form_sentence.{c.target_form}") if not long_format else "")
        + (_("data.padded") if windows.masked else "")
    )
)
if windows.classes:
    classes_table = pd.DataFrame(windows.class_counts()).T.rename_axis(_("data.class_axis"))
    st.dataframe(classes_table, width="content", key="class_counts")
for note in windows.notes:
    st.warning(escape_markdown(localize(note, ss["lang"])))
if not long_format and c.targets[0] in frame.columns and frame[c.targets[0]].dtype.kind in "fiu":
    hint = suggest_lookback(frame[c.targets[0]].to_numpy("float64")[: windows.train.rows[1]])
    if hint and hint != c.lookback:
        st.button(
            _("data.lookback_hint", hint=hint),
            key="lookback_hint",
            on_click=ss.__setitem__,
            args=("lookback", hint),
            help=_("data.lookback_hint_help"),
        )

st.subheader(_("data.one_sample"))
last = len(windows.train) - 1
if ss.get("preview_sample", 0) > last:
    ss["preview_sample"] = max(last, 0)  # fewer samples than before
sample = st.slider(_("data.training_sample"), 0, last, key="preview_sample") if last > 0 else 0
if last >= 0:
    preview = plots.window_preview(frame, windows, sample, labels=labels("plots.window", ss["lang"]))
    st.plotly_chart(preview, key="window_preview")
series_labels = labels("plots.series", ss["lang"])
st.plotly_chart(
    plots.series(frame, list(c.features), time_column=ss.get("time_column"), labels=series_labels), key="series_chart"
)
st.dataframe(frame.head(200), height=240)
