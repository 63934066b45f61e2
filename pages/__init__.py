"""The app's pages, one file each, served through app.py's st.navigation. `serve_through_app()` is the one place
that touches Streamlit's private PagesManager (tests/pages/test_guard.py fails loudly if that changes)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def serve_through_app() -> None:
    """Streamlit serves a deep link to pages/x.py that arrives before app.py ever ran in its legacy pages/ mode,
    without app.py's frame: turn that mode off and rerun, so app.py's navigation serves the page."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
