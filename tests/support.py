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


def click_until(page, target, expected, *, attempts: int = 3, timeout: float = 20_000) -> None:
    """Click `target` until `expected` (a locator) is visible, `attempts` times at most. A Streamlit click that
    lands while the session's first script runs (a fresh server's deep link reruns once through app.py) can be
    dropped by the browser's client; the click is for an idempotent action, so clicking again is what a user
    would do. Fails with the last attempt's error."""
    from playwright.sync_api import expect

    for attempt in range(attempts):
        wait_idle(page)
        target.click()
        try:
            expect(expected).to_be_visible(timeout=timeout)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def train_to_the_end(at, spec, *, epochs: int = 2, timeout: float = 120.0):
    """Train `spec` from the Train page by its widget keys (not its words, which follow the language) and wait
    until the run has finished; returns the AppTest, still on the Train page."""
    import time

    at.session_state["spec"] = spec
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(epochs).run()
    at.button(key="train").click().run()
    store = at.session_state["run_store"]
    deadline = time.time() + timeout
    while store.get(at.session_state["active_run"]).status != "finished":
        assert time.time() < deadline, "training did not finish"
        time.sleep(0.3)
    return at


def seed_runs(at, specs, *, epochs: int = 3, metrics: dict | None = None) -> list[str]:
    """Finished runs recorded straight in the app's store (no training): a loss curve of `epochs` epochs each,
    the i-th with learning rate 1e-3·(i+1), and `metrics` when given."""
    from slstm.data import DataConfig
    from slstm.results import config_dict
    from slstm.train import TrainConfig

    store = at.session_state["run_store"]
    ids = []
    for i, spec in enumerate(specs):
        run = store.create_run(
            workspace=at.session_state["ws"],
            spec=spec.to_dict(),
            data_config=config_dict(DataConfig(("v",), ("v",), lookback=24)),
            train_config=TrainConfig(learning_rate=1e-3 * (i + 1)).to_dict(),
        )
        for epoch in range(1, epochs + 1):
            store.add_epoch(run.id, epoch, {"loss": 1.0 / epoch / (i + 1), "val_loss": 1.2 / epoch}, 0.5)
        if metrics is not None:
            store.set_metrics(run.id, metrics)
        store.set_status(run.id, "finished", duration=1.5)
        ids.append(run.id)
    return ids
