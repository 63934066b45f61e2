"""The Room page's sections: joining (or opening a room as its teacher), the class experiment's cell dealt to
this attendee with the room's grid, and which runs the room sees."""

from __future__ import annotations

import os

import streamlit as st

from pages.ui.frame import Frame
from pages.ui.resources import sample_frame
from slstm import room_grid
from slstm.compare import best_val_loss
from slstm.errors import SlstmError
from slstm.figures.room import grid_figure
from slstm.i18n import labels, translator
from slstm.text import escape_markdown


def _join(f: Frame) -> None:
    ss, _ = st.session_state, translator(f.lang)
    try:
        member = f.rooms.join(ss.get("room_code"), ss["ws"], ss.get("room_name"))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(f.lang))
        return
    ss["room_message"] = ("success", _("room.join.done", code=member.code, name=member.name))


def _open_room(f: Frame) -> None:
    ss = st.session_state
    try:
        _, key = f.rooms.open_room(server_key=ss.get("room_server_key"))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(f.lang))
        return
    ss["teacher_key"], ss["goto_teacher"] = key, True


def leave(f: Frame, code: str) -> None:
    f.rooms.leave(code, st.session_state["ws"])
    st.session_state["room_message"] = ("success", translator(f.lang)("room.member.left"))


def message() -> None:
    kind, text = st.session_state.pop("room_message", (None, ""))
    if kind:
        getattr(st, kind)(escape_markdown(text))


def join_form(f: Frame) -> None:
    """The code and display name to join with, and a way for a teacher to open a room."""
    _ = translator(f.lang)
    st.write(_("room.join.intro"))
    st.text_input(
        _("room.join.code"), value=st.query_params.get("room", ""), key="room_code", help=_("room.join.code_help")
    )
    st.text_input(_("room.join.name"), key="room_name", max_chars=24, help=_("room.join.name_help"))
    st.button(_("room.join.button"), key="room_join", type="primary", on_click=_join, args=(f,))
    message()
    with st.expander(_("room.teach.title"), icon=":material/co_present:"):
        st.caption(_("room.teach.intro"))
        if os.environ.get("SLSTM_TEACHER_KEY"):
            st.text_input(
                _("room.teach.server_key"), key="room_server_key", type="password", help=_("room.teach.server_key_help")
            )
        st.button(_("room.teach.open"), key="room_open", on_click=_open_room, args=(f,))
        if st.session_state.get("teacher_key"):
            st.page_link("pages/teacher.py", label=_("room.teach.back"), icon=":material/co_present:")


def _train(f: Frame, grid, cell: int) -> None:
    ss, _ = st.session_state, translator(f.lang)
    try:
        frame = sample_frame(grid.sample)
        run_id = room_grid.submit_cell(f.store, f.pool, f.rooms, grid, cell, ss["ws"], frame, lang=f.lang)
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(f.lang))
        return
    ss["room_message"] = ("success", _("room.grid.started", label=grid.label(cell, f.lang)))
    ss["room_watch"] = run_id


def _take(f: Frame, grid, key: str) -> None:
    ss = st.session_state
    try:
        room_grid.take(f.rooms, grid, ss["ws"], ss.get(key))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(f.lang))


def my_cells(f: Frame, grid) -> bool:
    """The member's cells and how their runs go; True while one is queued or training."""
    _, live = translator(f.lang), False
    for a in room_grid.assignments(f.rooms, grid):
        if a["workspace"] != f.ws or a["run_id"] is None or (run := f.store.get(a["run_id"])) is None:
            continue
        job, label = f.pool.get(run.id), grid.label(a["cell"], f.lang)
        if job is not None and not job.done:
            f.pool.touch(run.id)
            live = True
            status = _(f"common.status.{job.status}")
            st.text(_("room.grid.cell_status", label=label, status=status, epoch=job.epoch, epochs=job.epochs))
        else:
            loss = best_val_loss(f.store.history(run.id))
            loss, status = "—" if loss is None else f"{loss:.4g}", _(f"common.status.{run.status}")
            st.text(_("room.grid.cell_done", label=label, status=status, epochs=run.epochs_done, loss=loss))
    return live


def _your_cell(f: Frame, grid, cell: int) -> None:
    _ = translator(f.lang)
    st.markdown(f"**{escape_markdown(_('room.grid.yours', label=grid.label(cell, f.lang)))}**")
    others = room_grid.assignments(f.rooms, grid)
    seed = sum(1 for a in others if a["cell"] == cell and a["run_id"] and a["workspace"] != f.ws)
    sample = _(f"samples.{grid.sample}.title")
    st.caption(_("room.grid.settings", sample=sample, lookback=grid.lookback, epochs=grid.epochs, seed=seed))
    st.button(_("room.grid.train"), key="room_train", type="primary", on_click=_train, args=(f, grid, cell))


def _pick_cell(f: Frame, grid) -> None:
    _ = translator(f.lang)
    st.caption(_("room.grid.all_done"))
    free = room_grid.free_cells(f.rooms, grid, f.ws)
    if not free:
        return
    counts = {c: sum(1 for a in room_grid.assignments(f.rooms, grid) if a["cell"] == c) for c in free}

    # Options are labelled by the cell alone (a label that changed between drawing and clicking would come back
    # as its text, not the cell); the widget is a new one whenever the cells' counts or the language change, so
    # its default is again the cell that needs training most, never a pick made before others trained it
    key = f"room_pick_{grid.id}_{f.lang}_" + "_".join(f"{c}x{counts[c]}" for c in free)
    pick = st.selectbox(_("room.grid.pick"), free, key=key, format_func=lambda c: grid.label(c, f.lang))
    if pick in counts:
        st.caption(_("room.grid.trained", count=counts[pick]) if counts[pick] else _("room.grid.free"))
    st.button(_("room.grid.take"), key="room_take", on_click=_take, args=(f, grid, key))


def experiment(f: Frame, code: str) -> None:
    """The class experiment: this attendee's cell (or a free one to take) and, if shown, the room's grid."""
    _, ss = translator(f.lang), st.session_state
    f.pool.pump()
    grid = room_grid.current_grid(f.rooms, code)
    st.subheader(_("room.grid.title"))
    if grid is None:
        st.info(_("room.grid.none"))
        return
    cell = room_grid.deal(f.rooms, grid, f.ws, f.store)
    live = my_cells(f, grid)
    if cell is not None:
        _your_cell(f, grid, cell)
    else:
        _pick_cell(f, grid)
    if f.rooms.room(code).show_grid:
        results = room_grid.grid_results(f.store, f.rooms, grid, lang=f.lang)
        figure = grid_figure(
            grid, results, title=_("room.grid.room_grid"), labels=labels("room.fig", f.lang), lang=f.lang
        )
        st.plotly_chart(figure, key="room_grid_chart")
        st.caption(room_grid.read_grid(grid, results, lang=f.lang))
    if live != ss.get("room_live", False):  # start or stop ticking
        ss["room_live"] = live
        st.rerun()


def _set_share(f: Frame, code: str, run_id: str) -> None:
    ss = st.session_state
    try:
        f.rooms.share(code, ss["ws"], run_id, bool(ss[f"room_share_{run_id}"]))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(f.lang))


def shared_runs(f: Frame, code: str) -> None:
    """A toggle per run of this workspace: whether the room (its teacher) sees it."""
    _, ss = translator(f.lang), st.session_state
    runs, shared = f.store.list_runs(f.ws), f.rooms.shared(code)
    if not runs:
        st.caption(_("room.runs.none"))
    for run in runs[:20]:
        ss[f"room_share_{run.id}"] = run.id in shared
        epochs = _("common.epochs", count=run.epochs_done)
        name = _("room.runs.run", name=run.name, status=_(f"common.status.{run.status}"), epochs=epochs)
        st.toggle(
            escape_markdown(_("room.runs.share", name=name)),
            key=f"room_share_{run.id}",
            on_change=_set_share,
            args=(f, code, run.id),
            help=_("room.runs.share_help"),
        )
