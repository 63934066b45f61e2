"""Learn: eight workshop lessons on stacked LSTMs, each with a live example computed by the app's own core, in
English and Simplified Chinese (the live parts too: figures, validation, the sweep's reading). A link
(?lesson=4&lang=zh&hide=picker) opens a lesson with chosen controls hidden."""

import streamlit as st

from pages import serve_through_app
from pages.ui import learn as ui
from pages.ui.frame import page_frame
from slstm import lessons

serve_through_app()

f = page_frame()
ss = st.session_state
hide = ss.get("learn_hide", frozenset())  # app.py reads a link's ?hide= (it also hides the sidebar's language)
ss.setdefault("learn_lesson", lessons.parse_lesson(st.query_params.get("lesson")))
text = lessons.texts(f.lang)  # the app's one language choice (app.py's sidebar, ?lang=)
if "picker" not in hide:
    st.selectbox(
        text.ui["picker"],
        list(text.lessons),
        key="learn_lesson",
        format_func=lambda n: f"{n}. {text.lessons[n].title}",
        persist_state="session",
    )
number = ss["learn_lesson"]
flags = ",".join(flag for flag in lessons.HIDE_FLAGS if flag in hide)
st.query_params.update(lesson=str(number), lang=f.lang, **({"hide": flags} if flags else {}))

lesson = text.lessons[number]
st.title(f"{number}. {lesson.title}")
st.caption(text.ui["intro"])
ui.paragraphs(lesson.body)
preset = ui.LESSONS[number](lesson, text, hide)
ui.paragraphs(lesson.after)
if "designer_link" not in hide and st.button(
    text.ui["designer"], key=f"learn_designer_{number}", icon=":material/stacks:", help=text.ui["designer_help"]
):
    ui.open_designer(*preset)
ui.glossary_ui(f)
if "instructor" not in hide:
    ui.instructor_ui(number, f.lang, text)
