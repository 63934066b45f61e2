"""Jobs in real worker processes, on tiny data: events, stop, kill, concurrency, NaN, crashes of the server,
a failing store, fairness between workspaces, leaks."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from slstm import procs
from slstm.data import DataConfig
from slstm.jobs import JobInputs, JobPool, QuotaError
from slstm.runs import INTERRUPTED, RunStore
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


def inputs(
    store, *, epochs=2, frame=None, lr=1e-2, seed=0, units=(4,), batch_size=16, optimizer="adam", workspace=WORKSPACE
):
    spec = lstm_stack(*units)
    config = DataConfig(("v",), ("v",), lookback=6)
    train = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=lr, seed=seed, optimizer=optimizer)
    run = store.create_run(workspace=workspace, spec=spec.to_dict(), data_config={}, train_config=train.to_dict())
    return JobInputs(run.id, workspace, frame if frame is not None else series(), config, spec, train)


def wait(pool, run_id, *, until=lambda job: job.done, timeout=120, watch=True):
    """Pump until `until(job)`; like a page showing the job, it tells the pool someone watches (unless `watch`
    is False), so that a job slowed by a busy machine is not stopped as abandoned."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if watch:
            pool.touch(run_id)
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
    kinds = [k for k in seen if k not in ("batch", "artifact")]
    assert kinds == ["started", "epoch", "epoch", "epoch", "finished"]
    assert seen.index("artifact") < seen.index("epoch")  # the initial weights come first
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
    os.kill(job.worker.process.pid, signal.SIGKILL)
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
        wait(pool, first.run_id, until=lambda job: job.status != "queued")
        assert pool.position(second.run_id) == 1 and pool.position(first.run_id) == 0
        pool.stop(second.run_id)
        assert wait(pool, second.run_id).status == "stopped" and store.get(second.run_id).status == "stopped"
        assert wait(pool, first.run_id).status == "finished"
    finally:
        pool.shutdown()


def test_a_job_nobody_watches_is_stopped(store):
    pool = JobPool(store, max_workers=1, orphan_seconds=0.5)
    try:
        job_inputs = inputs(store, epochs=200, frame=series(2000), batch_size=8)
        job = wait(pool, pool.submit(job_inputs).run_id, timeout=120, watch=False)
        assert job.status == "stopped" and "nobody was watching" in job.message
    finally:
        pool.shutdown()


def test_runs_of_a_living_pool_are_never_marked_interrupted(store, tmp_path):
    """A trains; B and C are submitted while A trains and while B waits; meanwhile another pool opens the same
    home (as a second server, or a stray import of the app, would): A's status only ever moves forward."""
    pool = JobPool(store, max_workers=1)
    try:
        a = inputs(store, epochs=6, frame=series(1500), batch_size=8)
        pool.submit(a)
        wait(pool, a.run_id, until=lambda job: job.status == "running")
        b, c = inputs(store, epochs=1), inputs(store, epochs=1)
        pool.submit(b)
        seen = set()
        with RunStore(store.home) as other_store:
            other = JobPool(other_store, max_workers=1)
            other.shutdown()
        assert other.interrupted == []
        pool.submit(c)
        while not pool.get(a.run_id).done:
            pool.pump()
            seen.add(store.get(a.run_id).status)
            time.sleep(0.05)
        assert seen <= {"queued", "running", "finished"} and store.get(a.run_id).status == "finished"
        for run_id in (b.run_id, c.run_id):
            assert wait(pool, run_id).status == "finished"
        assert not any(r.message == INTERRUPTED for r in store.list_runs(WORKSPACE))
    finally:
        pool.shutdown()


OWNER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.test_jobs import inputs, series
from slstm.jobs import JobPool
from slstm.runs import INTERRUPTED, RunStore
store = RunStore({home!r})
pool = JobPool(store, max_workers=1)
job = pool.submit(inputs(store, epochs=200, frame=series(3000), batch_size=8))
print(job.run_id, flush=True)
while True:
    time.sleep(1)
"""


def test_workers_die_with_their_server_and_its_runs_fail_with_epochs_kept(tmp_path):
    root = str(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = tmp_path / "owner.py"
    script.write_text(textwrap.dedent(OWNER.format(root=root, home=str(tmp_path / "home"))))
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        run_id = owner.stdout.readline().strip()
        with RunStore(tmp_path / "home") as store:
            deadline = time.time() + 120
            while (store.get(run_id).epochs_done < 1 or not store.get(run_id).worker) and time.time() < deadline:
                time.sleep(0.2)
            run = store.get(run_id)
            assert run.status == "running" and run.epochs_done >= 1 and procs.is_alive(run.worker)
            owner.send_signal(signal.SIGKILL)
            owner.wait(10)
            killed = time.time()
            while procs.is_alive(run.worker) and time.time() - killed < 10:
                time.sleep(0.1)
            assert not procs.is_alive(run.worker), "the worker outlived its server by 10 s"
            epochs = store.get(run_id).epochs_done
            pool = JobPool(store, max_workers=1)
            pool.shutdown()
            assert [r.id for r in pool.interrupted] == [run_id]
            time.sleep(1.0)  # nothing may flip it back
            after = store.get(run_id)
            assert after.status == "failed" and after.message == INTERRUPTED and after.epochs_done == epochs >= 1
    finally:
        owner.kill()


class FlakyStore(RunStore):
    """A store whose writes fail while `broken` is set (disk full, read-only home, a lock held too long)."""

    broken = False

    def _db(self):
        if self.broken:
            raise OSError("disk I/O error")
        return super()._db()

    def write_file(self, run_id, name, data):
        if self.broken:
            raise OSError("No space left on device")
        super().write_file(run_id, name, data)


def test_a_failing_store_stalls_nobody_and_says_so(tmp_path):
    store = FlakyStore(tmp_path)
    pool = JobPool(store, max_workers=1)
    try:
        first, second = inputs(store, epochs=2), inputs(store, epochs=1)
        pool.submit(first)
        pool.submit(second)
        store.broken = True
        wait(pool, second.run_id, until=lambda job: job.ended_here, timeout=120)  # both ran while writes failed
        assert pool.get(first.run_id).status == "finished" and pool.get(second.run_id).status == "finished"
        assert "cannot be saved" in pool.store_error and "retrying" in pool.store_error
        assert not pool.get(first.run_id).done  # not on record yet: pages keep showing it as saving
        store.broken = False
        job = wait(pool, first.run_id, timeout=10)
        assert job.done and pool.store_error == ""
        for run_id, epochs in ((first.run_id, 2), (second.run_id, 1)):
            run = store.get(run_id)
            assert run.status == "finished" and run.epochs_done == epochs and "model" in run.metrics["test"]
            assert (store.run_dir(run_id) / "model.keras").exists()
    finally:
        pool.shutdown()


def test_artifacts_are_written_whole(store):
    run = store.create_run(workspace=WORKSPACE, spec={}, data_config={}, train_config={})
    store.write_file(run.id, "model.keras", b"x" * 1000)
    store.write_file(run.id, "model.keras", b"y" * 10)
    folder = store.run_dir(run.id)
    assert (folder / "model.keras").read_bytes() == b"y" * 10 and [p.name for p in folder.iterdir()] == ["model.keras"]
    with pytest.raises(Exception, match="plain file name"):
        store.write_file(run.id, "../escape", b"")


class ScriptedWorker:
    """An in-process worker that 'trains' at once (or, held, until it is stopped): pool logic without processes."""

    def __init__(self, inputs, hold=False):
        self.inputs, self.hold, self.stopped, self.dead = inputs, hold, False, False
        self.events = [{"type": "started", "device": "CPU"}]
        if not hold:
            self.events += [
                {"type": "epoch", "epoch": 1, "logs": {"loss": 1.0}, "seconds": 0.0},
                {"type": "finished", "message": "Finished.", "metrics": {"task": "regression"}},
            ]

    def poll(self):
        events, self.events = self.events, []
        if self.hold and self.stopped:
            events.append({"type": "stopped", "message": "Stopped."})
            self.hold = False
        return events

    def stop(self):
        self.stopped = True

    def kill(self):
        self.dead = True

    def alive(self):
        return not self.dead

    def exitcode(self):
        return 0

    def memory_bytes(self):
        return None

    def identity(self):
        return "test:0:0"

    def close(self):
        self.inputs, self.dead = None, True


class ScriptedExecutor:
    name = "scripted"

    def __init__(self, hold=False):
        self.started, self.hold = [], hold

    def capacity(self):
        return 1

    def start(self, inputs):
        self.started.append(inputs.workspace)
        return ScriptedWorker(inputs, hold=self.hold)

    def close(self):
        pass


def test_a_second_workspace_is_served_before_the_first_ones_fourth_job(store):
    executor = ScriptedExecutor()
    pool = JobPool(store, max_workers=1, executor=executor)
    try:
        with pool.lock:  # queue everything before the pump may start any of it
            a = [pool.submit(inputs(store, workspace="workspaceA")) for _ in range(10)]
            b = pool.submit(inputs(store, workspace="workspaceB"))
        assert pool.position(b.run_id) <= 2
        for job in [*a, b]:
            wait(pool, job.run_id, timeout=30)
        order = executor.started
        assert order.index("workspaceB") < 3, order  # before A's fourth
    finally:
        pool.shutdown()


def test_a_workspace_cannot_fill_the_queue(store):
    pool = JobPool(store, max_workers=1, executor=ScriptedExecutor(hold=True), max_queued=3)
    try:
        first = pool.submit(inputs(store, workspace="greedyws"))
        wait(pool, first.run_id, until=lambda job: job.status == "running", timeout=10)
        for _ in range(3):
            pool.submit(inputs(store, workspace="greedyws"))
        extra = inputs(store, workspace="greedyws")
        with pytest.raises(QuotaError, match="SLSTM_MAX_QUEUED"):
            pool.submit(extra)
        assert store.get(extra.run_id).status == "failed"
        pool.submit(inputs(store, workspace="otherws1"))  # another workspace still gets in
    finally:
        pool.shutdown()


def test_queued_jobs_nobody_watches_are_dropped(store):
    pool = JobPool(store, max_workers=1, executor=ScriptedExecutor(hold=True), orphan_seconds=0.5)
    try:
        running = pool.submit(inputs(store))
        queued = pool.submit(inputs(store))
        deadline = time.time() + 10
        while not pool.get(queued.run_id).done and time.time() < deadline:
            pool.touch(running.run_id)
            pool.pump()
            time.sleep(0.05)
        assert pool.get(queued.run_id).status == "stopped" and "nobody was watching" in pool.get(queued.run_id).message
        assert store.get(queued.run_id).status == "stopped"
    finally:
        pool.shutdown()


def _open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_300_jobs_leave_no_fds_and_bounded_memory(store):
    import pathlib
    import tracemalloc
    import weakref

    def traced():
        # pathlib interns every path part: the interpreter's intern table grows by doubling, a one-off
        # resize of a table the process shares, not memory a job holds on to
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, pathlib.__file__)])
        return sum(stat.size for stat in snapshot.statistics("filename"))

    pool = JobPool(store, max_workers=1, executor=ScriptedExecutor())
    try:
        frame = series(20_000)  # each job carries a real table: it must be released when the job ends
        tables = []
        tracemalloc.start()
        marks = []
        for i in range(300):
            table = frame.copy()
            tables.append(weakref.ref(table))
            job = pool.submit(inputs(store, frame=table))
            del table
            wait(pool, job.run_id, timeout=10)
            if i in (49, 299):
                marks.append((traced(), _open_fds()))
        tracemalloc.stop()
        (mem50, fds50), (mem300, fds300) = marks
        assert fds300 <= fds50 + 2
        assert sum(ref() is not None for ref in tables) <= 1  # a finished job keeps no table alive
        assert mem300 - mem50 < 3 * frame.memory_usage().sum(), (mem50, mem300)  # 250 tables would be ~40x
        assert len(pool.jobs) <= 200 and all(j.inputs is None for j in pool.jobs.values())
    finally:
        pool.shutdown()


def test_local_workers_release_their_process_and_socket():
    from slstm.executors.local import LocalWorker

    before = _open_fds()
    workers = [LocalWorker(threads=1) for _ in range(5)]
    assert _open_fds() >= before + 5
    for worker in workers:
        worker.close()
        assert not worker.alive()
    assert _open_fds() <= before


def test_a_warm_worker_trains_exactly_like_a_cold_one(store):
    import keras

    from slstm.executors.local import LocalExecutor

    runs = {}
    for warm in (True, False):
        pool = JobPool(store, max_workers=1, executor=LocalExecutor(max_workers=1, warm=warm))
        try:
            if warm:
                deadline = time.time() + 120
                while not any(w.ready for w in pool.executor._spare) and time.time() < deadline:
                    pool.pump()
                    time.sleep(0.1)
            job_inputs = inputs(store, seed=3, units=(3,))
            job = wait(pool, pool.submit(job_inputs).run_id)
            assert job.status == "finished", job.message
            runs[warm] = job_inputs.run_id
        finally:
            pool.shutdown()

    def weights(run_id):
        return keras.saving.load_model(store.run_dir(run_id) / "model.keras", safe_mode=True).get_weights()

    for w_warm, w_cold in zip(weights(runs[True]), weights(runs[False]), strict=True):
        np.testing.assert_allclose(w_warm, w_cold, rtol=1e-6, atol=1e-7)


MAIN_IS_APP = """
import sys, types
sys.path.insert(0, {root!r})
import streamlit  # noqa: F401  (the server has it loaded, and its script as __main__)
fake = types.ModuleType("__main__")
fake.__file__ = {script!r}
sys.modules["__main__"] = fake
from tests.test_jobs import inputs, wait
from slstm.jobs import JobPool
from slstm.runs import INTERRUPTED, RunStore
store = RunStore({home!r})
pool = JobPool(store, max_workers=1)
seen = []
job = pool.submit(inputs(store, epochs=1))
original = job.apply
job.apply = lambda event: (seen.append(event), original(event))
job = wait(pool, job.run_id, timeout=120)
pool.shutdown()
started = [e for e in seen if e["type"] == "started"][0]
print(job.status, started["streamlit"])
"""


def test_a_worker_never_runs_the_app_script_nor_loads_streamlit(tmp_path):
    root = str(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    marker = tmp_path / "executed"
    app = tmp_path / "app.py"
    app.write_text(f"open({str(marker)!r}, 'w').write('the worker ran the app script')\n")
    code = MAIN_IS_APP.format(root=root, script=str(app), home=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=200, cwd=root)
    assert out.stdout.split()[-2:] == ["finished", "False"], out.stderr[-2000:]
    assert not marker.exists()
