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


def figures(at) -> list[dict]:
    """Every Plotly chart on the page as its figure JSON."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
