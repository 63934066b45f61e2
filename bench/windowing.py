"""Windows as views against a naive copy: 1 000 000 rows x 10 float32 columns, lookback 50.

Prints time and peak traced memory for: cutting the windows (slstm.data's sliding-window view), walking
them one batch of 256 at a time with a contiguous copy per batch (what a batch feeder does), and the naive
full (samples, timesteps, features) copy. Run: python -m bench.windowing [rows]
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from slstm.data import DataConfig, prepare


def measure(label: str, fn, raw_bytes: int) -> object:
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44}{seconds:>9.3f} s{peak / 2**20:>11.1f} MiB{peak / raw_bytes:>9.2f} x raw")
    return out


def main(rows: int = 1_000_000, columns: int = 10, lookback: int = 50, batch: int = 256) -> None:
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((rows, columns), dtype=np.float32)
    frame = pd.DataFrame(raw, columns=[f"c{i}" for i in range(columns)])
    config = DataConfig(
        tuple(frame.columns), ("c0",), lookback=lookback, val_fraction=0.0, test_fraction=0.0, scaling="none"
    )
    print(f"{rows:,} rows x {columns} float32 columns = {raw.nbytes / 2**20:.1f} MiB raw; lookback {lookback}")
    print(f"{'step':<44}{'time':>11}{'peak':>15}{'ratio':>11}")
    windows = measure("prepare(): split, scale, windows as views", lambda: prepare(frame, config), raw.nbytes)
    x = windows.train.x

    def walk() -> float:
        total = 0.0
        for i in range(0, len(x), batch):
            total += float(np.ascontiguousarray(x[i : i + batch])[0, 0, 0])  # (batch, timesteps, features)
        return total

    measure(f"walk all windows, one batch of {batch} copied", walk, raw.nbytes)
    naive = measure("naive: copy every window (np.array(x))", lambda: np.array(x), raw.nbytes)
    print(f"naive array: {naive.nbytes / 2**20:,.0f} MiB = {naive.nbytes / raw.nbytes:.0f} x the raw data")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
