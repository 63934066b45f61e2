"""The test command itself: on a machine without Chromium only the browser tests skip, and say why."""

import os
import re
import subprocess
import sys

from support import ROOT


def test_without_chromium_only_browser_tests_skip(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["SLSTM_CHROMIUM"] = str(tmp_path / "no-chromium")  # as if Debian's chromium were not installed
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-n", "0", "-p", "no:cacheprovider", "tests/test_spec.py"]
    cmd += ["tests/e2e/test_e2e_learn.py", "tests/e2e/test_e2e_data.py"]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    summary = out.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    skipped = int(re.search(r"(\d+) skipped", summary).group(1))
    assert out.returncode == 0 and passed >= 3 and skipped >= 2, out.stdout[-3000:]
    reasons = [line for line in out.stdout.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all("tests/e2e/" in line and "chromium is not installed" in line for line in reasons)
