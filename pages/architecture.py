"""Architecture: stack recurrent layers and see each layer's output shape (2D or 3D), its parameters, and
what is wrong with the stack, with one-click fixes. The spec in session state is the single source of truth:
every widget writes through to it in its on_change callback."""

import streamlit as st

from pages import serve_through_app
from pages.ui import architecture as ui
from pages.ui.frame import page_frame
from slstm import session
from slstm.i18n import translator
from slstm.presets import PRESETS
from slstm.problems import validate
from slstm.shapes import InputShape, infer_shapes
from slstm.text import escape_markdown

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
shape = f.windows.shape if f.windows else InputShape(timesteps=24, features=1)  # before any data: the tutorial's
version = session.spec_version(ss)  # bumped when the spec is replaced, so widgets start afresh

st.title(_("architecture.title"))
st.write(_("architecture.intro"))

c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
preset = c1.selectbox(
    _("architecture.preset"), list(PRESETS), format_func=lambda k: PRESETS[k].title(f.lang), key="preset"
)
c2.button(_("architecture.apply_preset"), key="apply_preset", on_click=ui.apply_preset)
st.caption(PRESETS[preset].story(f.lang))

spec = f.spec
ui.layer_editor(f, spec, version)
if ss.get("link_error"):
    st.error(escape_markdown(ss.pop("link_error")))

ui.problems_list(validate(spec, shape, lang=f.lang))
ui.shape_section(f, infer_shapes(spec, shape), shape)

st.subheader(_("architecture.take_away"))
token = spec.to_url()
st.query_params["arch"] = token  # the address bar always carries the current stack
code_tab, link_tab, json_tab = st.tabs(
    [_("architecture.tab_code"), _("architecture.tab_link"), _("architecture.tab_json")]
)
with code_tab:
    ui.code_tab(f, spec, shape)
with link_tab:
    ui.link_tab(f, token)
with json_tab:
    ui.json_tab(f, spec)
