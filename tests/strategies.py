"""Hypothesis strategies for architecture specs."""

from __future__ import annotations

from hypothesis import strategies as st

from slstm.spec import KINDS, MERGE_MODES, ArchitectureSpec, DenseSpec, LayerSpec


@st.composite
def layer_specs(draw, *, return_sequences=None, rich=True):
    return LayerSpec(
        kind=draw(st.sampled_from(KINDS)),
        units=draw(st.integers(1, 6)),
        return_sequences=draw(st.booleans()) if return_sequences is None else return_sequences,
        dropout=draw(st.sampled_from([0.0, 0.2])) if rich else 0.0,
        recurrent_dropout=draw(st.sampled_from([0.0, 0.1])) if rich else 0.0,
        bidirectional=draw(st.booleans()) if rich else False,
        merge_mode=draw(st.sampled_from(MERGE_MODES)) if rich else "concat",
    )


@st.composite
def valid_specs(draw, *, max_depth=6, rich=True):
    """Stacks Keras builds: every layer but the last returns sequences."""
    depth = draw(st.integers(1, max_depth))
    last_rs = draw(st.booleans())
    layers = [draw(layer_specs(return_sequences=i < depth - 1 or last_rs, rich=rich)) for i in range(depth)]
    dense = draw(st.lists(st.builds(DenseSpec, units=st.integers(1, 5)), max_size=2)) if rich else []
    head = draw(st.sampled_from(["dense", "none"]))
    return ArchitectureSpec(layers=tuple(layers), dense=tuple(dense), head=head)


@st.composite
def any_specs(draw, *, max_depth=4):
    depth = draw(st.integers(1, max_depth))
    layers = [draw(layer_specs()) for _ in range(depth)]
    dense = draw(st.lists(st.builds(DenseSpec, units=st.integers(1, 5)), max_size=2))
    return ArchitectureSpec(layers=tuple(layers), dense=tuple(dense), head=draw(st.sampled_from(["dense", "none"])))
