"""The workshop room in one language: the join form, the teacher's view of a class experiment (members, the
class's runs, the grid, its reading, the push form) and an attendee's room page with a push from the teacher."""

from __future__ import annotations

import pytest
from i18n_support import check, open_page

from slstm import room_grid
from slstm.data.samples import SAMPLES


class RecordingPool:
    """Stands in for the job pool: the test records the runs' epochs itself (no worker starts)."""

    def check_quota(self, workspace, count=1):
        pass

    def submit(self, inputs):
        pass


def join(code: str, name: str, lang: str):
    at = open_page("pages/room.py", lang)
    at.text_input(key="room_code").input(code)
    at.text_input(key="room_name").input(name).run()
    at.button(key="room_join").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_class_experiment_reads_in_one_language_for_teacher_and_attendee(lang):
    teacher = open_page("pages/room.py", lang)
    check(teacher, lang)  # the join form and "teach a workshop"
    teacher.button(key="room_open").click().run()
    key = teacher.session_state["teacher_key"]
    rooms, store = teacher.session_state["room_store"], teacher.session_state["run_store"]
    code = rooms.room_for_key(key).code
    ada, bob = join(code, "Ada", lang), join(code, "Bob", lang)
    grid = room_grid.start_grid(
        rooms, code, key, row_axis="depth", row_values=(1, 2), col_axis="units", col_values=(4, 8),
        sample="sine_trend", epochs=2,
    )  # fmt: skip
    frame = SAMPLES["sine_trend"].make()
    for at, losses in ((ada, (0.6, 0.4)), (bob, (0.7, 0.5))):
        ws = at.session_state["ws"]
        run = room_grid.submit_cell(store, RecordingPool(), rooms, grid, room_grid.deal(rooms, grid, ws), ws, frame)
        for epoch, loss in enumerate(losses, 1):
            store.add_epoch(run, epoch, {"loss": loss, "val_loss": loss}, seconds=0.1)
        store.set_status(run, "finished", message="Finished.")
    rooms.show_grid(code, key, True)
    teacher.switch_page("pages/teacher.py").run()
    check(teacher, lang, allowed_names=("Ada", "Bob"))
    reading = [t.value for t in teacher.text if "Ada" not in t.value]
    assert any(("最好的是" if lang == "zh" else "Best:") in r for r in reading), reading
    teacher.text_input(key="push_note").input("Ada 和 Bob" if lang == "zh" else "two layers now")
    next(b for b in teacher.button if b.label == ("推送" if lang == "zh" else "Push")).click()
    teacher.run()
    check(teacher, lang, allowed_names=("Ada", "Bob", "two layers now"))
    ada.run()
    check(ada, lang, allowed_names=("Ada", "Bob", "two layers now"))
    assert [c for c in ada.text if ("已完成" if lang == "zh" else "finished") in c.value]
