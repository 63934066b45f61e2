"""Inspect: what every layer of a trained run outputs at every timestep for one sample, 2D against 3D, and
the gates and cell state inside an LSTM or GRU."""

import streamlit as st

from pages import serve_through_app
from pages.ui import inspect as ui
from pages.ui.frame import page_frame
from slstm.figures import inspect as inspect_plots
from slstm.i18n import translator
from slstm.shapes import layer_names
from slstm.spec import ArchitectureSpec
from slstm.text import escape_markdown

serve_through_app()

f = page_frame()
_ = translator(f.lang)
st.title(_("inspect.title"))
windows = f.windows
if windows is None:
    st.error(escape_markdown(_("inspect.no_data", error=f.data.error)))
    st.stop()
runs = ui.inspectable_runs(f)
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
model_file = f.store.run_dir(run.id) / "model.keras"
x = split.x[sample : sample + 1]  # (1, timesteps, features)
inside = ui.look(f, model_file, x)  # every layer's output, the cells' internals, the prediction as it forms
outputs = inside["outputs"]
features = list(windows.config.features)
st.plotly_chart(inspect_plots.input_window(x[0], features, labels=ui.words("input", f.lang)), key="input_window")

layer = st.selectbox(_("inspect.layer"), names, index=len(recurrent) - 1, key="inspect_layer")
ui.layer_output(f, spec, names, layer, outputs)
if layer in recurrent and spec.layers[names.index(layer)].kind in ("lstm", "gru"):
    ui.gates(f, layer, inside["internals"][layer])
with st.expander(_("inspect.all_layers"), expanded=True):
    st.plotly_chart(inspect_plots.layer_stack(outputs, 0, labels=ui.words("stack", f.lang)), key="layer_stack")
if spec.head == "dense" and getattr(windows, "task", "regression") == "regression":
    ui.forming(f, inside["forming"][0], split.y[sample])

st.subheader(_("inspect.compare"))
mode = st.radio(
    _("inspect.compare_with"),
    ["nothing", "other", "before"],
    format_func=lambda k: _(f"inspect.compare_option.{k}"),
    horizontal=True,
    key="inspect_compare",
)
if mode != "nothing":
    ui.compare(f, mode, model_file, split, sample, layer, outputs[layer][0])
