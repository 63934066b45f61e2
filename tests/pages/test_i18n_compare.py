"""Acceptance for the translated Compare page: every text it shows (the runs table's headers, labels, captions,
the delete question, figure titles, axes and legends, the sweep's progress and reading) in one language, for an
empty workspace, finished runs and a small sweep."""

from __future__ import annotations

import time

import pytest
from i18n_support import check, open_page
from support import figures, plain, seed_runs

from slstm.spec import lstm_stack

LANGS = ["en", "zh"]
METRICS = {
    "task": "regression",
    "test": {"model": {"rmse": 0.5, "mae": 0.4}, "persistence (last value)": {"rmse": 0.6}},
}


def titles(at) -> list[str]:
    return [f["layout"]["title"]["text"] for f in figures(at)]


def headers(at) -> list[str]:
    return list(at.data_editor(key=at.session_state["runs_editor_key"]).value.columns)


@pytest.mark.parametrize("lang", LANGS)
def test_an_empty_workspace_speaks_one_language(lang):
    at = open_page("pages/compare.py", lang)
    check(at, lang)
    assert at.button(key="run_sweep").label == ("Run sweep (9 cells)" if lang == "en" else "开始网格搜索（9 个组合）")


@pytest.mark.parametrize("lang", LANGS)
def test_finished_runs_their_differences_curves_and_the_delete_question_speak_one_language(lang):
    at = open_page("pages/data.py", lang)
    seed_runs(at, [lstm_stack(8), lstm_stack(16, 8), lstm_stack(16, 8)], epochs=2, metrics=METRICS)
    at.switch_page("pages/compare.py").run()
    check(at, lang)
    if lang == "en":
        assert headers(at)[:5] == ["compare", "delete", "name", "created", "architecture"]
        assert {"Loss curves", "test rmse against the baseline"} <= set(titles(at))
    else:
        assert headers(at)[:5] == ["对比", "删除", "名称", "创建时间", "网络结构"]
        assert {"测试集 RMSE", "状态", "最佳 val_loss"} <= set(headers(at))
        assert {"损失曲线", "测试集 RMSE：模型与基线对比"} <= set(titles(at))
        assert set(at.data_editor(key=at.session_state["runs_editor_key"]).value["状态"]) == {"已完成"}
    at.radio(key="curves_by").set_value("time").run()
    at.checkbox(key="curves_log").check().run()
    check(at, lang)
    key, delete = at.session_state["runs_editor_key"], headers(at)[1]
    at.session_state[key] = {"edited_rows": {0: {delete: True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="delete_runs").click().run()
    check(at, lang)  # the question before deleting
    assert ("for good" if lang == "en" else "永久删除 1 次训练") in plain(at.warning[0].value)
    at.button(key="delete_confirm").click().run()
    check(at, lang)
    assert ("Deleted 1 run." if lang == "en" else "已删除 1 次训练。") in plain(at.success[0].value)


@pytest.mark.parametrize("lang", LANGS)
def test_a_small_sweep_and_its_reading_speak_one_language(lang):
    at = open_page("pages/compare.py", lang)
    at.multiselect(key="sweep_depths").set_value([1, 2]).run()
    at.multiselect(key="sweep_widths").set_value([4]).run()
    at.number_input(key="sweep_epochs").set_value(1).run()
    at.button(key="run_sweep").click().run()
    best = "Best: " if lang == "en" else "最佳："
    deadline = time.time() + 180
    while time.time() < deadline and not any(m.value.startswith(best) for m in at.markdown):
        time.sleep(0.5)
        at.run()
    assert any(m.value.startswith(best) for m in at.markdown)
    check(at, lang)  # the sweep's charts and reading, and its runs in the table
    names = sorted(r.name for r in at.session_state["run_store"].list_runs(at.session_state["ws"]))
    assert names == (["sweep 1×4", "sweep 2×4"] if lang == "en" else ["网格搜索 1×4", "网格搜索 2×4"])
    depth = "Best validation loss by depth" if lang == "en" else "不同层数下的最佳验证损失"
    assert depth in titles(at)
