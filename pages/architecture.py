"""Architecture: stack recurrent layers and see each layer's output shape (2D or 3D), its parameters, and
what is wrong with the stack, with one-click fixes. The spec in session state is the single source of truth:
every widget writes through to it in its on_change callback."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from pages import serve_through_app
from slstm import limits, plots, session
from slstm.errors import SpecError
from slstm.i18n import labels, translator
from slstm.presets import PRESETS
from slstm.problems import validate
from slstm.shapes import InputShape, infer_shapes, shape_text, total_params, train_flops_per_epoch
from slstm.spec import KIND_LABELS, KINDS, MAX_LAYERS, MERGE_MODES, ArchitectureSpec, DenseSpec, LayerSpec
from slstm.text import escape_markdown, quote

serve_through_app()

ss = st.session_state
lang = ss["lang"]
_ = translator(lang)
windows = ss.get("windows")
shape = windows.shape if windows else InputShape(timesteps=24, features=1)  # before any data: the tutorial's
timesteps, features = shape.timesteps, shape.features
version = session.spec_version(ss)  # bumped when the spec is replaced, so widgets start afresh


def use(spec: ArchitectureSpec, lookback: int | None = None) -> None:
    session.replace_spec(ss, spec, lookback=lookback)


def set_layer(i: int, field: str, key: str) -> None:
    session.edit_spec(ss, ss["spec"].with_layer(i, **{field: ss[key]}))


def edit(column, widget: str, i: int, field: str, label: str, **options) -> None:
    """One field of layer i as a widget that writes through to the spec."""
    key = f"{field}_{i}_v{version}"
    getattr(column, widget)(label, key=key, on_change=set_layer, args=(i, field, key), **options)


def resize(key: str) -> None:
    layers = list(ss["spec"].layers[: ss[key]])
    while len(layers) < ss[key]:  # a new layer on top: the one below now feeds it, so it returns sequences
        layers[-1] = replace(layers[-1], return_sequences=True)
        layers.append(LayerSpec(layers[-1].kind, layers[-1].units))
    use(replace(ss["spec"], layers=tuple(layers)))


def move(i: int, j: int) -> None:
    layers = list(ss["spec"].layers)
    layers[i], layers[j] = layers[j], layers[i]
    use(replace(ss["spec"], layers=tuple(layers)))


def set_dense(key: str) -> None:
    try:
        units = [int(u) for u in ss[key].replace(" ", "").split(",") if u]
        session.edit_spec(ss, replace(ss["spec"], dense=tuple(DenseSpec(u) for u in units)))
        ss["dense_error"] = None
    except (ValueError, SpecError):
        ss["dense_error"] = quote(ss[key])  # the text refused; the message is drawn in the page's language


st.title(_("architecture.title"))
st.write(_("architecture.intro"))

c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
preset = c1.selectbox(
    _("architecture.preset"), list(PRESETS), format_func=lambda k: PRESETS[k].title(lang), key="preset"
)
c2.button(
    _("architecture.apply_preset"),
    key="apply_preset",
    on_click=lambda: use(PRESETS[ss["preset"]].spec, PRESETS[ss["preset"]].lookback),
)
st.caption(PRESETS[preset].story(lang))

spec: ArchitectureSpec = ss["spec"]
st.number_input(
    _("architecture.n_layers"),
    1,
    max(MAX_LAYERS, len(spec.layers)),  # a deeper stack (a lesson, a link) shows, with its problem below
    value=len(spec.layers),
    key=f"n_v{version}",
    on_change=resize,
    args=(f"n_v{version}",),
)
for i, layer in enumerate(spec.layers):
    k = f"{i}_v{version}"
    cols = st.columns([1.2, 0.9, 1.4, 0.9, 1.3, 1.1, 1, 0.45, 0.45, 0.45], vertical_alignment="bottom")
    edit(
        cols[0],
        "selectbox",
        i,
        "kind",
        _("architecture.layer", n=i + 1),
        options=KINDS,
        index=KINDS.index(layer.kind),
        format_func=KIND_LABELS.get,
    )
    units_label = _("architecture.field.units")
    edit(cols[1], "number_input", i, "units", units_label, min_value=1, max_value=limits.MAX_UNITS, value=layer.units)
    rs_label = _("architecture.field.return_sequences")
    edit(cols[2], "checkbox", i, "return_sequences", rs_label, value=layer.return_sequences)
    for col, name in ((cols[3], "dropout"), (cols[4], "recurrent_dropout")):
        edit(
            col,
            "number_input",
            i,
            name,
            _(f"architecture.field.{name}"),
            min_value=0.0,
            max_value=limits.MAX_DROPOUT,
            value=getattr(layer, name),
            step=0.1,
        )
    edit(cols[5], "checkbox", i, "bidirectional", _("architecture.field.bidirectional"), value=layer.bidirectional)
    edit(
        cols[6],
        "selectbox",
        i,
        "merge_mode",
        _("architecture.field.merge_mode"),
        options=MERGE_MODES,
        index=MERGE_MODES.index(layer.merge_mode),
        disabled=not layer.bidirectional,
    )
    cols[7].button(
        "",
        icon=":material/arrow_upward:",
        key=f"up_{k}",
        disabled=i == 0,
        on_click=move,
        args=(i, i - 1),
        help=_("architecture.move_up"),
    )
    cols[8].button(
        "",
        icon=":material/arrow_downward:",
        key=f"down_{k}",
        disabled=i == len(spec.layers) - 1,
        on_click=move,
        args=(i, i + 1),
        help=_("architecture.move_down"),
    )
    cols[9].button(
        "",
        icon=":material/delete:",
        key=f"del_{k}",
        disabled=len(spec.layers) == 1,
        help=_("architecture.remove"),
        on_click=lambda i=i: use(replace(ss["spec"], layers=ss["spec"].layers[:i] + ss["spec"].layers[i + 1 :])),
    )
c1, c2 = st.columns(2)
c1.text_input(
    _("architecture.dense"),
    ", ".join(str(d.units) for d in spec.dense),
    key=f"dense_v{version}",
    on_change=set_dense,
    args=(f"dense_v{version}",),
)
c2.radio(
    _("architecture.head"),
    ["dense", "none"],
    index=["dense", "none"].index(spec.head),
    key=f"head_v{version}",
    horizontal=True,
    on_change=lambda: use(replace(ss["spec"], head=ss[f"head_v{version}"])),
    help=_("architecture.head_help"),
)
if ss.get("dense_error"):
    message = _(
        "architecture.dense_error", max_dense=limits.MAX_DENSE, max_units=limits.MAX_UNITS, got=ss["dense_error"]
    )
    st.error(escape_markdown(message))
if ss.get("link_error"):
    st.error(escape_markdown(ss.pop("link_error")))

problems = validate(spec, shape, lang=lang)
for n, problem in enumerate(problems):
    (st.error if problem.is_error else st.warning)(problem.message)  # specs hold no user text
    fix_cols = st.columns(max(1, len(problem.fixes)) + 2)
    for j, fix in enumerate(problem.fixes):
        fix_cols[j].button(fix.label, key=f"fix_{n}_{j}", icon=":material/build:", on_click=use, args=(fix.spec,))

rows = infer_shapes(spec, shape)
flow_words = labels("plots.shape_flow", lang)
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
with left:
    st.plotly_chart(plots.shape_flow((None, timesteps, features), rows, labels=flow_words), key="shape_flow")
with right:
    total = total_params(rows)
    st.metric(_("architecture.total_params"), "—" if total is None else f"{total:,}")
    st.caption(_("architecture.input_caption", shape=shape_text((None, timesteps, features))))
    samples = len(windows.train) if windows else 0
    flops = train_flops_per_epoch(rows, timesteps=timesteps, samples=samples)
    if flops:
        st.metric(
            _("architecture.flops"),
            _("architecture.flops_value", gflop=flops / 1e9),
            help=_("architecture.flops_help"),
        )

st.subheader(_("architecture.take_away"))
token = spec.to_url()
st.query_params["arch"] = token  # the address bar always carries the current stack
code_tab, link_tab, json_tab = st.tabs(
    [_("architecture.tab_code"), _("architecture.tab_link"), _("architecture.tab_json")]
)
with code_tab:
    from slstm.codegen import FORMS, function_form_problem, to_keras_code

    form = st.radio(
        _("architecture.code_form"),
        FORMS,
        format_func=lambda f: _(f"architecture.code_form_{f}"),
        horizontal=True,
        key="code_form",
    )
    if form == "function" and (reason := function_form_problem(spec)):
        st.caption(escape_markdown(reason.text(lang)))
        form = "layers"
    try:
        target_form = windows.config.target_form if windows is not None else "value"
        code = to_keras_code(
            spec,
            shape,
            target_form=target_form,
            form=form,
            lang=lang,
        )
    except SpecError as exc:
        st.info(escape_markdown(_("architecture.fix_first", error=exc.text(lang))))
    else:
        st.code(code, language="python")
        st.download_button(
            _("architecture.download_code"), code, "model.py", "text/x-python", key="download_code", on_click="ignore"
        )
with link_tab:
    st.write(_("architecture.link_intro"))
    base = (st.context.url or "").rstrip("/")
    if not base.endswith("/architecture"):  # the context URL may name the app's root, not this page
        base += "/architecture"
    st.code(f"{base}?arch={token}", language=None, wrap_lines=True)
with json_tab:
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
            st.error(escape_markdown(_("architecture.load_error", name=quote(upload.name), error=exc.text(lang))))
        else:
            ss["spec_upload_seen"] = upload.file_id
            use(loaded)
            st.rerun()
