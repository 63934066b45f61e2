"""The app's pages, one file each, served through app.py's st.navigation. `serve_through_app()` is the one place
that touches Streamlit's private PagesManager (tests/pages/test_guard.py fails loudly if that changes)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

FRAME_KEY = "app_frame"  # app.py builds the page frame (pages/ui/frame.py) under it before any page runs


def serve_through_app() -> None:
    """A deep link to pages/x.py that is a fresh server's first request runs in Streamlit's legacy pages/ mode:
    the page alone, without app.py's frame (Streamlit has already cleared the legacy flag by then, so the flag
    cannot tell). A page that finds no frame turns that mode off for good and reruns, so app.py's navigation
    serves it."""
    if PagesManager.uses_pages_directory or FRAME_KEY not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
