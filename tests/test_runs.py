"""RunStore: runs and per-epoch history on SQLite, shared by threads and by processes."""

from __future__ import annotations

import math
import multiprocessing
import sqlite3
import threading
from contextlib import closing

import pytest

from slstm.errors import SlstmError
from slstm.runs import INTERRUPTED, STATUSES, RunStore, default_home, is_workspace_id, new_workspace_id
from slstm.spec import lstm_stack
from slstm.train import TrainConfig

WS = "workshop-1"
SPEC = lstm_stack(8, 4).to_dict()
DATA = {"target": "y", "timesteps": 10}
TRAIN = TrainConfig(epochs=3).to_dict()


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path) as s:
        yield s


def new_run(store, **kwargs):
    return store.create_run(workspace=WS, spec=SPEC, data_config=DATA, train_config=TRAIN, **kwargs)


def test_created_run_reads_back_with_defaults(store):
    run = new_run(store)
    assert store.get(run.id) == run
    assert (run.name, run.status, run.metrics, run.device, run.duration, run.message, run.epochs_done) == (
        "run 1",
        "queued",
        {},
        "CPU",
        None,
        "",
        0,
    )
    assert (run.spec, run.data_config, run.train_config) == (SPEC, DATA, TRAIN)
    assert is_workspace_id(run.id)
    assert store.get("no-such-run") is None


def test_list_runs_is_newest_first_and_per_workspace(store):
    first, second = new_run(store), new_run(store, name="  wide  ")
    other = store.create_run(workspace="elsewhere", spec=SPEC, data_config={}, train_config={})
    assert [r.id for r in store.list_runs(WS)] == [second.id, first.id]
    assert second.name == "wide" and other.name == "run 1"
    assert [r.id for r in store.list_runs("elsewhere")] == [other.id]
    assert store.list_runs("nobody-here") == []


def test_history_is_columns_of_equal_length_with_nan_as_none(store):
    run = new_run(store)
    store.add_epoch(run.id, 2, {"loss": math.nan, "val_loss": 0.4, "mae": math.inf}, seconds=1.5)
    store.add_epoch(run.id, 1, {"loss": 0.9}, seconds=2.0)  # out of order, no val_loss
    history = store.history(run.id)
    assert history == {
        "epoch": [1, 2],
        "loss": [0.9, None],
        "val_loss": [None, 0.4],
        "seconds": [2.0, 1.5],
        "mae": [None, None],
    }
    assert store.get(run.id).epochs_done == 2


def test_history_of_a_run_without_epochs_is_empty_columns(store):
    assert store.history(new_run(store).id) == {"epoch": [], "loss": [], "val_loss": [], "seconds": []}


def test_add_epoch_twice_replaces_the_row(store):
    run = new_run(store)
    store.add_epoch(run.id, 1, {"loss": 1.0}, seconds=1.0)
    store.add_epoch(run.id, 1, {"loss": 0.5}, seconds=2.0)
    assert store.history(run.id)["loss"] == [0.5]
    assert store.get(run.id).epochs_done == 1


def test_add_epoch_for_a_deleted_run_is_ignored(store):
    run = new_run(store)
    store.delete(run.id)
    store.add_epoch(run.id, 1, {"loss": 1.0}, seconds=1.0)
    assert store.history(run.id)["epoch"] == []


def test_status_metrics_and_name_update(store):
    run = new_run(store)
    store.set_status(run.id, "running")
    store.set_status(run.id, "failed", message="Loss became NaN.", duration=12.5)
    store.set_metrics(run.id, {"test": {"rmse": 0.1, "mape": math.nan}})
    store.rename(run.id, "deep")
    got = store.get(run.id)
    assert (got.status, got.message, got.duration, got.name) == ("failed", "Loss became NaN.", 12.5, "deep")
    assert got.metrics == {"test": {"rmse": 0.1, "mape": None}}
    store.set_status(run.id, "finished")  # duration kept when not given
    assert store.get(run.id).duration == 12.5


def test_data_survives_close_and_reopen(tmp_path):
    with RunStore(tmp_path) as store:
        run = new_run(store)
        store.add_epoch(run.id, 1, {"loss": 0.3}, seconds=1.0)
    with pytest.raises(RuntimeError, match="closed"):
        store.get(run.id)
    with RunStore(tmp_path) as store:
        assert store.get(run.id).epochs_done == 1
        assert store.history(run.id)["loss"] == [0.3]


def test_database_is_in_wal_mode_with_a_schema_version(store):
    with closing(sqlite3.connect(store.path)) as db:
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert mode == "wal" and version >= 1


def test_a_run_records_the_data_choice_and_an_older_database_gains_the_column(tmp_path):
    from slstm import runs

    old = tmp_path / "old"
    old.mkdir()
    with closing(sqlite3.connect(old / "runs.sqlite3")) as db:  # a version-2 file, as the last release wrote it
        db.executescript(runs._SCHEMA + ";".join(runs._MIGRATIONS[2]) + ";PRAGMA user_version=2;")
        db.execute(
            "INSERT INTO runs (id, workspace, name, created, status, spec, data_config, train_config)"
            " VALUES ('r1', 'ws-old1', 'kept', 0, 'finished', '{}', '{}', '{}')"
        )
        db.commit()
    with RunStore(old) as store:
        assert store.get("r1").data_choice == {} and store.get("r1").name == "kept"
        choice = {"source": "sample:sine", "target": "value", "features": ["value"], "settings": {"lookback": 12}}
        run = store.create_run(workspace="ws-new1", spec={}, data_config={}, train_config={}, data_choice=choice)
        assert run.data_choice == choice == store.get(run.id).data_choice
        assert store.get("r1").data_choice == {}


def test_delete_removes_run_history_and_folder(store):
    run = new_run(store)
    folder = store.run_dir(run.id)
    (folder / "model.keras").write_bytes(b"weights")
    store.add_epoch(run.id, 1, {"loss": 0.3}, seconds=1.0)
    assert folder == store.home / "runs" / run.id
    store.delete(run.id)
    assert store.get(run.id) is None and store.history(run.id)["epoch"] == []
    assert not folder.exists()


@pytest.mark.parametrize("status", ["done", "", "Running"])
def test_unknown_status_is_refused_with_the_valid_ones(store, status):
    run = new_run(store)
    with pytest.raises(ValueError, match="queued, running, finished, stopped, failed"):
        store.set_status(run.id, status)
    with pytest.raises(ValueError, match="expected one of"):
        new_run(store, status=status)


@pytest.mark.parametrize("workspace", ["", "abc", "x" * 33, "../etc", "has space", "a/b/c/d", None])
def test_malformed_workspace_is_refused(store, workspace):
    assert not is_workspace_id(workspace)
    with pytest.raises(SlstmError, match="workspace"):
        store.create_run(workspace=workspace, spec=SPEC, data_config={}, train_config={})


@pytest.mark.parametrize("run_id", ["..", "../../x", "a/b"])
def test_run_dir_refuses_path_like_ids(store, run_id):
    with pytest.raises(ValueError, match="run_id"):
        store.run_dir(run_id)


@pytest.mark.parametrize("name", ["", "   "])
def test_rename_to_a_blank_name_is_refused(store, name):
    with pytest.raises(ValueError, match="non-empty"):
        store.rename(new_run(store).id, name)


def test_new_workspace_ids_are_valid_and_distinct():
    ids = {new_workspace_id() for _ in range(100)}
    assert len(ids) == 100 and all(is_workspace_id(i) for i in ids)


def test_default_home_follows_slstm_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SLSTM_HOME", str(tmp_path / "home"))
    assert default_home() == tmp_path / "home" and default_home().is_dir()
    monkeypatch.delenv("SLSTM_HOME")
    monkeypatch.chdir(tmp_path)
    assert default_home().resolve() == (tmp_path / ".slstm").resolve()


def test_mark_interrupted_fails_only_unfinished_runs(store):
    runs = {status: new_run(store, status=status) for status in STATUSES}
    for epoch in (1, 2):
        store.add_epoch(runs["running"].id, epoch, {"loss": 1.0 / epoch}, seconds=1.0)
    assert len(store.mark_interrupted()) == 2
    after = {status: store.get(run.id) for status, run in runs.items()}
    assert after["running"].status == after["queued"].status == "failed"
    assert after["running"].message == INTERRUPTED and after["running"].epochs_done == 2
    assert [after[s].status for s in ("finished", "stopped", "failed")] == ["finished", "stopped", "failed"]
    assert store.mark_interrupted() == []


def _write_epochs(home, run_id, count):
    """A training worker: its own RunStore, one row per epoch."""
    with RunStore(home) as store:
        store.set_status(run_id, "running")
        for epoch in range(1, count + 1):
            store.add_epoch(run_id, epoch, {"loss": 1.0 / epoch, "val_loss": 2.0 / epoch}, seconds=0.01)
        store.set_status(run_id, "finished", duration=0.5)


def test_two_worker_processes_write_while_the_server_reads(store):
    runs = [new_run(store), new_run(store)]
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_epochs, args=(store.home, run.id, 50)) for run in runs]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):  # the server's reads never fail while workers write
        assert sum(run.epochs_done for run in store.list_runs(WS)) <= 100
        assert len(set(map(len, store.history(runs[0].id).values()))) == 1
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert [store.get(run.id).epochs_done for run in runs] == [50, 50]
    assert all(store.get(run.id).status == "finished" for run in runs)
    assert store.history(runs[1].id)["epoch"] == list(range(1, 51))


def test_threads_share_one_store(store):
    runs = [new_run(store) for _ in range(4)]
    errors = []

    def write(run_id):
        try:
            for epoch in range(1, 26):
                store.add_epoch(run_id, epoch, {"loss": float(epoch)}, seconds=0.0)
                store.list_runs(WS)
        except Exception as e:  # surfaced below: an exception in a thread does not fail the test
            errors.append(e)

    threads = [threading.Thread(target=write, args=(run.id,)) for run in runs]
    for thread in threads:
        thread.start()
    names = [new_run(store).name for _ in range(5)]  # the main thread creates runs meanwhile
    for thread in threads:
        thread.join()
    assert errors == []
    assert [store.get(run.id).epochs_done for run in runs] == [25] * 4
    assert names == [f"run {n}" for n in range(5, 10)]


def test_disk_budgets_trim_the_oldest_files_and_keep_history(store):
    runs = []
    for i, ws in enumerate(["workspace_a", "workspace_a", "workspace_b", "workspace_a"]):
        run = store.create_run(workspace=ws, spec=SPEC, data_config=DATA, train_config=TRAIN)
        store.add_epoch(run.id, 1, {"loss": 1.0}, seconds=1.0)
        store.write_file(run.id, "model.keras", b"x" * 1000)
        store.set_status(run.id, "finished" if i < 3 else "running")
        runs.append(run)
    # workspace_a holds 3000 bytes of files (1000 of a run still training); allowed 2000: its oldest run goes
    assert store.trim_files(workspace="workspace_a", workspace_bytes=2000, server_bytes=10_000) == [runs[0].id]
    assert store.files_bytes(runs[0].id) == 0 and store.history(runs[0].id)["loss"] == [1.0]
    assert store.files_bytes(runs[1].id) == 1000 and store.files_bytes(runs[3].id) == 1000  # a running one stays
    # the server allows 1000 bytes: the oldest finished runs go, whatever their workspace
    assert store.trim_files(workspace="workspace_b", workspace_bytes=10_000, server_bytes=1000) == [
        runs[1].id,
        runs[2].id,
    ]
    assert store.get(runs[2].id).status == "finished" and store.files_bytes(runs[3].id) == 1000
