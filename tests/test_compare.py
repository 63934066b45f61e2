import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from slstm.compare import differing, fingerprint, plan_sweep, read_sweep, runs_table, submit_sweep, sweep_results
from slstm.data import DataConfig
from slstm.jobs import JobPool
from slstm.results import config_dict
from slstm.runs import RunStore
from slstm.shapes import InputShape
from slstm.spec import lstm_stack
from slstm.train import TrainConfig

WS = "compare-ws"


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path) as s:
        yield s


def add_run(store, spec, *, lookback=24, lr=1e-3, batch_size=32):
    data = config_dict(DataConfig(("v",), ("v",), lookback=lookback))
    train = TrainConfig(learning_rate=lr, batch_size=batch_size).to_dict()
    return store.create_run(workspace=WS, spec=spec.to_dict(), data_config=data, train_config=train)


def test_differs_only_lists_exactly_the_differing_settings(store):
    a = add_run(store, lstm_stack(64, 32))
    b = add_run(store, lstm_stack(64, 16), lr=1e-2)
    c = add_run(store, lstm_stack(64, 32), lookback=48)
    table = differing([a, b, c])
    assert set(table.index) == {"layer 2 units", "learning_rate", "lookback"}
    assert list(table.loc["layer 2 units"]) == [32, 16, 32]
    assert differing([a, a]).empty


def test_differs_shows_layers_that_exist_in_one_run_only(store):
    a, b = add_run(store, lstm_stack(8)), add_run(store, lstm_stack(8, 8))
    table = differing([a, b])
    assert {"layers", "layer 1 return_sequences", "layer 2 units"} <= set(table.index)
    assert table.loc["layer 2 units"].tolist() == ["—", 8]


def test_runs_table_has_one_row_per_run_with_params(store):
    run = add_run(store, lstm_stack(4))
    table = runs_table([run], {run.id: {"val_loss": [0.5, 0.25, None]}})
    row = table.iloc[0]
    assert row["architecture"] == "LSTM4 → Dense(out)" and row["params"] == 4 * 4 * (1 + 4 + 1) + 5
    assert row["best val_loss"] == 0.25


def wait_all(pool, ids, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for i in ids:
            pool.touch(i)  # as the Compare page's live sweep view does
        pool.pump()
        if all(pool.get(i) is None or pool.get(i).done for i in ids):
            return
        time.sleep(0.1)
    raise AssertionError("sweep did not finish")


@pytest.mark.slow  # trains or starts a process per case
def test_a_2x2_sweep_stores_4_runs_and_a_restart_runs_none_again(store):
    t = np.arange(300)
    frame = pd.DataFrame({"v": np.sin(t / 5)})
    data = DataConfig(("v",), ("v",), lookback=6)
    train = TrainConfig(epochs=1, batch_size=32)
    cells = plan_sweep([1, 2], [2, 4], fingerprint=fingerprint(config_dict(data), train.to_dict()))
    pool = JobPool(store, max_workers=2)
    try:
        ids = submit_sweep(store, pool, cells, workspace=WS, frame=frame, data_config=data, train_config=train)
        wait_all(pool, ids)
        runs = store.list_runs(WS)
        assert len(runs) == 4 and {r.status for r in runs} == {"finished"}
        assert sorted(r.name for r in runs) == ["sweep 1×2", "sweep 1×4", "sweep 2×2", "sweep 2×4"]
        again = submit_sweep(store, pool, cells, workspace=WS, frame=frame, data_config=data, train_config=train)
        assert again == ids and len(store.list_runs(WS)) == 4
        histories = {r.id: store.history(r.id) for r in runs}
        results = sweep_results(cells, runs, histories)
        assert results["best val_loss"].notna().all() and list(results["depth"]) == [1, 1, 2, 2]
        assert read_sweep(results).startswith("Best: ")
    finally:
        pool.shutdown()


def test_reading_says_when_depth_helps_and_when_it_does_not():
    results = pd.DataFrame(
        {
            "depth": [1, 1, 2, 2, 3],
            "units": [32, 64, 32, 64, 32],
            "params": [100, 200, 300, 400, 500],
            "best val_loss": [1.0, 0.9, 0.8, 0.85, 0.82],
        }
    )
    text = read_sweep(results)
    assert "2 layers of 32 beat the best 1-layer stack (64 units) by 11%" in text
    assert "3 layers did not improve on 2." in text


def test_sweep_bookkeeping_is_not_a_differing_setting(store):
    a = store.create_run(workspace=WS, spec=lstm_stack(4).to_dict(), data_config={}, train_config={"sweep_cell": "a"})
    b = store.create_run(workspace=WS, spec=lstm_stack(8).to_dict(), data_config={}, train_config={"sweep_cell": "b"})
    assert list(differing([a, b]).index) == ["layer 1 units"]


@pytest.mark.parametrize(
    "kind",
    ["regression", "classification", "multi_output"],
)
def test_params_in_the_runs_table_equal_the_built_models(store, kind):
    from slstm.compare import params_of
    from slstm.data import prepare
    from slstm.model import build_model
    from slstm.worker import data_shape

    t = np.arange(300)
    frame = pd.DataFrame({"a": np.sin(t / 5), "b": np.cos(t / 7), "label": np.where(np.sin(t / 9) > 0, "up", "down")})
    config = {
        "regression": DataConfig(("a", "b"), ("a",), lookback=8),
        "classification": DataConfig(("a", "b"), ("label",), lookback=8),
        "multi_output": DataConfig(("a", "b"), ("a", "b"), lookback=8, horizon=3, multi_step=True),
    }[kind]
    windows = prepare(frame, config)
    spec = lstm_stack(6, 4)
    shape = data_shape(windows)
    model = build_model(
        spec, InputShape(timesteps=shape["timesteps"], features=2, outputs=shape["outputs"], task=shape["task"])
    )
    run = store.create_run(workspace=WS, spec=spec.to_dict(), data_config=config_dict(config), train_config={})
    store.set_metrics(run.id, {"task": shape["task"], "shape": shape})
    assert params_of(store.get(run.id)) == model.count_params()
    table = runs_table([store.get(run.id)], {run.id: store.history(run.id)})
    assert int(table.iloc[0]["params"]) == model.count_params()


def test_the_reading_in_chinese_says_the_same_and_english_is_unchanged():
    results = pd.DataFrame(
        {
            "depth": [1, 1, 2, 2, 3],
            "units": [32, 64, 32, 64, 32],
            "params": [100, 200, 300, 400, 500],
            "best val_loss": [1.0, 0.9, 0.8, 0.85, 0.82],
        }
    )
    assert read_sweep(results) == (
        "Best: 2 layer(s) of 32 units (val_loss 0.8, 300 parameters). On this data, 2 layers of 32 beat the best "
        "1-layer stack (64 units) by 11%. 3 layers did not improve on 2. One seed and a fixed budget: differences "
        "of a few percent may be noise; rerun with another seed."
    )
    text = read_sweep(results, lang="zh")
    assert text.startswith("最佳：2 层，每层 32 个单元（val_loss 0.8，参数量 300）。")
    assert "比最好的 1 层网络（64 个单元）低 11%。" in text and "3 层没有比 2 层更好。" in text
    assert "。 " not in text  # Chinese sentences run on without spaces
    flat = results.assign(**{"best val_loss": [0.8, 0.9, 0.85, 0.95, 0.9]})
    assert "超过 1 层并没有带来改进" in read_sweep(flat, lang="zh")
    assert read_sweep(results.head(1), lang="zh") == "已完成的组合太少，还无法比较。"


def test_runs_table_keeps_english_keys_and_gives_headers_and_statuses_per_language(store):
    from slstm.compare import RUN_COLUMNS, runs_headers

    run = add_run(store, lstm_stack(4))
    store.set_status(run.id, "finished", duration=1.0)
    table = runs_table([store.get(run.id)], {run.id: {"val_loss": [0.5]}}, lang="zh")
    assert set(RUN_COLUMNS) <= set(table.columns) and table.iloc[0]["status"] == "已完成"
    assert runs_table([store.get(run.id)], {})["status"].tolist() == ["finished"]
    head = runs_headers(["compare", *table.columns], "zh")
    assert head["best val_loss"] == "最佳 val_loss" and head["test rmse"] == "测试集 RMSE" and head["compare"] == "对比"
    assert runs_headers(table.columns) == {c: c for c in table.columns}  # English headers are the keys


def test_differing_settings_in_chinese_keep_the_settings_own_names(store):
    a = add_run(store, lstm_stack(64, 32))
    b = add_run(store, lstm_stack(64), lr=1e-2)
    table = differing([a, b], lang="zh")
    assert {"层数", "第 2 层 units", "第 1 层 return_sequences", "learning_rate"} <= set(table.index)
    assert table.loc["第 2 层 units"].tolist() == [32, "—"]


def test_a_sweeps_training_settings_keep_the_train_pages_batch_and_rate():
    from slstm.compare import sweep_config

    chosen = TrainConfig(batch_size=None, learning_rate=5e-3, optimizer="sgd", patience=7)
    windows = SimpleNamespace(train=range(1000), val=range(5), task="classification")
    config = sweep_config(chosen, epochs=10, patience=0, windows=windows)
    assert (config.epochs, config.patience, config.learning_rate) == (10, None, 5e-3)
    assert config.batch_size is not None and config.optimizer == "adam"  # fitted to the data; the sweep's own
    assert sweep_config(TrainConfig(batch_size=16), epochs=3, patience=2, windows=windows).patience == 2  # the sweep's
    assert sweep_config(TrainConfig(batch_size=16), epochs=3, patience=2, windows=windows).batch_size == 16


def test_the_sweep_shown_is_the_planned_one_once_on_record_else_the_latest(store):
    from slstm.compare import live_cells, sweep_to_show

    old = plan_sweep([1, 2], [8], fingerprint="old")
    made = [
        store.create_run(
            workspace=WS,
            spec=cell.spec.to_dict(),
            data_config={},
            train_config={"sweep_cell": cell.key, "sweep": cell.fingerprint},
        )
        for cell in old
    ]
    store.set_status(made[0].id, "finished")
    run = made[1]  # still queued
    planned = plan_sweep([3], [4], fingerprint="new")
    cells, last = sweep_to_show(planned, "new", store.list_runs(WS))
    assert last == ("old", [1, 2], [8]) and [c.key for c in cells] == [c.key for c in old]
    runs = store.list_runs(WS)
    assert [r.id for r in live_cells(cells, runs)] == [run.id] and live_cells(planned, runs) == []
    assert sweep_to_show(planned, "old", store.list_runs(WS)) == (planned, None)
    assert sweep_to_show(planned, "new", []) == (planned, None)


def test_the_sweep_form_starts_at_the_latest_sweep_on_record(store):
    from slstm.compare import sweep_settings

    assert sweep_settings([]) == ([1, 2, 3], [16, 32, 64], 10, 3)  # nothing on record: the page's defaults
    for cell in plan_sweep([1, 2], [8, 12], fingerprint="cli"):  # a CLI sweep may use widths the page lacks
        train = {"sweep_cell": cell.key, "sweep": cell.fingerprint, "epochs": 400, "patience": None}
        store.create_run(workspace=WS, spec=cell.spec.to_dict(), data_config={}, train_config=train)
    assert sweep_settings(store.list_runs(WS)) == ([1, 2], [8], 200, 0)  # within what the form offers
    for cell in plan_sweep([5], [12], fingerprint="odd"):  # none of its widths offered: the defaults
        train = {"sweep_cell": cell.key, "sweep": cell.fingerprint, "epochs": 3, "patience": 2}
        store.create_run(workspace=WS, spec=cell.spec.to_dict(), data_config={}, train_config=train)
    assert sweep_settings(store.list_runs(WS)) == ([1, 2, 3], [16, 32, 64], 10, 3)
