"""The Ray executor on a local Ray cluster (2 CPUs, started once for this module): the same events and the same
weights as the local pool, stop, a killed actor, the table sent once, capacity from the cluster, and the CLI's
sweep through Ray, resumed. Skipped where Ray is not installed, except in CI (which installs it)."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from support import ROOT

from slstm.data import DataConfig
from slstm.errors import SlstmError
from slstm.executors import make_executor
from slstm.jobs import JobInputs, JobPool
from slstm.runs import RunStore
from slstm.spec import lstm_stack
from slstm.train import TrainConfig

try:
    import ray
except ImportError:
    ray = None

MISSING = "Ray is not installed: pip install -r requirements-ray.txt"
pytestmark = pytest.mark.ray
WORKSPACE = "raytestws"


@pytest.fixture(scope="module")
def cluster():
    """A local Ray of 2 CPUs for the whole module (started in the main thread, which outlives it)."""
    if ray is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {MISSING}")
        pytest.skip(MISSING)
    from slstm.executors.ray import init_ray

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RAY_ADDRESS", raising=False)
        init_ray(num_cpus=2)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with RunStore(tmp_path_factory.mktemp("home")) as s:
        yield s


def ray_job_pool(store) -> JobPool:
    from slstm.executors.ray import RayExecutor

    return JobPool(store, executor=RayExecutor())


@pytest.fixture
def ray_pool(cluster, store):
    """A pool on the cluster, for one test: its warm actors hold the cluster's CPUs while it lives."""
    pool = ray_job_pool(store)
    yield pool
    pool.shutdown()


def series(n=240):
    t = np.arange(n)
    return pd.DataFrame({"v": np.sin(2 * np.pi * t / 12) + 0.01 * t})


def inputs(store, *, epochs=2, frame=None, seed=0, batch_size=16):
    spec = lstm_stack(3)
    train = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=1e-2, seed=seed)
    run = store.create_run(workspace=WORKSPACE, spec=spec.to_dict(), data_config={}, train_config=train.to_dict())
    frame = frame if frame is not None else series()
    return JobInputs(run.id, WORKSPACE, frame, DataConfig(("v",), ("v",), lookback=6), spec, train)


def wait(pool, run_id, *, until=lambda job: job.done, timeout=180):
    """Pump until `until(job)`, telling the pool someone watches, as a page showing the job does."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        pool.touch(run_id)
        pool.pump()
        job = pool.get(run_id)
        if until(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {run_id} still {pool.get(run_id).status} after {timeout} s")


def recorded(pool, job_inputs) -> list[str]:
    """Train `job_inputs` on `pool`; every event but batch progress, artifacts by name, in arrival order."""
    seen = []
    job = pool.submit(job_inputs)
    original = job.apply
    job.apply = lambda e: (seen.append(e["name"] if e["type"] == "artifact" else e["type"]), original(e))
    job = wait(pool, job_inputs.run_id)
    assert job.status == "finished", job.message
    return [kind for kind in seen if kind != "batch"]


def weights_hash(store, run_id, name="model.keras") -> tuple[str, int]:
    """SHA-256 of every weight array in one of the run's files (a .keras archive's own bytes carry timestamps),
    and how many arrays there were."""
    import h5py

    data = (store.run_dir(run_id) / name).read_bytes()
    if name.endswith(".keras"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = archive.read("model.weights.h5")
    arrays = []
    with h5py.File(io.BytesIO(data), "r") as f:
        f.visititems(lambda path, item: arrays.append((path, np.asarray(item))) if hasattr(item, "shape") else None)
    digest = hashlib.sha256()
    for path, array in sorted(arrays, key=lambda pair: pair[0]):
        digest.update(path.encode() + array.tobytes())
    return digest.hexdigest(), len(arrays)


@pytest.fixture(scope="module")
def same_job(cluster, store):
    """One seeded job trained on each executor (1 thread each, as a Ray job asks for 1 CPU)."""
    from slstm.executors.local import LocalExecutor

    local = JobPool(store, max_workers=1, executor=LocalExecutor(max_workers=os.cpu_count() or 1, warm=False))
    try:
        local_inputs = inputs(store, epochs=3, seed=5)
        local_events = recorded(local, local_inputs)
    finally:
        local.shutdown()
    ray_pool = ray_job_pool(store)
    try:
        ray_inputs = inputs(store, epochs=3, seed=5)
        ray_events = recorded(ray_pool, ray_inputs)
    finally:
        ray_pool.shutdown()
    return {"local": (local_events, local_inputs.run_id), "ray": (ray_events, ray_inputs.run_id)}


def test_events_arrive_in_the_same_order_as_with_the_local_pool(same_job, store):
    local_events, ray_events = same_job["local"][0], same_job["ray"][0]
    assert ray_events == local_events
    assert ray_events[:2] == ["started", "initial.weights.h5"] and ray_events[-1] == "finished"
    assert ray_events.count("epoch") == 3 and ray_events[-3:-1] == ["predictions.npz", "model.keras"]
    run = store.get(same_job["ray"][1])
    assert run.status == "finished" and run.epochs_done == 3 and {"val", "test"} <= set(run.metrics)
    assert store.history(run.id)["epoch"] == [1, 2, 3]


def test_a_seeded_job_gives_the_same_final_weights_on_both_executors(same_job, store):
    local_hash, count = weights_hash(store, same_job["local"][1])
    assert count >= 3  # the LSTM's kernel, recurrent kernel and bias at least
    assert weights_hash(store, same_job["ray"][1]) == (local_hash, count)
    assert weights_hash(store, same_job["ray"][1], "initial.weights.h5")[0] != local_hash  # training changed them


def test_stop_keeps_the_finished_epochs(store, ray_pool):
    job_inputs = inputs(store, epochs=50, frame=series(3000), batch_size=8)
    ray_pool.submit(job_inputs)
    wait(ray_pool, job_inputs.run_id, until=lambda job: job.epoch >= 3 and job.batch < job.steps)
    asked = time.time()
    ray_pool.stop(job_inputs.run_id)
    job = wait(ray_pool, job_inputs.run_id, timeout=30)
    assert time.time() - asked < 15
    run = store.get(job_inputs.run_id)
    assert job.status == run.status == "stopped" and run.epochs_done in (2, 3)
    assert store.history(run.id)["epoch"] == list(range(1, run.epochs_done + 1))
    assert (store.run_dir(run.id) / "model.keras").exists()  # a graceful stop still saves the model


def test_a_killed_actor_gives_a_failed_run_with_its_epochs_kept(store, ray_pool):
    job_inputs = inputs(store, epochs=50, frame=series(3000), batch_size=8)
    ray_pool.submit(job_inputs)
    job = wait(ray_pool, job_inputs.run_id, until=lambda job: store.get(job_inputs.run_id).epochs_done >= 1)
    ray.kill(job.worker.actor)
    job = wait(ray_pool, job_inputs.run_id, timeout=30)
    run = store.get(job_inputs.run_id)
    assert job.status == run.status == "failed"
    assert "worker was lost" in run.message and f"{run.epochs_done} finished epoch" in run.message
    assert run.epochs_done >= 1 and store.history(run.id)["epoch"] == list(range(1, run.epochs_done + 1))


def test_the_table_goes_to_the_cluster_once_per_table(cluster, store, monkeypatch):
    from slstm.executors.ray import RayExecutor

    executor = RayExecutor(warm=0)
    puts = []
    real_put = ray.put
    monkeypatch.setattr(ray, "put", lambda value: (puts.append(value), real_put(value))[1])
    shared, other = series(), series(100)
    try:
        for frame in (shared, shared, other):  # a sweep's cells share their table
            executor.start(inputs(store, frame=frame)).close()  # killed before it trains
    finally:
        executor.close()
    assert [len(p) for p in puts] == [len(shared), len(other)]


def test_capacity_is_the_cluster_cpus_over_the_cpus_per_job(cluster):
    from slstm.executors.ray import RayExecutor

    assert RayExecutor(warm=0).capacity() == 2
    assert RayExecutor(warm=0, cpus_per_job=2).capacity() == 1
    assert RayExecutor(warm=0, max_workers=5).capacity() == 5


def test_the_cli_sweep_runs_through_ray_and_resumes_without_retraining(cluster, tmp_path):
    from slstm.data.samples import SAMPLES

    csv = tmp_path / "sine.csv"
    SAMPLES["sine_trend"].make().head(300).to_csv(csv, index=False)
    env = {**os.environ, "SLSTM_HOME": str(tmp_path / "home"), "RAY_ADDRESS": cluster, "TF_CPP_MIN_LOG_LEVEL": "2"}

    def sweep(depths):
        args = ["sweep", "--csv", str(csv), "--target", "value", "--lookback", "8", "--epochs", "1", "--json"]
        out = subprocess.run(
            [sys.executable, "-m", "slstm", *args, "--depths", depths, "--units", "2,4", "--executor", "ray"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout)["cells"]  # stdout is the JSON alone: Ray's logs stay out of it

    first = sweep("1")
    assert [(c["depth"], c["units"]) for c in first] == [(1, 2), (1, 4)]
    both = sweep("1,2")
    assert [(c["depth"], c["units"]) for c in both] == [(1, 2), (1, 4), (2, 2), (2, 4)]
    assert [c["run"] for c in both[:2]] == [c["run"] for c in first]  # the finished cells were not trained again
    assert all(c["best val_loss"] is not None for c in both)
    with RunStore(tmp_path / "home") as store:
        runs = store.list_runs("command-line")
        assert len(runs) == 4 and all(r.status == "finished" and r.epochs_done == 1 for r in runs)


def test_a_ray_address_where_nothing_listens_fails_in_seconds_with_one_line(cluster, tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SLSTM_HOME": str(tmp_path), "RAY_ADDRESS": f"127.0.0.1:{port}"}
    series().to_csv(tmp_path / "v.csv", index=False)
    args = ["--csv", str(tmp_path / "v.csv"), "--target", "v", "--lookback", "6", "--spec", lstm_stack(2).to_json()]
    began = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "slstm", "train", "--executor", "ray", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2 and time.time() - began < 60
    error = out.stderr.strip().splitlines()[-1]
    assert error.startswith(f"error: Nothing answers at RAY_ADDRESS=127.0.0.1:{port}") and "ray start --head" in error


def test_choosing_ray_without_ray_installed_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    monkeypatch.delitem(sys.modules, "slstm.executors.ray", raising=False)
    with pytest.raises(SlstmError, match="pip install -r requirements-ray.txt"):
        make_executor("ray")


def test_nothing_above_the_pool_knows_which_executor_runs_the_jobs():
    import re

    sources = [*sorted((ROOT / "pages").rglob("*.py")), ROOT / "app.py", ROOT / "slstm" / "compare.py"]
    assert len(sources) > 3
    for path in sources:
        found = re.findall(r"\bray\b|executor", path.read_text(encoding="utf-8"), flags=re.IGNORECASE)
        assert not found, f"{path.relative_to(ROOT)} mentions {found}"
