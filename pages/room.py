"""Room (attendee): join a workshop room with its code and a display name; see the teacher's pushes; train the
cell of the class experiment dealt to you; choose which of your runs the room sees. A teacher opens a room here."""

import streamlit as st

from pages import serve_through_app
from pages.ui import room as ui
from pages.ui.frame import page_frame
from slstm.i18n import translator

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
if ss.pop("goto_teacher", False) and ss.get("teacher_key"):
    st.switch_page("pages/teacher.py")
st.title(_("room.title"))

member = f.member
if member is None:
    ui.join_form(f)
    st.stop()

st.subheader(_("room.member.header", code=member.code))
st.text(_("room.member.you", name=member.name, code=member.code))
ui.message()
st.fragment(ui.experiment, run_every=2 if ss.get("room_live") else None)(f, member.code)
st.subheader(_("room.runs.title"))
ui.shared_runs(f, member.code)
st.button(_("room.member.leave"), key="room_leave", on_click=ui.leave, args=(f, member.code))
