import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test as app_test_module
from streamlit.testing.v1.util import patch_config_options


class NavigationOnly(PagesManager):
    """The real server stops treating pages/ as legacy auto-discovered pages once st.navigation has run;
    AppTest forgets that before every run and would then execute a page file without app.py. Keep the
    server's behaviour so every AppTest run goes through app.py, as a browser's does."""

    def __init__(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch, tmp_path):
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationOnly)
    monkeypatch.setenv("SLSTM_HOME", str(tmp_path / "slstm_home"))  # a fresh run store per test
    st.cache_data.clear()
    st.cache_resource.clear()
    with patch_config_options({"client.showErrorDetails": "full"}):  # tracebacks in failing tests
        yield
    PagesManager.uses_pages_directory = None
