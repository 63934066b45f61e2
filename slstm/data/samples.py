"""Built-in datasets, generated in code from a fixed seed (no downloads), each with a one-line story."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Sample:
    key: str
    title: str
    story: str
    make: Callable[[], pd.DataFrame]
    target: str
    features: tuple[str, ...]
    time_column: str | None = "time"
    sequence_id: str | None = None


def _clock(n: int, freq: str = "h") -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=n, freq=freq)


def sine_trend(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """A daily cycle on a slow upward trend, with noise: the classic first forecasting task."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    value = 0.01 * t + 2.0 * np.sin(2 * np.pi * t / 24) + 0.3 * rng.standard_normal(n)
    return pd.DataFrame({"time": _clock(n), "value": value.astype("float64")})


def multivariate(n: int = 1500, seed: int = 1) -> pd.DataFrame:
    """Six sensor-like features; the target follows two of them with lags of 3 and 7 steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    temp = 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, n)
    humidity = 60 - 0.8 * (temp - 20) + rng.normal(0, 1.0, n)
    wind = np.abs(3 + np.cumsum(rng.normal(0, 0.2, n)) * 0.1 + rng.normal(0, 0.5, n))
    pressure = 1013 + np.cumsum(rng.normal(0, 0.3, n)) * 0.2
    solar = np.clip(np.sin(2 * np.pi * (t % 24 - 6) / 24), 0, None) * 800 + rng.normal(0, 20, n)
    occupancy = ((t % 168) < 120).astype(float) * ((t % 24 >= 8) & (t % 24 < 18)) + rng.normal(0, 0.05, n)
    load = 50 + 1.5 * np.roll(temp, 3) + 20 * np.roll(occupancy, 7) - 0.01 * np.roll(solar, 3) + rng.normal(0, 1.0, n)
    load[:7] = load[7]  # np.roll wraps around; the first rows have no real lag
    return pd.DataFrame(
        {
            "time": _clock(n),
            "temperature": temp,
            "humidity": humidity,
            "wind": wind,
            "pressure": pressure,
            "solar": solar,
            "occupancy": occupancy,
            "load": load,
        }
    )


def multi_scale(n: int = 2000, seed: int = 2) -> pd.DataFrame:
    """A slow cycle (period 200) carrying a fast one (period 12): layers can work at different time scales."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    slow = 3 * np.sin(2 * np.pi * t / 200)
    fast = (1 + 0.5 * np.sin(2 * np.pi * t / 200)) * np.sin(2 * np.pi * t / 12)
    return pd.DataFrame({"time": _clock(n), "value": slow + fast + 0.2 * rng.standard_normal(n)})


def gestures(num_sequences: int = 240, seed: int = 3) -> pd.DataFrame:
    """Long format: 3-axis motion traces of varying length, each labelled circle, shake or swipe."""
    rng = np.random.default_rng(seed)
    rows = []
    labels = ("circle", "shake", "swipe")
    for seq in range(num_sequences):
        label = labels[seq % 3]
        length = int(rng.integers(20, 41))
        s = np.linspace(0, 1, length)
        if label == "circle":
            x, y, z = np.cos(2 * np.pi * s), np.sin(2 * np.pi * s), 0 * s
        elif label == "shake":
            x, y, z = np.sin(2 * np.pi * 6 * s), 0.2 * s, 0.3 * np.cos(2 * np.pi * 6 * s)
        else:
            x, y, z = 2 * s - 1, 0.1 * np.sin(np.pi * s), 0.5 * s
        noise = rng.normal(0, 0.15, (3, length))
        for step in range(length):
            rows.append(
                (seq, step, x[step] + noise[0, step], y[step] + noise[1, step], z[step] + noise[2, step], label)
            )
    return pd.DataFrame(rows, columns=["sequence", "step", "ax", "ay", "az", "gesture"])


SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            "sine_trend",
            "Noisy sine with trend",
            "Hourly readings: a daily cycle on a slow rise, with noise.",
            sine_trend,
            "value",
            ("value",),
        ),
        Sample(
            "multivariate",
            "Building energy (6 features)",
            "Hourly building load driven by temperature 3 hours earlier and occupancy 7 hours earlier.",
            multivariate,
            "load",
            ("temperature", "humidity", "wind", "pressure", "solar", "occupancy", "load"),
        ),
        Sample(
            "multi_scale",
            "Two time scales",
            "A slow 200-step cycle carrying a fast 12-step one.",
            multi_scale,
            "value",
            ("value",),
        ),
        Sample(
            "gestures",
            "Gestures (classification, long format)",
            "Motion traces of 20-40 steps, each labelled circle, shake or swipe.",
            gestures,
            "gesture",
            ("ax", "ay", "az"),
            time_column=None,
            sequence_id="sequence",
        ),
    )
}
DEFAULT_SAMPLE = "sine_trend"
