"""Architecture: stack recurrent layers and see each layer's output shape (2D or 3D) and parameters."""

import pandas as pd
import streamlit as st

from slstm import plots
from slstm.shapes import infer_shapes, shape_text, total_params
from slstm.spec import KIND_LABELS, KINDS, MAX_LAYERS, ArchitectureSpec, LayerSpec

ss = st.session_state
spec: ArchitectureSpec = ss["spec"]
windows = ss.get("windows")
timesteps, features = (windows.timesteps, windows.num_features) if windows else (24, 1)

st.title("Architecture")
st.write(
    "Stack recurrent layers. A recurrent layer needs a 3D input (batch, timesteps, features), so every "
    "layer that feeds another recurrent layer must return the whole sequence (return_sequences=True)."
)


def layers_ui(spec: ArchitectureSpec) -> ArchitectureSpec:
    """Number of layers, then one row per layer: kind, units, return_sequences."""
    n = st.number_input("Recurrent layers", 1, MAX_LAYERS, value=len(spec.layers), key="num_layers")
    layers = list(spec.layers[:n])
    while len(layers) < n:  # a new layer on top: the one below now feeds it, so it returns sequences
        layers[-1] = LayerSpec(**{**layers[-1].__dict__, "return_sequences": True})
        layers.append(LayerSpec(layers[-1].kind, layers[-1].units))
    edited = []
    for i, layer in enumerate(layers):
        c1, c2, c3 = st.columns([1, 1, 1])
        kind = c1.selectbox(
            f"Layer {i + 1}", KINDS, index=KINDS.index(layer.kind), format_func=KIND_LABELS.get, key=f"kind_{i}_{n}"
        )
        units = c2.number_input(f"units (layer {i + 1})", 1, 1024, value=layer.units, key=f"units_{i}_{n}")
        rs = c3.checkbox(f"return_sequences (layer {i + 1})", value=layer.return_sequences, key=f"rs_{i}_{n}")
        edited.append(
            LayerSpec(
                kind, int(units), rs, layer.dropout, layer.recurrent_dropout, layer.bidirectional, layer.merge_mode
            )
        )
    return ArchitectureSpec(layers=tuple(edited), dense=spec.dense, head=spec.head)


spec = layers_ui(spec)
ss["spec"] = spec
rows = infer_shapes(spec, timesteps=timesteps, num_features=features)
problems = spec.validate(timesteps=timesteps, num_features=features)

for problem in problems:
    (st.error if problem.is_error else st.warning)(problem.message)

table = pd.DataFrame(
    {
        "layer": [f"{r.name} ({r.label})" for r in rows],
        "output shape": [shape_text(r.output_shape) for r in rows],
        "tensor": ["—" if r.ndim is None else f"{r.ndim}D" for r in rows],
        "params": ["—" if r.params is None else f"{r.params:,}" for r in rows],
        "formula": [r.formula for r in rows],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(plots.shape_flow((None, timesteps, features), rows), key="shape_flow")
with right:
    total = total_params(rows)
    st.metric("Total parameters", "—" if total is None else f"{total:,}")
    st.caption(f"Input: {shape_text((None, timesteps, features))} from the Data page.")
