"""Real-browser tests: a Streamlit server per session, driven by Playwright in Debian's Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SLSTM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"  # override: tests
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("SLSTM_SHOTS", ROOT / "tests" / "e2e" / "screenshots"))
expect.set_options(timeout=30_000)


MISSING = f"Debian's chromium is not installed ({CHROMIUM} missing): apt-get install -y chromium"


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests where chromium is missing, except in CI, where they must run."""
    if Path(CHROMIUM).exists() or os.environ.get("CI"):
        return
    here = Path(__file__).parent
    for item in items:  # the hook sees every item of the run, not only this folder's
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"CI is set and {MISSING}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1500}, "accept_downloads": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, log: Path) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:`port` with its data under `home`, healthy when this returns."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "SLSTM_HOME": str(home)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    command += [f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none"]
    command += ["--browser.gatherUsageStats=false"]
    with log.open("a") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    pytest.fail(f"the Streamlit server did not become healthy within 60 s (log: {log})")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    proc = start_server(tmp_path_factory.mktemp("slstm_home"), port, log)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture
def own_server(tmp_path):
    """Starts servers of the test's own: start(home, port) -> process, `start.port` a free port; every one still
    alive is stopped after the test."""
    procs = []

    def start(home: Path, port: int) -> subprocess.Popen:
        procs.append(start_server(home, port, tmp_path / "streamlit.log"))
        return procs[-1]

    start.port = free_port()  # one port for the test's servers: a page reconnects after a restart
    yield start
    for proc in procs:
        if proc.poll() is None:
            stop_server(proc)


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(SHOTS / f"{name}.png"))
