import base64

import numpy as np
import pytest

from slstm import downloads
from slstm.errors import SlstmError
from slstm.runs import RunStore
from slstm.workspace import COOKIE, cookie_script, delete_runs, is_id, new_id, parse_restore_code


def test_new_ids_have_one_form_and_do_not_repeat():
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 22 and is_id(i) for i in ids)


@pytest.mark.parametrize(
    "value",
    [
        "group1",  # the guessable kind the old 6-32 rule let in
        "workshop-room-7",
        "a" * 32,
        "A" * 21,
        "A" * 23,
        "A" * 21 + "B",  # 22 characters, but the last one's unused bits are set: never generated
        "A" * 21 + "=",
        "A" * 20 + "+/",
        "A" * 20 + "A\n",
        " " + "A" * 21,
        None,
        22,
        b"A" * 22,
    ],
)
def test_only_generated_ids_are_ids(value):
    assert not is_id(value)


def test_an_id_is_128_random_bits():
    raw = base64.urlsafe_b64decode(new_id() + "==")
    assert len(raw) == 16


def test_a_restore_code_is_trimmed_and_checked_without_repeating_it():
    code = new_id()
    assert parse_restore_code(f"  {code}\n") == code
    with pytest.raises(SlstmError, match="not a restore code.*22 letters") as caught:
        parse_restore_code("my-secret-guess-123")
    assert "my-secret-guess-123" not in str(caught.value)
    with pytest.raises(SlstmError, match="Paste a restore code first"):
        parse_restore_code("   ")


def test_the_cookie_script_carries_only_a_generated_id():
    code = new_id()
    script = cookie_script(code)
    assert f"{COOKIE}={code}; path=/; max-age={400 * 86400}; SameSite=Strict" in script
    assert "Secure" in script  # added on https
    for bad in ("x'; alert(1); '", "group1", "A" * 21 + "</script>"):
        with pytest.raises(SlstmError):
            cookie_script(bad)


class FakeJob:
    def __init__(self, pumps_to_stop):
        self.pumps_to_stop, self.stopping, self.done, self.status = pumps_to_stop, False, False, "running"


class FakePool:
    """Records calls; a stopped job ends (its end saved) after a number of pumps, or never."""

    def __init__(self, store):
        self.store, self.jobs, self.calls = store, {}, []

    def get(self, run_id):
        return self.jobs.get(run_id)

    def stop(self, run_id, *, message=""):
        self.calls.append(("stop", run_id))
        self.jobs[run_id].stopping = True

    def pump(self):
        for run_id, job in self.jobs.items():
            if job.stopping and not job.done and job.pumps_to_stop is not None:
                job.pumps_to_stop -= 1
                if job.pumps_to_stop <= 0:
                    job.done, job.status = True, "stopped"
                    self.store.set_status(run_id, "stopped", message="Stopped.")
                    self.calls.append(("saved", run_id))


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path) as s:
        yield s


def make(store, ws):
    return store.create_run(workspace=ws, spec={}, data_config={}, train_config={}).id


def test_a_training_run_is_stopped_and_its_end_saved_before_it_is_deleted(store):
    ws = new_id()
    training, finished = make(store, ws), make(store, ws)
    pool = FakePool(store)
    pool.jobs[training] = FakeJob(pumps_to_stop=3)
    original = store.delete
    store.delete = lambda run_id: (pool.calls.append(("delete", run_id)), original(run_id))[1]
    done = delete_runs(store, pool, ws, [training, finished], every=0.01)
    assert done.deleted == (training, finished) and done.kept == ()
    assert pool.calls == [("stop", training), ("saved", training), ("delete", training), ("delete", finished)]
    assert store.list_runs(ws) == []


def test_runs_of_another_workspace_gone_or_unstoppable_are_kept_and_said_so(store):
    mine, theirs = new_id(), new_id()
    stuck, other = make(store, mine), make(store, theirs)
    pool = FakePool(store)
    pool.jobs[stuck] = FakeJob(pumps_to_stop=None)  # never answers within the wait
    done = delete_runs(store, pool, mine, [stuck, other, "no-such-run"], wait=0.2, every=0.01)
    assert done.deleted == ()
    assert dict(done.kept) == {
        "no-such-run": "already deleted",
        other: "not in this workspace",
        stuck: "still stopping: try again in a few seconds",
    }
    assert store.get(stuck) is not None and store.get(other) is not None


def test_downloads_read_the_files_when_clicked_and_say_when_the_run_is_gone(store):
    run_id = make(store, new_id())
    store.add_epoch(run_id, 1, {"loss": 0.5, "val_loss": 0.6}, 0.1)
    folder = store.run_dir(run_id)
    model, history = downloads.model(folder), downloads.history(store, run_id)
    predictions = downloads.predictions(folder, ("y",))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.keras").write_bytes(b"written after the page was drawn")
    np.savez(folder / "predictions.npz", test_truth=np.array([[1.0], [2.0]]), test_pred=np.array([[1.5], [2.5]]))
    assert model() == b"written after the page was drawn"
    assert history().decode().splitlines()[:2] == ["epoch,loss,val_loss,seconds", "1,0.5,0.6,0.1"]
    assert predictions().decode().splitlines() == ["sample,y (truth),y (predicted)", "0,1.0,1.5", "1,2.0,2.5"]
    store.delete(run_id)
    for build in (model, history, predictions):
        with pytest.raises(SlstmError, match="no longer there"):
            build()
