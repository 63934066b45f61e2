"""The Learn page's sections: each lesson's live part (computed by the app's own core, cached), the questions'
live examples, the instructors' link builder and the glossary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from pages.ui.frame import Frame
from slstm import lessons, session
from slstm.compare import read_sweep
from slstm.data.samples import SAMPLES
from slstm.figures import charts as plots
from slstm.figures.compare import sweep_chart
from slstm.figures.inspect import gates_figure, input_window
from slstm.i18n import glossary, labels, t
from slstm.problems import validate
from slstm.shapes import InputShape, infer_shapes
from slstm.spec import ArchitectureSpec

T = lessons.TIMESTEPS


@st.cache_data(show_spinner=False)
def lstm_output(return_sequences: bool) -> np.ndarray:
    """The tiny LSTM's output, with or without its sequences."""
    return lessons.lstm_output(return_sequences)


@st.cache_data(show_spinner=False)
def gate_demo() -> tuple:
    """The gate demo's input and the cell's internals."""
    return lessons.gate_demo()


@st.cache_data(show_spinner=False)
def untrained_losses() -> dict[str, float]:
    """An untrained model's loss on unscaled, scaled-up and scaled targets."""
    return lessons.untrained_losses()


def paragraphs(texts) -> None:
    """The lesson's own text, paragraph by paragraph."""
    for text in texts:
        st.markdown(text)  # our own lesson text: Markdown is fine here


def why_depth(lesson, text, hide):
    """Lesson 1: a series with patterns at several scales."""
    frame = SAMPLES["multi_scale"].make().iloc[:600]
    fig = plots.series(frame, ["value"], time_column="time", labels=labels("plots.series", text.lang))
    fig.update_layout(title=lesson.notes["plot_title"])
    st.plotly_chart(fig, key="learn_multi_scale")
    st.caption(lesson.notes["plot_caption"])
    return lessons.DESIGNER[1]


def the_input(lesson, text, hide):
    """Lesson 2: a series cut into windows, and the 3D shape they make."""
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


def one_lstm(lesson, text, hide):
    """Lesson 3: one LSTM's output, its last step and its whole sequence."""
    st.caption(lesson.notes["code"])
    st.code(lessons.TINY_CODE, language="python")
    with st.spinner(text.ui["spinner"]):
        outputs = {rs: lstm_output(rs) for rs in (False, True)}
    st.session_state["learn_lstm_shapes"] = {rs: out.shape for rs, out in outputs.items()}
    for column, rs in zip(st.columns(2), (False, True), strict=True):
        column.markdown(lesson.notes["sequences" if rs else "last"])
        column.metric(lesson.notes["shape"], str(outputs[rs].shape))
        column.caption(lesson.notes["values"])
        column.code(np.array2string(outputs[rs], precision=4), language=None)
    return lessons.DESIGNER[3]


def set_stack(spec: ArchitectureSpec) -> None:
    """The stacking lesson's stack, broken or fixed."""
    st.session_state["learn_stack"] = spec


def stacking(lesson, text, hide):
    """Lesson 4: a stack broken in one click and fixed in another, with the app's and Keras' words."""
    spec = st.session_state.setdefault("learn_stack", lessons.STACK)
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


def depth_width(lesson, text, hide):
    """Lesson 5: an illustrative sweep of depth and width, and how to read it."""
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


def inside_cell(lesson, text, hide):
    """Lesson 6: an input window and the cell's gates over it."""
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


def questions(lesson, text, hide):
    """Lessons 7 and 8: questions and answers, some with a live example."""
    preset = lessons.DESIGNER[lesson.number]
    for question in lesson.questions:
        with st.expander(question.q):
            st.markdown(question.a)
            if question.code:
                st.code(question.code, language="python")
            if question.live:
                preset = live_example(question.live, lesson, text) or preset
    return preset


LESSONS = {  # each lesson's live part: it draws, then returns (stack, lookback) for the designer button
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
    session.replace_spec(st.session_state, spec, lookback=lookback)
    st.switch_page("pages/architecture.py")


def glossary_ui(f: Frame) -> None:
    """The English–Chinese glossary of the workshop's terms."""
    with st.expander(t("glossary.title", f.lang), icon=":material/translate:"):
        st.caption(t("glossary.caption", f.lang))
        columns = [t(f"glossary.col_{c}", f.lang) for c in ("en", "zh", "note")]
        st.dataframe(pd.DataFrame(glossary(f.lang), columns=columns), hide_index=True, width="stretch", key="glossary")


def instructor_ui(number: int, lang: str, text) -> None:
    """A link to this lesson, with the controls an instructor chooses to hide."""
    with st.expander(text.ui["instructors"], icon=":material/co_present:"):
        st.markdown(text.ui["instructors_body"])
        chosen = st.multiselect(
            text.ui["hide"], list(lessons.HIDE_FLAGS), key="learn_hide_pick", format_func=lambda f: text.flags[f]
        )
        base = f"{st.context.url.rstrip('/')}/{lessons.PAGE_PATH}" if st.context.url else ""
        st.code(base + lessons.lesson_link(number, lang, chosen), language=None, wrap_lines=True)
        st.caption(text.ui["link_caption"])
