import os

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
    monkeypatch.setenv("SLSTM_WARM", "0")  # most page tests never train: no TensorFlow process kept ready for them
    st.cache_data.clear()
    st.cache_resource.clear()  # shuts the last test's job pool down (app.job_pool's on_release)
    with patch_config_options({"client.showErrorDetails": "full"}):  # tracebacks in failing tests
        yield
    st.cache_resource.clear()
    PagesManager.uses_pages_directory = None
    assert not worker_children(), "a page test left worker processes behind (was its job pool shut down?)"


def worker_children() -> list[int]:
    """Live worker processes started by this test process."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read()
        except (OSError, IndexError):
            continue
        ours = b"slstm.executors." in command or b"slstm.inspector" in command  # trainers and the inspector
        if fields[1] == str(os.getpid()) and fields[0] != "Z" and ours:
            found.append(int(entry))
    return found
