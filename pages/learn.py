"""Learn: eight workshop lessons on stacked LSTMs, each with a live example computed by the app's own core, in
English and Simplified Chinese (the live parts too: figures, validation, the sweep's reading). A link
(?lesson=4&lang=zh&hide=picker) opens a lesson with chosen controls hidden."""

import numpy as np
import pandas as pd
import streamlit as st

from pages import serve_through_app
from slstm import lessons, plots, session
from slstm.compare import read_sweep
from slstm.compare_plots import sweep_chart
from slstm.i18n import glossary, labels, t
from slstm.inspect_plots import gates_figure, input_window
from slstm.problems import validate
from slstm.samples import SAMPLES
from slstm.shapes import InputShape, infer_shapes
from slstm.spec import ArchitectureSpec

serve_through_app()

ss = st.session_state
T = lessons.TIMESTEPS


@st.cache_data(show_spinner=False)
def lstm_output(return_sequences: bool) -> np.ndarray:
    return lessons.lstm_output(return_sequences)


@st.cache_data(show_spinner=False)
def gate_demo() -> tuple:
    return lessons.gate_demo()


@st.cache_data(show_spinner=False)
def untrained_losses() -> dict[str, float]:
    return lessons.untrained_losses()


def paragraphs(texts) -> None:
    for text in texts:
        st.markdown(text)  # our own lesson text: Markdown is fine here


def why_depth(lesson, text):
    frame = SAMPLES["multi_scale"].make().iloc[:600]
    fig = plots.series(frame, ["value"], time_column="time", labels=labels("plots.series", text.lang))
    fig.update_layout(title=lesson.notes["plot_title"])
    st.plotly_chart(fig, key="learn_multi_scale")
    st.caption(lesson.notes["plot_caption"])
    return lessons.DESIGNER[1]


def the_input(lesson, text):
    st.caption(lesson.notes["series"])
    st.code(",  ".join(f"{v:g}" for v in lessons.SERIES), language=None)
    lookback = st.slider(lesson.notes["lookback"], 1, len(lessons.SERIES) - 1, value=3, key="learn_lookback")
    table, shape = lessons.window_table(lookback)
    left, right = st.columns([3, 1])
    left.caption(lesson.notes["table"])
    left.dataframe(table, width="content")
    right.metric(lesson.notes["shape"], str(shape))
    right.caption(lesson.notes["shape_note"].format(samples=shape[0], timesteps=shape[1], features=shape[2]))
    return lessons.DESIGNER[2][0], lookback


def one_lstm(lesson, text):
    st.caption(lesson.notes["code"])
    st.code(lessons.TINY_CODE, language="python")
    with st.spinner(text.ui["spinner"]):
        outputs = {rs: lstm_output(rs) for rs in (False, True)}
    ss["learn_lstm_shapes"] = {rs: out.shape for rs, out in outputs.items()}
    for column, rs in zip(st.columns(2), (False, True), strict=True):
        column.markdown(lesson.notes["sequences" if rs else "last"])
        column.metric(lesson.notes["shape"], str(outputs[rs].shape))
        column.caption(lesson.notes["values"])
        column.code(np.array2string(outputs[rs], precision=4), language=None)
    return lessons.DESIGNER[3]


def set_stack(spec: ArchitectureSpec) -> None:
    ss["learn_stack"] = spec


def stacking(lesson, text):
    spec = ss.setdefault("learn_stack", lessons.STACK)
    problems = [p for p in validate(spec, InputShape(timesteps=T, features=1), lang=text.lang) if p.is_error]
    c = st.columns([1, 1, 4])
    broken = spec.with_layer(0, return_sequences=False)
    c[0].button(
        lesson.notes["break"],
        key="learn_break",
        icon=":material/construction:",
        help=lesson.notes["break_help"],
        disabled=bool(problems),
        on_click=set_stack,
        args=(broken,),
    )
    fixed = problems[0].fixes[0].spec if problems else spec
    c[1].button(
        lesson.notes["fix"],
        key="learn_fix",
        icon=":material/build:",
        help=lesson.notes["fix_help"],
        disabled=not problems,
        on_click=set_stack,
        args=(fixed,),
    )
    st.code(spec.short(), language=None)
    if problems:
        st.caption(lesson.notes["explanation"])
        st.error(problems[0].message)  # the app's own words; specs hold no user text
        st.caption(lesson.notes["keras"])
        st.code(lessons.KERAS_ERROR, language=None, wrap_lines=True)  # Keras' own words, as it prints them
    else:
        st.success(lesson.notes["valid"])
    rows = infer_shapes(spec, InputShape(timesteps=T, features=1))
    fig = plots.shape_flow((None, T, 1), rows, labels=labels("plots.shape_flow", text.lang))
    st.plotly_chart(fig, key="learn_flow")
    st.caption(lesson.notes["flow"])
    return spec, None


def depth_width(lesson, text):
    if "compare_link" not in hide:
        st.page_link("pages/compare.py", label=lesson.notes["compare_link"], icon=":material/compare_arrows:")
    results = lessons.illustrative_sweep()
    st.markdown(lesson.notes["illustration"])
    left, right = st.columns(2)
    words = labels("compare.fig_sweep", text.lang)
    left.plotly_chart(sweep_chart(results, x="depth", labels=words), key="learn_sweep_depth")
    right.plotly_chart(sweep_chart(results, x="params", labels=words), key="learn_sweep_params")
    st.caption(lesson.notes["reading"])
    st.info(read_sweep(results, lang=text.lang))
    return lessons.DESIGNER[5]


def inside_cell(lesson, text):
    with st.spinner(text.ui["spinner"]):
        x, internals = gate_demo()
    fig = input_window(x[0], ["value"], labels=labels("inspect.fig_input", text.lang))
    st.plotly_chart(fig.update_layout(title=lesson.notes["input_title"], height=260), key="learn_gate_input")
    words = labels("inspect.fig_gates", text.lang)
    st.plotly_chart(gates_figure(internals, title=lesson.notes["figure_title"], labels=words), key="learn_gates")
    return lessons.DESIGNER[6]


def shape_tables(specs, text, timesteps: int = T, num_features: int = 1) -> None:
    """Each stack's caption (its short form, its parameter count, any dropout) and its table of shapes."""
    columns = tuple(text.ui[k] for k in ("col_layer", "col_input", "col_output", "col_params"))
    for spec in specs:
        params = lessons.stack_params(spec, timesteps=timesteps, num_features=num_features)
        parts = [spec.short(), text.ui["total"].format(params=params)]
        parts += [
            text.ui["with_dropout"].format(layer=i, dropout=layer.dropout)
            for i, layer in enumerate(spec.layers, start=1)
            if layer.dropout
        ]
        st.caption(" · ".join(parts))
        table = lessons.shape_table(spec, columns, timesteps=timesteps, num_features=num_features, lang=text.lang)
        st.dataframe(table, hide_index=True, width="stretch")


def live_example(name: str, lesson, text) -> tuple | None:
    """A question's live example; the layer-count one returns its stack for the designer button."""
    shape_tables(lessons.LIVE_STACKS.get(name, ()), text, *lessons.live_shape(name))
    if name in lessons.LIVE_PROBLEMS:
        problem = validate(lessons.LIVE_PROBLEMS[name], lang=text.lang)[0]
        (st.error if problem.is_error else st.warning)(problem.message)
    if name == "unscaled":
        st.caption(lesson.notes["loss_caption"])
        losses = untrained_losses()
        for column, key in zip(st.columns(3), ("as_is", "times", "scaled"), strict=True):
            value = losses[key]
            column.metric(lesson.notes[f"loss_{key}"], f"{value:,.0f}" if value >= 1e4 else f"{value:.4g}")
    elif name == "majority":
        st.caption(lesson.notes["majority"])
        st.info(t("verdict.reason.majority", text.lang))  # the Train page's words for a run at its majority baseline
    elif name == "n_layers":
        low, high, default = lessons.N_LAYERS
        n = st.slider(lesson.notes["n_layers"], low, high, value=default, key="learn_n_layers")
        spec = lessons.depth_stack(n)
        shape_tables((spec,), text)
        return spec, None
    return None


def questions(lesson, text):
    preset = lessons.DESIGNER[lesson.number]
    for question in lesson.questions:
        with st.expander(question.q):
            st.markdown(question.a)
            if question.code:
                st.code(question.code, language="python")
            if question.live:
                preset = live_example(question.live, lesson, text) or preset
    return preset


LESSONS = {
    1: why_depth,
    2: the_input,
    3: one_lstm,
    4: stacking,
    5: depth_width,
    6: inside_cell,
    7: questions,
    8: questions,
}


def open_designer(spec: ArchitectureSpec, lookback: int | None) -> None:
    """The lesson's stack on the Architecture page, whose widgets refresh when spec_version changes."""
    session.replace_spec(ss, spec, lookback=lookback)
    st.switch_page("pages/architecture.py")


def instructor_ui(number: int, lang: str, text) -> None:
    with st.expander(text.ui["instructors"], icon=":material/co_present:"):
        st.markdown(text.ui["instructors_body"])
        chosen = st.multiselect(
            text.ui["hide"], list(lessons.HIDE_FLAGS), key="learn_hide_pick", format_func=lambda f: text.flags[f]
        )
        base = f"{st.context.url.rstrip('/')}/{lessons.PAGE_PATH}" if st.context.url else ""
        st.code(base + lessons.lesson_link(number, lang, chosen), language=None, wrap_lines=True)
        st.caption(text.ui["link_caption"])


# --- the page ---------------------------------------------------------------------------------------------
hide = ss.get("learn_hide", frozenset())  # app.py reads a link's ?hide= (it also hides the sidebar's language)
ss.setdefault("learn_lesson", lessons.parse_lesson(st.query_params.get("lesson")))
lang = ss["lang"]  # the app's one language choice (app.py's sidebar, ?lang=)
text = lessons.texts(lang)
if "picker" not in hide:
    st.selectbox(
        text.ui["picker"],
        list(text.lessons),
        key="learn_lesson",
        format_func=lambda n: f"{n}. {text.lessons[n].title}",
        persist_state="session",
    )
number = ss["learn_lesson"]
flags = ",".join(f for f in lessons.HIDE_FLAGS if f in hide)
st.query_params.update(lesson=str(number), lang=lang, **({"hide": flags} if flags else {}))

lesson = text.lessons[number]
st.title(f"{number}. {lesson.title}")
st.caption(text.ui["intro"])
paragraphs(lesson.body)
preset = LESSONS[number](lesson, text)
paragraphs(lesson.after)
if "designer_link" not in hide and st.button(
    text.ui["designer"], key=f"learn_designer_{number}", icon=":material/stacks:", help=text.ui["designer_help"]
):
    open_designer(*preset)
with st.expander(t("glossary.title", lang), icon=":material/translate:"):
    st.caption(t("glossary.caption", lang))
    columns = [t(f"glossary.col_{c}", lang) for c in ("en", "zh", "note")]
    st.dataframe(pd.DataFrame(glossary(lang), columns=columns), hide_index=True, width="stretch", key="glossary")
if "instructor" not in hide:
    instructor_ui(number, lang, text)
