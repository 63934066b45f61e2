"""Inspect's first look at a trained run, before and after TensorFlow left the server, side by side in one run.

Before: the server imported Keras in the background when a run's results were shown (preload_keras), then the
Inspect page loaded model.keras and computed every layer's output, the cells' internals and the prediction as it
forms, in the server process. After: the Train page starts the inspector process when results are shown; Inspect
asks it (slstm.inspector). Both are timed from "Keras/the inspector is ready" to "every array Inspect
draws is in the server", on the reference model (LSTM 64 -> LSTM 64 -> Dense, 48 timesteps x 8 features), each
repeat in fresh processes. The page's drawing is the same in both and not counted.
Run: python -m bench.inspect_first_view [repeats]"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]

SAVE = """
import sys, numpy as np, keras
from slstm.model import build_model
from slstm.shapes import InputShape
from slstm.spec import lstm_stack
model = build_model(lstm_stack(64, 64), InputShape(timesteps=48, features=8))
model.save(sys.argv[1])
"""
BEFORE = """
import json, sys, time, numpy as np
import keras  # preload_keras's import, done while the user read the results
from slstm.inspect import load_model, look_inside
x = np.random.default_rng(0).normal(size=(1, 48, 8)).astype("float32")
start = time.perf_counter()
look_inside(load_model(sys.argv[1]), x)
first = time.perf_counter() - start
print(json.dumps({"first": first}))
"""


def before(model: Path) -> float:
    out = subprocess.run([sys.executable, "-c", BEFORE, str(model)], cwd=ROOT, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["first"]


def after(model: Path) -> tuple[float, float]:
    import numpy as np

    from slstm.inspector import Inspector

    inspector = Inspector()
    try:
        inspector.wait_ready()  # started when the results were shown; ready by the time Inspect is opened
        x = np.random.default_rng(0).normal(size=(1, 48, 8)).astype("float32")
        start = time.perf_counter()
        inspector.look(model, x)
        first = time.perf_counter() - start
        start = time.perf_counter()
        inspector.look(model, x[:, ::-1].copy())  # another sample of the same run
        return first, time.perf_counter() - start
    finally:
        inspector.close()


def main(repeats: int = 5) -> None:
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.keras"
        subprocess.run([sys.executable, "-c", SAVE, str(model)], cwd=ROOT, check=True, capture_output=True)
        olds, news, others = [], [], []
        for _ in range(repeats):  # alternated, so both see the same machine
            olds.append(before(model))
            first, other = after(model)
            news.append(first)
            others.append(other)
    old, new = statistics.median(olds), statistics.median(news)
    print(f"Inspect's first look at a trained run, median of {repeats}, {os.cpu_count()} cores")
    print(f"{'before: in the server, Keras preloaded':<48}{old:>8.3f} s")
    print(f"{'after: in the warm inspector process':<48}{new:>8.3f} s   after/before {new / old:.2f}")
    print(f"{'after: another sample of the same run':<48}{statistics.median(others):>8.3f} s")
    print("(a second look at the same run and sample is served from the page's cache: no work)")
    assert "tensorflow" not in sys.modules, "the bench's own process stands for the server: no TensorFlow here"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
