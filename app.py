"""Stacked LSTM Explorer: the entry point. Builds the page frame every page reads (pages/ui/frame.py: the
language, workspace, room, data and architecture), draws the shared sidebar, and runs the chosen page."""

from __future__ import annotations

import streamlit as st

from pages.ui import frame, sidebar
from slstm.i18n import t

LANG = frame.current_lang()
st.set_page_config(page_title=t("common.app_title", LANG), page_icon=":material/stacks:", layout="wide")

nav_pages = [
    st.Page("pages/data.py", title=t("common.page.data", LANG), icon=":material/table_chart:", default=True),
    st.Page("pages/architecture.py", title=t("common.page.architecture", LANG), icon=":material/stacks:"),
    st.Page("pages/train.py", title=t("common.page.train", LANG), icon=":material/model_training:"),
    st.Page("pages/inspect.py", title=t("common.page.inspect", LANG), icon=":material/search_insights:"),
    st.Page("pages/compare.py", title=t("common.page.compare", LANG), icon=":material/compare_arrows:"),
    st.Page("pages/learn.py", title=t("common.page.learn", LANG), icon=":material/school:", url_path="learn"),
    st.Page("pages/room.py", title=t("room.page.room", LANG), icon=":material/groups:", url_path="room"),
]
if frame.teacher():  # the Teacher page only for a session that holds a teacher key
    nav_pages.append(st.Page("pages/teacher.py", title=t("room.page.teacher", LANG), icon=":material/co_present:"))
nav = st.navigation(nav_pages)
sidebar.language_picker()
page = frame.build(LANG)  # before any page runs: pages read it through frame.page_frame()
sidebar.room_notice(page)
sidebar.status(page)
sidebar.workspace_panel(page)
nav.run()
