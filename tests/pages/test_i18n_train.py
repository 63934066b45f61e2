"""The Train page in one language: before any run, an untrainable stack, a live run and a finished one (its
verdict, tables, curves, predictions, downloads and the run's own line)."""

from __future__ import annotations

import time

import pytest
from i18n_support import CJK, check, open_page

from slstm.spec import lstm_stack


def finish(at, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        store, run_id = at.session_state["run_store"], at.session_state["active_run"]
        if store.get(run_id).status in ("finished", "stopped", "failed") and at.subheader:
            return at
        time.sleep(0.3)
    raise AssertionError("the run did not finish in time")


def downloads(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_train_page_before_and_after_a_run_speaks_one_language(lang):
    at = open_page("pages/train.py", lang)
    check(at, lang)  # the settings and "no runs yet"
    at.session_state["spec"] = lstm_stack(4, 4)
    at.number_input(key="epochs").set_value(2).run()
    at.button(key="train").click().run()
    check(at, lang)  # queued or training: the progress line and Stop
    at = finish(at)
    check(at, lang)
    labels = downloads(at)
    assert len(labels) == 4 and all(bool(CJK.search(label)) == (lang == "zh") for label in labels)
    run = at.session_state["run_store"].get(at.session_state["active_run"])
    assert run.name == ("第 1 次训练" if lang == "zh" else "run 1")
    line = next(c.value for c in at.caption if c.value.startswith(run.name))
    assert ("已完成" if lang == "zh" else "finished") in line
    assert line.count("已完成" if lang == "zh" else "inished") == 1  # "finished · 2 epochs", not "· Finished." again


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_untrainable_stack_is_explained_in_one_language(lang):
    at = open_page("pages/train.py", lang)
    at.session_state["spec"] = lstm_stack(4, 4).with_layer(0, return_sequences=False)
    at.run()
    assert len(at.error) == 1 and not [b for b in at.button if b.key == "train"]
    check(at, lang)
