"""The Data page's sections: the upload's inputs and their callbacks (kept before app.py reads them), the window
and split settings, and what the model receives: its shapes, how the rows were split, the lookback hint."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from pages.ui.frame import Frame
from slstm.data import SCALINGS, TARGET_FORMS, TASKS, Windows
from slstm.data.read import POLICIES, format_report
from slstm.data.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.defaults import LEVEL_WINDOWS, suggest_lookback
from slstm.errors import localize
from slstm.i18n import translator
from slstm.text import escape_markdown


def remember_upload(widget: str = "csv_upload", state: str = "upload") -> None:
    """Keep the uploaded bytes (and their digest) in session state before app.py reads them."""
    ss = st.session_state
    file = ss.get(widget)
    if file is None:
        ss.pop(state, None)
        return
    data = file.getvalue()
    ss[state] = (hashlib.sha256(data).hexdigest(), file.name, data)


def expected_sequence_id() -> str | None:
    """A sample brings its own layout; an upload starts as a series until a sequence id column is chosen."""
    ss = st.session_state
    return SAMPLES[ss.get("sample", DEFAULT_SAMPLE)].sequence_id if ss.get("source", "sample") == "sample" else None


def sync_sequence_id() -> None:  # callbacks run before app.py reads sequence_id
    st.session_state["sequence_id"] = expected_sequence_id()


def id_leaves_features() -> None:
    """A sequence id column is neither a feature nor the target."""
    ss = st.session_state
    seq = ss.get("sequence_id")
    ss["features"] = [f for f in ss.get("features") or [] if f != seq]
    others = [c for c in ss.get("target_options", []) if c != seq]
    if ss.get("target") == seq and others:
        ss["target"] = others[-1]  # labels are often the last column


def upload_inputs(f: Frame) -> None:
    """The CSV and its optional test file, the missing-value policy and the sequence id column."""
    ss, _, table = st.session_state, translator(f.lang), f.data.table
    st.file_uploader(
        _("data.csv_file"), type=None, key="csv_upload", on_change=remember_upload, help=_("data.csv_help")
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
    id_options = [None, *(c for c in table.frame.columns if c != table.time_column)] if table is not None else [None]
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


def window_inputs(lang: str, long_format: bool) -> None:
    """How long a sample is: whole sequences (capped) in long format, else a lookback and a horizon."""
    _ = translator(lang)
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


def read_report(f: Frame) -> None:
    """What reading the upload did (open when it warns)."""
    table, _ = f.data.table, translator(f.lang)
    with st.expander(
        _("data.report", steps=len(table.report.steps), warnings=len(table.report.warnings)),
        expanded=bool(table.report.warnings),
    ):
        st.text(format_report(table, lang=f.lang))  # plain text: file and column names are never Markdown


def roles(f: Frame, long_format: bool) -> None:
    """The target and the features, and (for a series) what the target is: its value or its change."""
    _ = translator(f.lang)
    if f.data.numeric_columns:
        c1, c2 = st.columns([1, 2])
        c1.selectbox(_("data.target"), f.data.target_options, key="target", persist_state="session")
        c2.multiselect(_("data.features"), f.data.numeric_columns, key="features", persist_state="session")
    if not long_format:
        st.selectbox(
            _("data.target_form"),
            TARGET_FORMS,
            format_func=lambda k: _(f"data.target_form_option.{k}"),
            key="target_form",
            bind="query-params",
            persist_state="session",
            help=_("data.target_form_help"),
        )
        st.caption(_("data.target_form_caption"))


def windows_splits(lang: str, long_format: bool) -> None:
    """The stride, scaling, task and the validation and test fractions."""
    _ = translator(lang)
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


def receives(f: Frame, windows: Windows, long_format: bool) -> None:
    """What the model receives: (samples, timesteps, features) and y, how the rows were split and scaled, the
    classes, and the windows' notes."""
    _, c = translator(f.lang), windows.config
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
    training_only = _("data.training_rows_only") if c.scaling in ("standard", "minmax") else ""
    split_line = _(
        "data.split_line",
        val=len(windows.val),
        test=len(windows.test),
        how=_(f"data.{how}"),
        target=repr(c.targets[0]),
        features=", ".join(map(repr, c.features)),
        scaled=_(f"data.scaled.{c.scaling}") + training_only,
    )
    form = " " + _(f"data.target_form_sentence.{c.target_form}") if not long_format else ""
    if windows.form_reason:  # why "auto" chose the change
        form += " " + _(f"data.target_form_why.{windows.form_reason}", windows=len(windows.train), few=LEVEL_WINDOWS)
    st.caption(escape_markdown(split_line + form + (_("data.padded") if windows.masked else "")))
    if windows.classes:
        classes_table = pd.DataFrame(windows.class_counts()).T.rename_axis(_("data.class_axis"))
        st.dataframe(classes_table, width="content", key="class_counts")
    for note in windows.notes:
        st.warning(escape_markdown(localize(note, f.lang)))


def lookback_hint(f: Frame, windows: Windows, long_format: bool) -> None:
    """For a numeric series target: a button to take the lookback its training rows suggest, when it differs."""
    frame, c, _ = f.data.frame, windows.config, translator(f.lang)
    if long_format or c.targets[0] not in frame.columns or frame[c.targets[0]].dtype.kind not in "fiu":
        return
    hint = suggest_lookback(frame[c.targets[0]].to_numpy("float64")[: windows.train.rows[1]])
    if hint and hint != c.lookback:
        st.button(
            _("data.lookback_hint", hint=hint),
            key="lookback_hint",
            on_click=st.session_state.__setitem__,
            args=("lookback", hint),
            help=_("data.lookback_hint_help"),
        )
