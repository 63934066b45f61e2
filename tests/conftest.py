"""Suite-wide: tests that train in worker processes or drive a browser are `slow`, so
`python -m pytest -m "not slow"` is a quick subset (units, doctests and AppTest pages)."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent
SLOW_FILES = {"test_jobs.py", "test_cli.py", "test_ray.py", "test_suite.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:  # every item of the run, not only this folder's: decide by path
        path = Path(item.path)
        if (HERE / "e2e") in path.parents or (path.parent == HERE and path.name in SLOW_FILES):
            item.add_marker(pytest.mark.slow)
