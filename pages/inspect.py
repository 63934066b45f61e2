"""Inspect: what every layer of a trained run outputs at every timestep for one sample, 2D against 3D, and
the gates and cell state inside an LSTM or GRU."""

from pathlib import Path

import streamlit as st

from pages import serve_through_app
from slstm import inspect_plots
from slstm.inspect import head_over_time, internals, layer_outputs
from slstm.results import config_dict
from slstm.shapes import layer_names
from slstm.spec import ArchitectureSpec
from slstm.text import escape_markdown

serve_through_app()

GATE_NOTES = {
    "input_gate": "input gate: how much of the new candidate is written into the cell (0 = nothing, 1 = all).",
    "forget_gate": "forget gate: how much of the old cell state is kept (1 = keep everything).",
    "candidate": "candidate: the new content proposed from this timestep's input and the last output.",
    "output_gate": "output gate: how much of the (squashed) cell state is passed on as the output.",
    "cell": "cell state: the layer's memory, carried from timestep to timestep.",
    "update_gate": "update gate (GRU): 1 keeps the previous state, 0 takes the candidate.",
    "reset_gate": "reset gate (GRU): how much of the previous state the candidate may look at.",
}

ss = st.session_state
store = ss["run_store"]
st.title("Inspect")
windows = ss.get("windows")


@st.cache_resource(max_entries=8, show_spinner="Loading the trained model…")
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
    st.error(escape_markdown(f"No data: {ss['data_error']}"))
    st.stop()
runs = inspectable_runs()
if not runs:
    st.info(
        "No trained run on the current data settings yet. Train one on the Train page (a couple of epochs is "
        "enough), then come back: this page shows what each of its layers passes on."
    )
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

c = st.columns([2, 1, 1])
run = c[0].selectbox(
    "Run", runs, format_func=lambda r: f"{r.name} · {ArchitectureSpec.from_dict(r.spec).short()}", key="inspect_run"
)
splits = {
    name: s for name, s in (("test", windows.test), ("validation", windows.val), ("train", windows.train)) if len(s)
}
split_name = c[1].selectbox("Split", list(splits), key="inspect_split")
split = splits[split_name]
sample = c[2].number_input(f"Sample (0–{len(split) - 1})", 0, len(split) - 1, value=0, key="inspect_sample")
spec = ArchitectureSpec.from_dict(run.spec)
names = layer_names(spec)
recurrent = names[: len(spec.layers)]
folder = store.run_dir(run.id)
model_file = folder / "model.keras"
try:
    model = load(str(model_file), model_file.stat().st_mtime)
except FileNotFoundError:  # deleted (or cleaned up) since the list was read
    st.warning("That run's model is no longer there: it was deleted or its files were cleaned up. Pick another run.")
    st.stop()

x = split.x[sample : sample + 1]  # (1, timesteps, features)
outputs = layer_outputs(model, x)
st.plotly_chart(inspect_plots.input_window(x[0], list(windows.config.features)), key="input_window")

layer = st.selectbox("Layer", names, index=len(recurrent) - 1, key="inspect_layer")
values = outputs[layer][0]
position = names.index(layer)
if values.ndim == 2:
    st.plotly_chart(
        inspect_plots.sequence_heatmap(
            values, title=f"{layer}: output at every timestep {tuple(outputs[layer].shape[1:])}"
        ),
        key="layer_heatmap",
    )
    st.caption("3D output: one vector per timestep, because return_sequences=True. The next layer reads all of it.")
    chosen = st.multiselect(
        "Units to draw as lines",
        list(range(values.shape[1])),
        default=list(range(min(3, values.shape[1]))),
        key="inspect_units",
    )
    if chosen:
        st.plotly_chart(
            inspect_plots.unit_lines(values, chosen, title=f"{layer}: chosen units over time"), key="unit_lines"
        )
else:
    last = position < len(spec.layers) and not spec.layers[position].return_sequences
    note = (
        f"return_sequences=False: only the last timestep's output (timestep {windows.timesteps - 1}) is passed on"
        if last
        else "one vector per sample"
    )
    st.plotly_chart(
        inspect_plots.vector_bars(values, title=f"{layer}: 2D output {tuple(outputs[layer].shape[1:])}", note=note),
        key="layer_bars",
    )

if layer in recurrent and spec.layers[position].kind in ("lstm", "gru"):
    st.subheader("Inside the cell")
    parts = internals(model, layer, x, outputs=outputs)
    direction = "forward"
    if "forward" in parts:
        direction = st.radio("Direction", ["forward", "backward"], horizontal=True, key="inspect_direction")
        parts = parts[direction]
    st.plotly_chart(inspect_plots.gates_figure(parts, title=f"{layer}: gates and state over time"), key="gates")
    for key in parts:
        if key in GATE_NOTES:
            st.caption(GATE_NOTES[key])

with st.expander("All layers at once, top to bottom", expanded=True):
    st.plotly_chart(inspect_plots.layer_stack(outputs, 0), key="layer_stack")

if spec.head == "dense" and getattr(windows, "task", "regression") == "regression":
    st.subheader("The prediction as it forms")
    forming = head_over_time(model, x, outputs=outputs)[0]  # (timesteps, outputs)
    st.plotly_chart(inspect_plots.prediction_over_time(forming, target=split.y[sample]), key="forming")
    st.caption(
        "The output layer applied to the top recurrent layer's state at every timestep: the last point is "
        "the model's prediction. Scaled units."
    )

st.subheader("Compare")
mode = st.radio(
    "Compare this layer with",
    ["nothing", "another sample", "the same sample before training"],
    horizontal=True,
    key="inspect_compare",
)
if mode != "nothing":
    left, right = st.columns(2)
    if mode == "another sample":
        other = right.number_input("Other sample", 0, len(split) - 1, value=min(1, len(split) - 1), key="inspect_other")
        other_values, label = layer_outputs(model, split.x[other : other + 1])[layer][0], f"sample {other}"
    else:
        initial = folder / "initial.weights.h5"
        if not Path(initial).exists():
            st.info("This run has no saved initial weights.")
            st.stop()
        before = load(str(model_file), model_file.stat().st_mtime, str(initial))
        other_values, label = layer_outputs(before, x)[layer][0], "before training"
    for column, data, title in ((left, values, f"sample {sample}"), (right, other_values, label)):
        figure = (
            inspect_plots.sequence_heatmap(data, title=f"{layer}, {title}")
            if data.ndim == 2
            else inspect_plots.vector_bars(data, title=f"{layer}, {title}", note="")
        )
        column.plotly_chart(figure, key=f"compare_{title}")
