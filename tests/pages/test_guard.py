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


def test_the_guard_turns_legacy_mode_off(monkeypatch):
    import streamlit as st

    from pages import serve_through_app

    reruns = []
    monkeypatch.setattr(st, "rerun", lambda: reruns.append(1))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    serve_through_app()
    assert PagesManager.uses_pages_directory is False and reruns == [1]
    serve_through_app()
    assert reruns == [1]
