"""Rooms in the run store's file: codes, the teacher key, members, sharing, pushes (with undo), the class grid,
the limits, and a restart (a new store on the same file) bringing it all back."""

import pytest

from slstm import room_grid, rooms
from slstm.data.samples import SAMPLES
from slstm.room_push import apply_push, due, undo_push
from slstm.rooms import RoomError, RoomStore, parse_code
from slstm.runs import RunStore
from slstm.spec import DEFAULT_SPEC, lstm_stack
from slstm.workspace import new_id


class FakePool:
    def __init__(self):
        self.submitted = []

    def check_quota(self, workspace, count=1):
        pass

    def submit(self, inputs):
        self.submitted.append(inputs)


@pytest.fixture
def stores(tmp_path):
    store = RunStore(tmp_path)
    return store, RoomStore(store.path)


def finish(store, run_id, val_losses):
    for epoch, v in enumerate(val_losses, start=1):
        store.add_epoch(run_id, epoch, {"loss": v, "val_loss": v}, seconds=0.1)
    store.set_status(run_id, "finished")


def test_codes_are_short_and_typed_loosely_and_wrong_ones_say_what_a_code_looks_like():
    code = rooms.new_code()
    assert len(code) == 9 and parse_code(code.lower().replace("-", " ")) == code
    for typed in ("", "LSTM-7Q4", "LSTM-0O1I", "hello"):
        with pytest.raises(RoomError, match="LSTM-7Q4K"):
            parse_code(typed)


def test_the_teacher_key_opens_only_its_room_and_is_kept_only_as_a_hash(stores, tmp_path):
    _, rs = stores
    room, key = rs.open_room()
    other, other_key = rs.open_room()
    assert rs.room_for_key(key) == room and rs.room_for_key(other_key) == other
    assert rs.room_for_key(new_id()) is None and rs.room_for_key(room.code) is None and rs.room_for_key(None) is None
    with pytest.raises(RoomError, match="Only the room's teacher"):
        rs.push(room.code, other_key, note="x", payload={"lesson": 2})
    assert key.encode() not in (tmp_path / "runs.sqlite3").read_bytes()
    assert "slstm_teacher=" + key in rooms.teacher_cookie_script(key)


def test_a_server_teacher_key_is_required_when_set(stores, monkeypatch):
    _, rs = stores
    monkeypatch.setenv("SLSTM_TEACHER_KEY", "workshop-2024")
    with pytest.raises(RoomError, match="SLSTM_TEACHER_KEY"):
        rs.open_room(server_key="guess")
    assert rs.open_room(server_key=" workshop-2024 ")[0].open


def test_limits_on_rooms_and_members_are_settings_with_clear_messages(stores, monkeypatch):
    _, rs = stores
    monkeypatch.setattr(rooms, "MAX_ROOMS", 1)
    monkeypatch.setattr(rooms, "ROOM_MEMBERS", 2)
    room, key = rs.open_room()
    with pytest.raises(RoomError, match="SLSTM_MAX_ROOMS"):
        rs.open_room()
    rs.join(room.code, new_id(), "Ada")
    ws = new_id()
    rs.join(room.code, ws, "Grace")
    rs.join(room.code, ws, "Grace H")  # joining again renames, it does not count twice
    with pytest.raises(RoomError, match="SLSTM_ROOM_MEMBERS"):
        rs.join(room.code, new_id(), "Linus")
    rs.close_room(room.code, key)
    assert rs.open_room()[0].open  # a closed room frees its place


def test_names_are_unique_in_a_room_and_checked(stores):
    _, rs = stores
    room, _ = rs.open_room()
    rs.join(room.code, new_id(), "Ada")
    with pytest.raises(RoomError, match="already goes by"):
        rs.join(room.code, new_id(), " ada ")
    for bad in ("", "x" * 25, "tab\x07"):
        with pytest.raises(RoomError):
            rs.join(room.code, new_id(), bad)
    with pytest.raises(RoomError, match="No open room"):
        rs.join("LSTM-2222" if room.code != "LSTM-2222" else "LSTM-3333", new_id(), "Bob")


def test_only_own_runs_can_be_shared_and_only_shared_runs_are_the_rooms(stores):
    store, rs = stores
    room, _ = rs.open_room()
    ada, bob = new_id(), new_id()
    rs.join(room.code, ada, "Ada")
    rs.join(room.code, bob, "Bob")
    mine = store.create_run(workspace=ada, spec={}, data_config={}, train_config={}).id
    private = store.create_run(workspace=ada, spec={}, data_config={}, train_config={}).id
    with pytest.raises(RoomError, match="own runs"):
        rs.share(room.code, bob, mine)
    rs.share(room.code, ada, mine)
    assert rs.shared(room.code) == {mine: ada} and private not in rs.shared(room.code)
    rs.share(room.code, ada, mine, False)
    assert rs.shared(room.code) == {}
    rs.share(room.code, ada, mine)
    rs.leave(room.code, ada)
    assert rs.shared(room.code) == {} and rs.membership(ada) is None


def test_a_push_applies_once_per_version_and_undo_puts_back_what_it_replaced(stores):
    _, rs = stores
    room, key = rs.open_room()
    ws = new_id()
    rs.join(room.code, ws, "Ada")
    stack = lstm_stack(64, 64, 32)
    push = rs.push(room.code, key, note="Try three layers", payload={"spec": stack.to_dict(), "lesson": 4, "hide": []})
    state = {"spec": DEFAULT_SPEC, "learn_hide": frozenset({"picker"})}
    assert due(state, push, undone=0)
    assert apply_push(state, push) == ["stack", "lesson", "controls"]
    assert state["spec"] == stack and state["learn_lesson"] == 4 and state["learn_hide"] == frozenset()
    assert not due(state, rs.latest_push(room.code), undone=0)  # once per version
    assert undo_push(state) == push.version
    assert state["spec"] == DEFAULT_SPEC and "learn_lesson" not in state and state["learn_hide"] == {"picker"}
    rs.undo(room.code, ws, push.version)
    assert not due({}, push, undone=rs.member(room.code, ws).undone)  # a new session does not apply it again
    newer = rs.push(room.code, key, note="", payload={"sample": "multi_scale"})
    assert due(state, newer, undone=push.version) and apply_push(state, newer) == ["data"]
    assert state["source"] == "sample" and state["sample"] == "multi_scale"
    with pytest.raises(RoomError, match="Choose something"):
        rs.push(room.code, key, note="empty", payload={"spec": None})


def grid_for(rs, room, key, **over):
    settings = dict(
        row_axis="depth", row_values=(1, 2), col_axis="units", col_values=(4, 8), sample="sine_trend", epochs=2
    )
    return room_grid.start_grid(rs, room.code, key, **{**settings, **over})


def test_cells_are_dealt_to_members_free_cells_can_be_taken_and_runs_are_shared(stores):
    store, rs = stores
    room, key = rs.open_room()
    members = [new_id() for _ in range(3)]
    for i, ws in enumerate(members):
        rs.join(room.code, ws, f"attendee {i}")
    grid = grid_for(rs, room, key)
    assert [room_grid.deal(rs, grid, ws) for ws in members] == [0, 1, 2]
    assert room_grid.deal(rs, grid, members[0]) == 0  # the same cell on every visit until trained
    pool, frame = FakePool(), SAMPLES["sine_trend"].make().iloc[:200]
    run_id = room_grid.submit_cell(store, pool, rs, grid, 0, members[0], frame)
    (job,) = pool.submitted
    assert job.spec == lstm_stack(4) and job.train_config.epochs == 2 and job.train_config.seed == 0
    assert rs.shared(room.code) == {run_id: members[0]} and store.get(run_id).workspace == members[0]
    with pytest.raises(RoomError, match="already trained"):
        room_grid.submit_cell(store, pool, rs, grid, 0, members[0], frame)
    with pytest.raises(RoomError, match="not yours"):
        room_grid.submit_cell(store, pool, rs, grid, 3, members[0], frame)
    assert room_grid.deal(rs, grid, members[0]) is None
    assert room_grid.free_cells(rs, grid, members[0])[0] == 3  # nobody holds cell 3
    for bad in (4, -1, "2 layers × 8 units (free)", None):  # a page may send a stale label, never a crash
        with pytest.raises(RoomError, match="The grid has cells 1 to 4"):
            room_grid.take(rs, grid, members[0], bad)
    room_grid.take(rs, grid, members[0], 3)
    room_grid.submit_cell(store, pool, rs, grid, 3, members[0], frame)
    assert pool.submitted[-1].spec.layers[0].units == 8 and len(pool.submitted[-1].spec.layers) == 2


def test_jobs_per_member_are_limited(stores, monkeypatch):
    store, rs = stores
    monkeypatch.setattr(room_grid, "ROOM_JOBS", 1)
    room, key = rs.open_room()
    ws = new_id()
    rs.join(room.code, ws, "Ada")
    grid = grid_for(rs, room, key)
    frame = SAMPLES["sine_trend"].make().iloc[:200]
    room_grid.submit_cell(store, FakePool(), rs, grid, room_grid.deal(rs, grid, ws), ws, frame)
    room_grid.take(rs, grid, ws, 1)
    with pytest.raises(RoomError, match="SLSTM_ROOM_JOBS"):
        room_grid.submit_cell(store, FakePool(), rs, grid, 1, ws, frame)


def test_the_grid_reads_only_shared_finished_runs_with_the_spread_and_a_noise_note(stores):
    store, rs = stores
    room, key = rs.open_room()
    members = [new_id() for _ in range(5)]
    for i, ws in enumerate(members):
        rs.join(room.code, ws, f"a{i}")
    grid = grid_for(rs, room, key)
    frame, pool = SAMPLES["sine_trend"].make().iloc[:200], FakePool()
    runs = [room_grid.submit_cell(store, pool, rs, grid, room_grid.deal(rs, grid, ws), ws, frame) for ws in members]
    assert [j.train_config.seed for j in pool.submitted] == [0, 0, 0, 0, 1]  # cell 0 trained twice: seed 1
    for run_id, loss in zip(runs, (0.30, 0.50, 0.29, 0.60, 0.25), strict=True):
        finish(store, run_id, [loss + 0.1, loss])
    results = room_grid.grid_results(store, rs, grid)
    assert list(results["state"]) == ["finished"] * 4
    assert results.loc[0, "runs"] == 2 and results.loc[0, "spread"] == pytest.approx(0.05)
    assert results.loc[0, "best val_loss"] == pytest.approx(0.25)
    reading = room_grid.read_grid(grid, results)
    assert reading.startswith("Best: 1 layer × 4 units (val_loss 0.25")
    assert "spread 0.05 between seeds" in reading and "within noise" in reading  # 0.29 - 0.25 < 0.05
    rs.share(room.code, members[4], runs[4], False)  # unshared: the grid no longer counts it
    again = room_grid.grid_results(store, rs, grid)
    assert again.loc[0, "runs"] == 1 and again.loc[0, "best val_loss"] == pytest.approx(0.30)
    assert "more than the spread" not in room_grid.read_grid(grid, again)


def test_a_restart_brings_back_the_room_members_pushes_and_grid(stores, tmp_path):
    store, rs = stores
    room, key = rs.open_room()
    ws = new_id()
    rs.join(room.code, ws, "Ada")
    rs.push(room.code, key, note="hello", payload={"lesson": 3})
    grid = grid_for(rs, room, key)
    run_id = room_grid.submit_cell(
        store, FakePool(), rs, grid, room_grid.deal(rs, grid, ws), ws, SAMPLES["sine_trend"].make()
    )
    finish(store, run_id, [0.4])
    again_store = RunStore(tmp_path)
    again = RoomStore(again_store.path)
    assert again.room_for_key(key) == room and again.membership(ws).name == "Ada"
    assert again.latest_push(room.code).note == "hello"
    back = room_grid.current_grid(again, room.code)
    assert back == grid and room_grid.grid_results(again_store, again, back).loc[0, "state"] == "finished"


def test_grid_values_and_axes_are_checked():
    assert room_grid.parse_values("depth", "1, 2 4") == (1, 2, 4)
    assert room_grid.parse_values("learning_rate", "0.01,0.001") == (0.01, 0.001)
    for axis, text in (
        ("depth", "one"),
        ("depth", "0"),
        ("dropout", "0.95"),
        ("units", ""),
        ("depth", "1,2,3,4,5,6,7"),
    ):
        with pytest.raises(RoomError):
            room_grid.parse_values(axis, text)
    with pytest.raises(RoomError):
        room_grid.parse_values("colour", "1")


def test_a_cell_whose_run_failed_is_dealt_again_and_trained_with_the_same_seed(stores):
    store, rs = stores
    room, key = rs.open_room()
    ws = new_id()
    rs.join(room.code, ws, "Ada")
    grid, pool = grid_for(rs, room, key), FakePool()
    frame = SAMPLES["sine_trend"].make().iloc[:200]
    first = room_grid.submit_cell(store, pool, rs, grid, room_grid.deal(rs, grid, ws, store), ws, frame)
    assert room_grid.deal(rs, grid, ws, store) is None  # queued: nothing more to train
    store.set_status(first, "failed", message="The server restarted while this run was training")
    assert room_grid.deal(rs, grid, ws, store) == 0
    again = room_grid.submit_cell(store, pool, rs, grid, 0, ws, frame)
    assert again != first and [j.train_config.seed for j in pool.submitted] == [0, 0]
    assert [a["run_id"] for a in room_grid.assignments(rs, grid)] == [again]
