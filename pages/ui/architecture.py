"""The Architecture page's sections: the layer editor (every widget writes through to the spec in its callback),
the problems with their one-click fixes, the table and flow of shapes, and the take-away tabs (code, link, JSON)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from pages.ui.frame import Frame
from slstm import limits, session
from slstm.errors import SpecError
from slstm.figures import charts as plots
from slstm.i18n import labels, translator
from slstm.presets import PRESETS
from slstm.shapes import InputShape, shape_text, total_params, train_flops_per_epoch
from slstm.spec import KIND_LABELS, KINDS, MAX_LAYERS, MERGE_MODES, ArchitectureSpec, DenseSpec, LayerSpec
from slstm.text import escape_markdown, quote

COLUMNS = [1.2, 0.9, 1.4, 0.9, 1.3, 1.1, 1, 0.45, 0.45, 0.45]  # a layer's row: its fields, then up, down, delete


# --- callbacks: each writes through to the spec (slstm.session) -------------------------------------------
def use(spec: ArchitectureSpec, lookback: int | None = None) -> None:
    """A new stack as a whole: the editor's widgets start afresh."""
    session.replace_spec(st.session_state, spec, lookback=lookback)


def apply_preset() -> None:
    """The chosen preset's stack and lookback."""
    preset = PRESETS[st.session_state["preset"]]
    use(preset.spec, preset.lookback)


def set_layer(i: int, field: str, key: str) -> None:
    """One field of layer i, from its widget."""
    ss = st.session_state
    session.edit_spec(ss, ss["spec"].with_layer(i, **{field: ss[key]}))


def resize(key: str) -> None:
    """The stack cut or grown to the chosen number of layers."""
    ss = st.session_state
    layers = list(ss["spec"].layers[: ss[key]])
    while len(layers) < ss[key]:  # a new layer on top: the one below now feeds it, so it returns sequences
        layers[-1] = replace(layers[-1], return_sequences=True)
        layers.append(LayerSpec(layers[-1].kind, layers[-1].units))
    use(replace(ss["spec"], layers=tuple(layers)))


def move(i: int, j: int) -> None:
    """Layers i and j swapped."""
    layers = list(st.session_state["spec"].layers)
    layers[i], layers[j] = layers[j], layers[i]
    use(replace(st.session_state["spec"], layers=tuple(layers)))


def remove(i: int) -> None:
    """Layer i taken out."""
    spec = st.session_state["spec"]
    use(replace(spec, layers=spec.layers[:i] + spec.layers[i + 1 :]))


def set_dense(key: str) -> None:
    """The Dense layers from their comma-separated sizes, or the text refused."""
    ss = st.session_state
    try:
        units = [int(u) for u in ss[key].replace(" ", "").split(",") if u]
        session.edit_spec(ss, replace(ss["spec"], dense=tuple(DenseSpec(u) for u in units)))
        ss["dense_error"] = None
    except (ValueError, SpecError):
        ss["dense_error"] = quote(ss[key])  # the text refused; the message is drawn in the page's language


def set_head(key: str) -> None:
    """The output head, from its radio."""
    use(replace(st.session_state["spec"], head=st.session_state[key]))


# --- sections ---------------------------------------------------------------------------------------------
def edit(column, widget: str, i: int, field: str, label: str, version: int, **options) -> None:
    """One field of layer i as a widget that writes through to the spec."""
    key = f"{field}_{i}_v{version}"
    getattr(column, widget)(label, key=key, on_change=set_layer, args=(i, field, key), **options)


def layer_row(f: Frame, spec: ArchitectureSpec, i: int, version: int) -> None:
    """Layer i's fields, and its buttons to move it up or down or remove it."""
    _, layer, k = translator(f.lang), spec.layers[i], f"{i}_v{version}"
    cols = st.columns(COLUMNS, vertical_alignment="bottom")
    kinds = dict(options=KINDS, index=KINDS.index(layer.kind), format_func=KIND_LABELS.get)
    edit(cols[0], "selectbox", i, "kind", _("architecture.layer", n=i + 1), version, **kinds)
    units = dict(min_value=1, max_value=limits.MAX_UNITS, value=layer.units)
    edit(cols[1], "number_input", i, "units", _("architecture.field.units"), version, **units)
    rs_label = _("architecture.field.return_sequences")
    edit(cols[2], "checkbox", i, "return_sequences", rs_label, version, value=layer.return_sequences)
    for col, name in ((cols[3], "dropout"), (cols[4], "recurrent_dropout")):
        rate = dict(min_value=0.0, max_value=limits.MAX_DROPOUT, value=getattr(layer, name), step=0.1)
        edit(col, "number_input", i, name, _(f"architecture.field.{name}"), version, **rate)
    bi_label = _("architecture.field.bidirectional")
    edit(cols[5], "checkbox", i, "bidirectional", bi_label, version, value=layer.bidirectional)
    merge = dict(options=MERGE_MODES, index=MERGE_MODES.index(layer.merge_mode), disabled=not layer.bidirectional)
    edit(cols[6], "selectbox", i, "merge_mode", _("architecture.field.merge_mode"), version, **merge)
    last = len(spec.layers) - 1
    up = dict(key=f"up_{k}", disabled=i == 0, on_click=move, args=(i, i - 1), help=_("architecture.move_up"))
    cols[7].button("", icon=":material/arrow_upward:", **up)
    down = dict(key=f"down_{k}", disabled=i == last, on_click=move, args=(i, i + 1), help=_("architecture.move_down"))
    cols[8].button("", icon=":material/arrow_downward:", **down)
    delete = dict(key=f"del_{k}", disabled=last == 0, help=_("architecture.remove"), on_click=remove, args=(i,))
    cols[9].button("", icon=":material/delete:", **delete)


def layer_editor(f: Frame, spec: ArchitectureSpec, version: int) -> None:
    """The number of layers, a row per layer, the Dense layers and the head, and any text refused."""
    _, ss = translator(f.lang), st.session_state
    n_key = f"n_v{version}"
    most = max(MAX_LAYERS, len(spec.layers))  # a deeper stack (a lesson, a link) shows, with its problem below
    st.number_input(
        _("architecture.n_layers"), 1, most, value=len(spec.layers), key=n_key, on_change=resize, args=(n_key,)
    )
    for i in range(len(spec.layers)):
        layer_row(f, spec, i, version)
    c1, c2 = st.columns(2)
    dense, head = f"dense_v{version}", f"head_v{version}"
    units = ", ".join(str(d.units) for d in spec.dense)
    c1.text_input(_("architecture.dense"), units, key=dense, on_change=set_dense, args=(dense,))
    c2.radio(
        _("architecture.head"),
        ["dense", "none"],
        index=["dense", "none"].index(spec.head),
        key=head,
        horizontal=True,
        on_change=set_head,
        args=(head,),
        help=_("architecture.head_help"),
    )
    if ss.get("dense_error"):
        limits_ = dict(max_dense=limits.MAX_DENSE, max_units=limits.MAX_UNITS)
        st.error(escape_markdown(_("architecture.dense_error", **limits_, got=ss["dense_error"])))


def problems_list(problems) -> None:
    """Each problem of the stack, with a button per fix."""
    for n, problem in enumerate(problems):
        (st.error if problem.is_error else st.warning)(problem.message)  # specs hold no user text
        fix_cols = st.columns(max(1, len(problem.fixes)) + 2)
        for j, fix in enumerate(problem.fixes):
            fix_cols[j].button(fix.label, key=f"fix_{n}_{j}", icon=":material/build:", on_click=use, args=(fix.spec,))


def shape_section(f: Frame, rows, shape: InputShape) -> None:
    """The layers' table of shapes and parameters, the shape flow, the total parameters and the work per epoch."""
    _ = translator(f.lang)
    flow_words = labels("plots.shape_flow", f.lang)
    table = pd.DataFrame(
        {
            _("architecture.column.layer"): [f"{r.name} ({plots.layer_label(r, flow_words)})" for r in rows],
            _("architecture.column.output_shape"): [shape_text(r.output_shape) for r in rows],
            _("architecture.column.tensor"): ["—" if r.ndim is None else f"{r.ndim}D" for r in rows],
            _("architecture.column.params"): ["—" if r.params is None else f"{r.params:,}" for r in rows],
            _("architecture.column.formula"): [r.formula for r in rows],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    left, right = st.columns([3, 2])
    input_shape = (None, shape.timesteps, shape.features)
    left.plotly_chart(plots.shape_flow(input_shape, rows, labels=flow_words), key="shape_flow")
    total = total_params(rows)
    right.metric(_("architecture.total_params"), "—" if total is None else f"{total:,}")
    right.caption(_("architecture.input_caption", shape=shape_text(input_shape)))
    samples = len(f.windows.train) if f.windows else 0
    if flops := train_flops_per_epoch(rows, timesteps=shape.timesteps, samples=samples):
        gflop = _("architecture.flops_value", gflop=flops / 1e9)
        right.metric(_("architecture.flops"), gflop, help=_("architecture.flops_help"))


def code_tab(f: Frame, spec: ArchitectureSpec, shape: InputShape) -> None:
    """The stack as Keras code, in the chosen form, to copy or download."""
    from slstm.codegen import FORMS, function_form_problem, to_keras_code

    _ = translator(f.lang)
    form = st.radio(
        _("architecture.code_form"),
        FORMS,
        format_func=lambda form: _(f"architecture.code_form_{form}"),
        horizontal=True,
        key="code_form",
    )
    if form == "function" and (reason := function_form_problem(spec)):
        st.caption(escape_markdown(reason.text(f.lang)))
        form = "layers"
    try:
        target_form = f.windows.config.target_form if f.windows is not None else "value"
        code = to_keras_code(spec, shape, target_form=target_form, form=form, lang=f.lang)
    except SpecError as exc:
        st.info(escape_markdown(_("architecture.fix_first", error=exc.text(f.lang))))
    else:
        st.code(code, language="python")
        st.download_button(
            _("architecture.download_code"), code, "model.py", "text/x-python", key="download_code", on_click="ignore"
        )


def link_tab(f: Frame, token: str) -> None:
    """The page's address with the stack in it."""
    st.write(translator(f.lang)("architecture.link_intro"))
    base = (st.context.url or "").rstrip("/")
    if not base.endswith("/architecture"):  # the context URL may name the app's root, not this page
        base += "/architecture"
    st.code(f"{base}?arch={token}", language=None, wrap_lines=True)


def json_tab(f: Frame, spec: ArchitectureSpec) -> None:
    """The stack as JSON, to download, and a JSON file to load one from."""
    _, ss = translator(f.lang), st.session_state
    st.code(spec.to_json(), language="json", wrap_lines=True)
    st.download_button(
        _("architecture.download_spec"),
        spec.to_json(),
        "spec.json",
        "application/json",
        key="download_spec",
        on_click="ignore",
    )
    upload = st.file_uploader(_("architecture.load_spec"), type=["json"], key="spec_upload")
    if upload is not None and ss.get("spec_upload_seen") != upload.file_id:
        try:
            loaded = ArchitectureSpec.from_json(upload.getvalue())
        except SpecError as exc:
            st.error(escape_markdown(_("architecture.load_error", name=quote(upload.name), error=exc.text(f.lang))))
        else:
            ss["spec_upload_seen"] = upload.file_id
            use(loaded)
            st.rerun()
