"""Suite-wide: tests that drive a browser, run a page in AppTest, train in worker processes or
start a Python process per case are `slow`, so `python -m pytest -m "not slow"` is a quick
subset (units and doctests of `slstm`); single slow unit tests carry `@pytest.mark.slow`."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent
SLOW_DIRS = (HERE / "e2e", HERE / "pages")
SLOW_FILES = {"test_jobs.py", "test_cli.py", "test_cli_verdict.py", "test_ray.py", "test_suite.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:  # every item of the run, not only this folder's: decide by path
        path = Path(item.path)
        if any(d in path.parents for d in SLOW_DIRS) or (path.parent == HERE and path.name in SLOW_FILES):
            item.add_marker(pytest.mark.slow)
        # with pytest-xdist (-n, --dist loadgroup): one worker holds a local Ray at a time, and the browser rooms
        # (up to 13 Chromium contexts each) run one after another rather than beside each other
        if item.get_closest_marker("ray"):
            item.add_marker(pytest.mark.xdist_group("ray"))
        elif path.name.startswith("test_e2e_room"):
            item.add_marker(pytest.mark.xdist_group("rooms"))


@pytest.fixture(autouse=True)
def _runs_outside_the_checkout(tmp_path, monkeypatch):
    """Runs a test (or a CLI it starts) stores go to the test's own folder, never to ./.slstm of the checkout."""
    monkeypatch.setenv("SLSTM_HOME", str(tmp_path / "slstm_home"))
