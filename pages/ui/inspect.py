"""The Inspect page's sections: the runs it can look inside, a look inside one (computed by the server's
inspector process, cached per model file and sample), the chosen layer's output, the gates of an LSTM or GRU, the
head forming its prediction, and the comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from pages.ui.frame import Frame
from pages.ui.resources import inspector
from slstm.data import Split
from slstm.errors import SlstmError
from slstm.figures import inspect as inspect_plots
from slstm.i18n import labels, t, translator
from slstm.results import config_dict
from slstm.spec import ArchitectureSpec


def words(figure: str, lang: str):
    """A figure's words in the page language (inspect.fig_<figure>)."""
    return labels(f"inspect.fig_{figure}", lang)


def inspectable_runs(f: Frame) -> list:
    """Runs with a saved model, trained on the data settings now chosen (their windows are the current ones)."""
    current = config_dict(f.windows.config)
    return [
        r
        for r in f.store.list_runs(f.ws)
        if (f.store.run_dir(r.id) / "model.keras").exists() and r.data_config == current
    ]


@st.cache_data(max_entries=512, show_spinner=False)
def _look(model: str, mtime: float, weights: str | None, x: bytes, shape: tuple[int, ...]) -> dict:
    return inspector().look(model, np.frombuffer(x, np.float32).reshape(shape), weights=weights)


def look(f: Frame, model_file: Path, x: np.ndarray, weights: Path | None = None) -> dict:
    """look_inside(model, x) for a run's model (or, with `weights`, another set of its weights), computed in the
    inspector process and kept per file and sample, so a second look is instant. Stops the page with a message
    when the model is gone or the look fails."""
    x = np.ascontiguousarray(x, np.float32)
    try:
        mtime = model_file.stat().st_mtime + (weights.stat().st_mtime if weights else 0.0)
        with st.spinner(t("inspect.loading", f.lang)):
            return _look(str(model_file), mtime, str(weights) if weights else None, x.tobytes(), x.shape)
    except FileNotFoundError:  # deleted (or cleaned up) since the list was read
        st.warning(t("inspect.model_gone", f.lang))
    except SlstmError as exc:
        st.error(exc.text(f.lang))
    st.stop()


def layer_output(f: Frame, spec: ArchitectureSpec, names: list[str], layer: str, outputs: dict) -> None:
    """The chosen layer's output for the sample: a sequence as a heatmap and unit lines, a vector as bars."""
    _ = translator(f.lang)
    values, shape = outputs[layer][0], tuple(outputs[layer].shape[1:])
    if values.ndim == 2:
        title = _("inspect.heatmap_title", layer=layer, shape=shape)
        heatmap = inspect_plots.sequence_heatmap(values, title=title, labels=words("heatmap", f.lang))
        st.plotly_chart(heatmap, key="layer_heatmap")
        st.caption(_("inspect.output_3d"))
        chosen = st.multiselect(
            _("inspect.units_to_draw"),
            list(range(values.shape[1])),
            default=list(range(min(3, values.shape[1]))),
            key="inspect_units",
        )
        if chosen:
            title = _("inspect.lines_title", layer=layer)
            lines = inspect_plots.unit_lines(values, chosen, title=title, labels=words("lines", f.lang))
            st.plotly_chart(lines, key="unit_lines")
        return
    position = names.index(layer)
    last = position < len(spec.layers) and not spec.layers[position].return_sequences
    note = _("inspect.note_last", step=f.windows.timesteps - 1) if last else _("inspect.note_vector")
    title = _("inspect.bars_title", layer=layer, shape=shape)
    bars = inspect_plots.vector_bars(values, title=title, note=note, labels=words("bars", f.lang))
    st.plotly_chart(bars, key="layer_bars")


def gates(f: Frame, layer: str, parts: dict) -> None:
    """Inside an LSTM or GRU: its gates, cell and hidden states over the timesteps (one direction at a time)."""
    _ = translator(f.lang)
    st.subheader(_("inspect.inside"))
    if "forward" in parts:
        direction = st.radio(
            _("inspect.direction"),
            ["forward", "backward"],
            format_func=lambda k: _(f"inspect.direction_option.{k}"),
            horizontal=True,
            key="inspect_direction",
        )
        parts = parts[direction]
    title = _("inspect.gates_title", layer=layer)
    st.plotly_chart(inspect_plots.gates_figure(parts, title=title, labels=words("gates", f.lang)), key="gates")
    notes = labels("inspect.gate_note", f.lang)  # a caption per internals key that has one
    for key in parts:
        if key in notes:
            st.caption(notes[key])


def forming(f: Frame, over_time: np.ndarray, target: np.ndarray) -> None:
    """How a dense head's prediction forms over the timesteps (timesteps, outputs), against the target."""
    _ = translator(f.lang)
    st.subheader(_("inspect.forming"))
    figure = inspect_plots.prediction_over_time(over_time, target=target, labels=words("forming", f.lang))
    st.plotly_chart(figure, key="forming")
    st.caption(_("inspect.forming_caption"))


def compare(f: Frame, mode: str, model_file: Path, split: Split, sample: int, layer: str, values) -> None:
    """The layer's output `values` for this sample beside another sample's, or beside it before training."""
    _ = translator(f.lang)
    left, right = st.columns(2)
    if mode == "other":
        other = right.number_input(
            _("inspect.other_sample"), 0, len(split) - 1, value=min(1, len(split) - 1), key="inspect_other"
        )
        other_values = look(f, model_file, split.x[other : other + 1])["outputs"][layer][0]
        label = _("inspect.sample_n", sample=other)
    else:
        initial = model_file.parent / "initial.weights.h5"
        if not initial.exists():
            st.info(_("inspect.no_initial"))
            st.stop()
        other_values = look(f, model_file, split.x[sample : sample + 1], initial)["outputs"][layer][0]
        label = _("inspect.before_training")
    pairs = ((left, values, _("inspect.sample_n", sample=sample), "this"), (right, other_values, label, mode))
    for column, data, what, chart_key in pairs:  # chart keys by role: the other sample may be this one
        title = _("inspect.pair_title", layer=layer, what=what)
        figure = (
            inspect_plots.sequence_heatmap(data, title=title, labels=words("heatmap", f.lang))
            if data.ndim == 2
            else inspect_plots.vector_bars(data, title=title, note="", labels=words("bars", f.lang))
        )
        column.plotly_chart(figure, key=f"compare_{chart_key}")
