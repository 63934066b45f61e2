"""Jobs in real spawned worker processes, on tiny data: events, stop, kill, concurrency, NaN."""

import os
import signal
import time

import numpy as np
import pandas as pd
import pytest

from slstm.data import DataConfig
from slstm.jobs import JobInputs, JobPool
from slstm.runs import RunStore
from slstm.spec import lstm_stack
from slstm.train import TrainConfig

WORKSPACE = "testws01"


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path) as s:
        yield s


@pytest.fixture
def pool(store):
    p = JobPool(store, max_workers=2)
    yield p
    p.shutdown()


def series(n=240):
    t = np.arange(n)
    return pd.DataFrame({"v": np.sin(2 * np.pi * t / 12) + 0.01 * t})


def inputs(store, *, epochs=2, frame=None, lr=1e-2, seed=0, units=(4,), batch_size=16, optimizer="adam"):
    spec = lstm_stack(*units)
    config = DataConfig(("v",), ("v",), lookback=6)
    train = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=lr, seed=seed, optimizer=optimizer)
    run = store.create_run(workspace=WORKSPACE, spec=spec.to_dict(), data_config={}, train_config=train.to_dict())
    return JobInputs(run.id, str(store.home), frame if frame is not None else series(), config, spec, train)


def wait(pool, run_id, *, until=lambda job: job.done, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        pool.pump()
        job = pool.get(run_id)
        if until(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {run_id} still {pool.get(run_id).status} after {timeout} s")


def test_events_arrive_in_order_and_epochs_are_stored(store, pool):
    job_inputs = inputs(store, epochs=3)
    seen = []
    job = pool.submit(job_inputs)
    original = job.apply
    job.apply = lambda event: (seen.append(event["type"]), original(event))
    job = wait(pool, job_inputs.run_id)
    assert job.status == "finished", job.message
    kinds = [k for k in seen if k != "batch"]
    assert kinds == ["started", "epoch", "epoch", "epoch", "finished"]
    assert seen.index("batch") < seen.index("epoch")
    history = store.history(job_inputs.run_id)
    assert history["epoch"] == [1, 2, 3] and len(history["val_loss"]) == 3
    run = store.get(job_inputs.run_id)
    assert run.status == "finished" and run.epochs_done == 3
    assert {"val", "test", "task"} <= set(run.metrics) and "persistence (last value)" in run.metrics["test"]
    folder = store.run_dir(job_inputs.run_id)
    assert {"model.keras", "last.weights.h5", "best.weights.h5", "initial.weights.h5", "predictions.npz"} <= {
        p.name for p in folder.iterdir()
    }


def test_stop_during_epoch_3_keeps_the_finished_epochs(store, pool):
    job_inputs = inputs(store, epochs=50, frame=series(3000), batch_size=8)
    pool.submit(job_inputs)
    wait(pool, job_inputs.run_id, until=lambda job: job.epoch >= 3 and job.batch < job.steps, timeout=120)
    asked = time.time()
    pool.stop(job_inputs.run_id)
    job = wait(pool, job_inputs.run_id, timeout=30)
    assert time.time() - asked < 15
    assert job.status == "stopped"
    run = store.get(job_inputs.run_id)
    assert run.status == "stopped" and run.epochs_done in (2, 3)
    assert store.history(job_inputs.run_id)["epoch"] == list(range(1, run.epochs_done + 1))


def test_a_killed_worker_is_reported_failed_with_its_epochs_kept(store, pool):
    job_inputs = inputs(store, epochs=50, frame=series(3000), batch_size=8)
    pool.submit(job_inputs)
    job = wait(pool, job_inputs.run_id, until=lambda job: store.get(job_inputs.run_id).epochs_done >= 1)
    os.kill(job.process.pid, signal.SIGKILL)
    job = wait(pool, job_inputs.run_id, timeout=30)
    run = store.get(job_inputs.run_id)
    assert job.status == "failed" and run.status == "failed"
    assert "ended unexpectedly" in run.message and f"{run.epochs_done} finished epoch" in run.message
    assert run.epochs_done >= 1


def test_concurrent_jobs_with_fixed_seeds_match_each_run_alone(store, pool):
    import keras

    alone = inputs(store, seed=7, units=(3,))
    wait(pool, pool.submit(alone).run_id)
    a, b = inputs(store, seed=7, units=(3,)), inputs(store, seed=7, units=(3,))
    pool.submit(a), pool.submit(b)
    assert wait(pool, a.run_id).status == "finished" and wait(pool, b.run_id).status == "finished"

    def weights(run_id):
        model = keras.saving.load_model(store.run_dir(run_id) / "model.keras", safe_mode=True)
        return model.get_weights()

    for w_alone, w_a, w_b in zip(weights(alone.run_id), weights(a.run_id), weights(b.run_id), strict=True):
        np.testing.assert_allclose(w_a, w_alone, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(w_b, w_alone, rtol=1e-5, atol=1e-6)


def test_a_huge_learning_rate_ends_with_the_nan_message(store, pool):
    job_inputs = inputs(store, epochs=5, lr=1e8, units=(8, 8), optimizer="sgd")
    job = wait(pool, pool.submit(job_inputs).run_id)
    run = store.get(job_inputs.run_id)
    assert job.status == "failed" and "NaN" in run.message and "learning rate" in run.message


def test_bad_data_fails_with_the_data_message(store, pool):
    frame = series()
    frame.loc[5, "v"] = np.nan
    job_inputs = inputs(store, frame=frame)
    job = wait(pool, pool.submit(job_inputs).run_id)
    assert job.status == "failed" and "missing or infinite values" in store.get(job_inputs.run_id).message


def test_the_pool_queues_beyond_its_size(store):
    pool = JobPool(store, max_workers=1)
    try:
        first, second = inputs(store, epochs=1), inputs(store, epochs=1)
        pool.submit(first), pool.submit(second)
        assert pool.position(second.run_id) == 1 and pool.position(first.run_id) == 0
        pool.stop(second.run_id)
        assert store.get(second.run_id).status == "stopped"
        assert wait(pool, first.run_id).status == "finished"
    finally:
        pool.shutdown()


def test_a_job_nobody_watches_is_stopped(store):
    pool = JobPool(store, max_workers=1, orphan_seconds=0.5)
    try:
        job_inputs = inputs(store, epochs=200, frame=series(2000), batch_size=8)
        job = wait(pool, pool.submit(job_inputs).run_id, timeout=120)
        assert job.status == "stopped" and "nobody was watching" in job.message
    finally:
        pool.shutdown()
