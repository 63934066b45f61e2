"""The deep-link guard: one module touches Streamlit's private PagesManager, and fails loudly if it changes."""

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from support import ROOT


def test_streamlit_still_has_the_private_flag_the_guard_flips():
    # pages.serve_through_app() depends on this class attribute (Streamlit 1.67's legacy pages/ switch).
    assert "uses_pages_directory" in vars(PagesManager), "Streamlit changed PagesManager: revisit pages/__init__.py"


def test_only_the_guard_module_touches_it_and_every_page_calls_it():
    pages = sorted(p for p in Path(ROOT, "pages").glob("*.py") if p.name != "__init__.py")
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text()
        assert "PagesManager" not in text, page.name
        assert "\nserve_through_app()\n" in text, page.name
        assert "noqa: E402" not in text, page.name


def test_a_page_run_without_the_apps_frame_turns_legacy_mode_off_and_reruns(monkeypatch):
    """What a fresh server does with a deep link as its first request: Streamlit's legacy mode runs the page
    alone, having already cleared its flag; the page must notice the missing frame, not the flag."""
    import streamlit as st

    from pages import FRAME_KEY, serve_through_app

    reruns = []
    monkeypatch.setattr(st, "rerun", lambda: reruns.append(1))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    monkeypatch.setattr(st, "session_state", {})
    serve_through_app()  # no frame in the session: rerun through app.py
    assert PagesManager.uses_pages_directory is False and reruns == [1]
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    st.session_state[FRAME_KEY] = object()
    serve_through_app()  # the flag itself still counts
    assert PagesManager.uses_pages_directory is False and reruns == [1, 1]
    serve_through_app()  # served through app.py: nothing to do
    assert reruns == [1, 1]


def test_app_py_builds_the_frame_before_any_page_runs():
    from pages import FRAME_KEY
    from pages.ui import frame

    text = Path(ROOT, "app.py").read_text()
    assert frame.KEY == FRAME_KEY and "st.session_state[KEY] = frame" in Path(frame.__file__).read_text()
    assert text.index("frame.build(") < text.index("nav.run()")
