"""The worker's body in this process (no executor): its events, and what the user reads when it fails."""

import numpy as np
import pandas as pd

from slstm import worker
from slstm.data import DataConfig
from slstm.executors import JobInputs
from slstm.spec import lstm_stack
from slstm.train import TrainConfig


def job(frame=None, epochs=1):
    t = np.arange(120)
    frame = pd.DataFrame({"v": np.sin(t / 4)}) if frame is None else frame
    config = DataConfig(("v",), ("v",), lookback=6)
    return JobInputs("testrun01", "testws01", frame, config, lstm_stack(3), TrainConfig(epochs=epochs, patience=None))


def run(inputs, stop=lambda: False):
    events = []
    worker.run_job(inputs, events.append, stop)
    return events


def test_a_job_reports_everything_as_events_and_ends_once():
    events = run(job(epochs=2))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "finished" and kinds.count("finished") == 1
    assert [e["epoch"] for e in events if e["type"] == "epoch"] == [1, 2]
    names = {e["name"] for e in events if e["type"] == "artifact"}
    assert {"initial.weights.h5", "last.weights.h5", "model.keras", "predictions.npz"} <= names
    shape = events[-1]["metrics"]["shape"]
    assert shape == {"timesteps": 6, "features": 1, "outputs": 1, "task": "regression"}


def test_an_unexpected_error_reads_short_with_no_internals(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("/srv/secret/path.py line 42: tensor internals a user should never read")

    monkeypatch.setattr("slstm.data.prepare", broken)
    [*_, end] = run(job())
    assert end["type"] == "failed" and "ValueError" in end["message"] and "server log" in end["message"]
    assert "/srv/secret" not in end["message"] and "internals" not in end["message"] and len(end["message"]) < 160


def test_a_data_error_is_told_as_it_is():
    frame = pd.DataFrame({"v": [np.nan] * 3 + list(np.sin(np.arange(117) / 4))})
    [*_, end] = run(job(frame))
    assert end["type"] == "failed" and "missing or infinite values" in end["message"]


def test_stop_ends_after_the_current_batch_as_stopped():
    events = run(job(epochs=50), stop=lambda: True)
    assert events[-1]["type"] == "stopped" and sum(e["type"] == "epoch" for e in events) <= 1
