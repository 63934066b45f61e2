"""The app with SLSTM_EXECUTOR=ray: its server starts a local Ray (from the pool's own thread, while the script run
that created the pool has long ended), and a run trained from the Train page runs in a Ray actor."""

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, free_port
from playwright.sync_api import expect
from support import wait_idle

pytestmark = pytest.mark.ray
try:
    import ray  # noqa: F401
except ImportError:
    if not os.environ.get("CI"):
        pytest.skip("Ray is not installed: pip install -r requirements-ray.txt", allow_module_level=True)


@pytest.fixture(scope="module")
def ray_app(tmp_path_factory):
    """A server of its own with SLSTM_EXECUTOR=ray and no RAY_ADDRESS: it starts a local Ray."""
    home = tmp_path_factory.mktemp("ray_home")
    ray_tmp = Path(tempfile.mkdtemp(prefix="slstm-ray-"))  # short: Ray's socket paths must stay under 108 bytes
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_ENABLE_ONEDNN_OPTS="0",
        SLSTM_HOME=str(home),
        SLSTM_EXECUTOR="ray",
        RAY_TMPDIR=str(ray_tmp),
    )
    port = free_port()
    log = (tmp_path_factory.mktemp("ray_server") / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}"]
        + ["--server.address=127.0.0.1", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("the Streamlit server did not become healthy within 60 s")
    yield url, home, ray_tmp
    proc.terminate()
    proc.wait(timeout=30)


def test_a_run_trained_from_the_train_page_runs_in_a_ray_actor(page, ray_app):
    url, home, ray_tmp = ray_app
    page.set_default_timeout(120_000)  # the first page starts the local Ray (about 10 s)
    page.goto(f"{url}/train")
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill("2")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(re.compile(r"run 1 · finished · 2 epochs"))).to_be_visible(timeout=180_000)
    with closing(sqlite3.connect(home / "runs.sqlite3")) as db:
        [(status, worker)] = db.execute("SELECT status, worker FROM runs").fetchall()
    assert status == "finished"
    pid = worker.split(":")[1]
    logs = list(ray_tmp.glob(f"ray/session_*/logs/python-core-worker-*_{pid}.log"))
    assert logs, f"no Ray worker with pid {pid} (the run's worker {worker!r}) in {ray_tmp}"
