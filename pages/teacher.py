"""Teacher (only with the room's teacher key, kept in this browser's cookie): who is in the room and what they
train, live; the class's shared runs best first, with a CSV; pushes to every screen; the class experiment."""

import streamlit as st

from pages import serve_through_app
from pages.ui import teacher as ui
from pages.ui.frame import page_frame
from slstm.i18n import translator
from slstm.rooms import teacher_cookie_script

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
key = ss.get("teacher_key")
room = f.rooms.room_for_key(key)
if room is None:  # reached without the key (an edited address, a closed room): nothing of the room is shown
    st.error(_("room.teacher.denied"))
    st.page_link("pages/room.py", label=_("room.page.room"), icon=":material/groups:")
    st.stop()
code = room.code
st.html(teacher_cookie_script(key), unsafe_allow_javascript=True)
st.title(_("room.teacher.title", code=code))
c = st.columns([1, 3])
c[0].metric(_("room.teacher.code"), code)
base = (st.context.url or "").split("?")[0].rstrip("/").removesuffix("/teacher")
c[1].caption(_("room.teacher.link"))
c[1].code(f"{base}/room?room={code}", language=None)

st.fragment(ui.class_view, run_every=3)(f, code)
st.subheader(_("room.teacher.push"))
ui.push_form(f, code, key)
st.subheader(_("room.teacher.grid"))
ui.grid_form(f, code, key)
ss["teacher_show_grid"] = room.show_grid
st.toggle(_("room.teacher.show_grid"), key="teacher_show_grid", on_change=ui.show_grid, args=(f, code, key))
st.fragment(ui.grid_view, run_every=3)(f, code)
help_text = _("room.teacher.close_help")
st.button(_("room.teacher.close"), key="teacher_close", on_click=ui.close, args=(f, code, key), help=help_text)
