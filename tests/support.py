"""Helpers shared by the test folders (a plain module: two conftest.py files cannot import each other)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def app_test(**kwargs):
    """AppTest of the whole app with a timeout long enough for TensorFlow's import."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=kwargs.pop("timeout", 120), **kwargs)


def browser_cookies(monkeypatch, cookies: dict[str, str]) -> None:
    """Every later AppTest run sees these cookies, as a browser sends them with a session's first request
    (AppTest itself cannot seed st.context.cookies)."""
    from types import SimpleNamespace

    from streamlit.runtime import context

    client = SimpleNamespace(cookies=dict(cookies), headers=[], remote_ip=None)
    monkeypatch.setattr(context, "_get_client_context", lambda: client)


def figures(at) -> list[dict]:
    """Every Plotly chart on the page as its figure JSON."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def plain(markdown: str) -> str:
    """A message as the user reads it: undo escape_markdown's backslashes and word joiners."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n").replace("\u2060", "")


def wait_idle(page) -> None:
    """Wait until the browser's Streamlit script run is over (later elements may still show the last run)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
