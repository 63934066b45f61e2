"""Inspect: what every layer of a trained run outputs at every timestep for one sample, 2D against 3D, and
the gates and cell state inside an LSTM or GRU."""

from pathlib import Path

import streamlit as st

from pages import serve_through_app
from slstm import inspect_plots
from slstm.i18n import labels, translator
from slstm.inspect import head_over_time, internals, layer_outputs
from slstm.results import config_dict
from slstm.shapes import layer_names
from slstm.spec import ArchitectureSpec
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
lang = ss["lang"]
_ = translator(lang)
GATE_NOTES = labels("inspect.gate_note", lang)  # a caption per internals key that has one


def words(figure: str):
    """A figure's words in the page language (inspect.fig_<figure>)."""
    return labels(f"inspect.fig_{figure}", lang)


store = ss["run_store"]
st.title(_("inspect.title"))
windows = ss.get("windows")


@st.cache_resource(max_entries=8, show_spinner=_("inspect.loading"))
def load(path: str, mtime: float, weights: str | None = None):
    """A run's model, loaded once per file (safe mode) and only read afterwards; `weights` swaps in another
    set of the run's weights (e.g. before training) on a copy."""
    import keras

    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    if weights:
        model = keras.models.clone_model(model)
        model.load_weights(weights)
    return model


def inspectable_runs() -> list:
    """Runs with a saved model, trained on the data settings now chosen (their windows are the current ones)."""
    current = config_dict(windows.config)
    return [
        r
        for r in store.list_runs(ss["ws"])
        if (store.run_dir(r.id) / "model.keras").exists() and r.data_config == current
    ]


if windows is None:
    st.error(escape_markdown(_("inspect.no_data", error=ss["data_error"])))
    st.stop()
runs = inspectable_runs()
if not runs:
    st.info(_("inspect.no_runs"))
    st.page_link("pages/train.py", label=_("inspect.go_to_train"), icon=":material/model_training:")
    st.stop()

c = st.columns([2, 1, 1])
run = c[0].selectbox(
    _("inspect.run"),
    runs,
    format_func=lambda r: f"{r.name} · {ArchitectureSpec.from_dict(r.spec).short()}",
    key="inspect_run",
)
splits = {
    name: s for name, s in (("test", windows.test), ("validation", windows.val), ("train", windows.train)) if len(s)
}
split_name = c[1].selectbox(
    _("inspect.split"), list(splits), format_func=lambda k: _(f"inspect.split_option.{k}"), key="inspect_split"
)
split = splits[split_name]
sample = c[2].number_input(_("inspect.sample", last=len(split) - 1), 0, len(split) - 1, value=0, key="inspect_sample")
spec = ArchitectureSpec.from_dict(run.spec)
names = layer_names(spec)
recurrent = names[: len(spec.layers)]
folder = store.run_dir(run.id)
model_file = folder / "model.keras"
try:
    model = load(str(model_file), model_file.stat().st_mtime)
except FileNotFoundError:  # deleted (or cleaned up) since the list was read
    st.warning(_("inspect.model_gone"))
    st.stop()

x = split.x[sample : sample + 1]  # (1, timesteps, features)
outputs = layer_outputs(model, x)
st.plotly_chart(
    inspect_plots.input_window(x[0], list(windows.config.features), labels=words("input")), key="input_window"
)

layer = st.selectbox(_("inspect.layer"), names, index=len(recurrent) - 1, key="inspect_layer")
values = outputs[layer][0]
position = names.index(layer)
if values.ndim == 2:
    st.plotly_chart(
        inspect_plots.sequence_heatmap(
            values,
            title=_("inspect.heatmap_title", layer=layer, shape=tuple(outputs[layer].shape[1:])),
            labels=words("heatmap"),
        ),
        key="layer_heatmap",
    )
    st.caption(_("inspect.output_3d"))
    chosen = st.multiselect(
        _("inspect.units_to_draw"),
        list(range(values.shape[1])),
        default=list(range(min(3, values.shape[1]))),
        key="inspect_units",
    )
    if chosen:
        st.plotly_chart(
            inspect_plots.unit_lines(
                values, chosen, title=_("inspect.lines_title", layer=layer), labels=words("lines")
            ),
            key="unit_lines",
        )
else:
    last = position < len(spec.layers) and not spec.layers[position].return_sequences
    note = _("inspect.note_last", step=windows.timesteps - 1) if last else _("inspect.note_vector")
    st.plotly_chart(
        inspect_plots.vector_bars(
            values,
            title=_("inspect.bars_title", layer=layer, shape=tuple(outputs[layer].shape[1:])),
            note=note,
            labels=words("bars"),
        ),
        key="layer_bars",
    )

if layer in recurrent and spec.layers[position].kind in ("lstm", "gru"):
    st.subheader(_("inspect.inside"))
    parts = internals(model, layer, x, outputs=outputs)
    direction = "forward"
    if "forward" in parts:
        direction = st.radio(
            _("inspect.direction"),
            ["forward", "backward"],
            format_func=lambda k: _(f"inspect.direction_option.{k}"),
            horizontal=True,
            key="inspect_direction",
        )
        parts = parts[direction]
    st.plotly_chart(
        inspect_plots.gates_figure(parts, title=_("inspect.gates_title", layer=layer), labels=words("gates")),
        key="gates",
    )
    for key in parts:
        if key in GATE_NOTES:
            st.caption(GATE_NOTES[key])

with st.expander(_("inspect.all_layers"), expanded=True):
    st.plotly_chart(inspect_plots.layer_stack(outputs, 0, labels=words("stack")), key="layer_stack")

if spec.head == "dense" and getattr(windows, "task", "regression") == "regression":
    st.subheader(_("inspect.forming"))
    forming = head_over_time(model, x, outputs=outputs)[0]  # (timesteps, outputs)
    st.plotly_chart(
        inspect_plots.prediction_over_time(forming, target=split.y[sample], labels=words("forming")), key="forming"
    )
    st.caption(_("inspect.forming_caption"))

st.subheader(_("inspect.compare"))
mode = st.radio(
    _("inspect.compare_with"),
    ["nothing", "other", "before"],
    format_func=lambda k: _(f"inspect.compare_option.{k}"),
    horizontal=True,
    key="inspect_compare",
)
if mode != "nothing":
    left, right = st.columns(2)
    if mode == "other":
        other = right.number_input(
            _("inspect.other_sample"), 0, len(split) - 1, value=min(1, len(split) - 1), key="inspect_other"
        )
        other_values, label = (
            layer_outputs(model, split.x[other : other + 1])[layer][0],
            _("inspect.sample_n", sample=other),
        )
    else:
        initial = folder / "initial.weights.h5"
        if not Path(initial).exists():
            st.info(_("inspect.no_initial"))
            st.stop()
        before = load(str(model_file), model_file.stat().st_mtime, str(initial))
        other_values, label = layer_outputs(before, x)[layer][0], _("inspect.before_training")
    pairs = ((left, values, _("inspect.sample_n", sample=sample), "this"), (right, other_values, label, mode))
    for column, data, what, chart_key in pairs:  # chart keys by role: the other sample may be this one
        title = _("inspect.pair_title", layer=layer, what=what)
        figure = (
            inspect_plots.sequence_heatmap(data, title=title, labels=words("heatmap"))
            if data.ndim == 2
            else inspect_plots.vector_bars(data, title=title, note="", labels=words("bars"))
        )
        column.plotly_chart(figure, key=f"compare_{chart_key}")
