"""The Teacher page's sections: the class live (members, shared runs best first, their curves), the push
form, the class-experiment form and its grid."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from pages.ui.frame import Frame
from slstm import compare, lessons, room_grid
from slstm.data.samples import SAMPLES
from slstm.errors import SlstmError
from slstm.figures import compare as compare_plots
from slstm.figures.room import grid_figure
from slstm.i18n import labels, translator
from slstm.text import escape_markdown


def _ago(_, when: float | None) -> str:
    return "—" if when is None else _("room.ago", seconds=int(time.time() - when))


def _members_table(f: Frame, members: dict, shared: dict, live: list) -> None:
    _ = translator(f.lang)
    rows = [
        {
            _("room.col.name"): m.name,
            _("room.col.stack"): m.stack or "—",
            _("room.col.joined"): _ago(_, m.joined),
            _("room.col.seen"): _ago(_, m.seen),
            _("room.col.shared"): sum(1 for ws in shared.values() if ws == m.workspace),
            _("room.col.training"): sum(1 for r in live if r.workspace == m.workspace),
        }
        for m in members.values()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="teacher_members")


def class_view(f: Frame, code: str) -> None:
    """Who is in the room and what they train; the runs they share, best first, with a CSV and their curves."""
    _, store, pool, rooms = translator(f.lang), f.store, f.pool, f.rooms
    pool.pump()
    members = {m.workspace: m for m in rooms.members(code)}
    shared = rooms.shared(code)
    runs = [r for run_id in shared if (r := store.get(run_id)) is not None]
    live = [r for r in runs if (job := pool.get(r.id)) is not None and not job.done]
    st.subheader(_("room.teacher.members"))
    if not members:
        st.info(_("room.teacher.no_members"))
    else:
        _members_table(f, members, shared, live)
    st.subheader(_("room.teacher.runs"))
    if not runs:
        st.caption(_("room.teacher.no_runs"))
        return
    histories = {r.id: store.history(r.id) for r in runs}
    table = compare.runs_table(runs, histories, lang=f.lang)
    for r in live:  # the store says 'queued' until the pool's first events are saved; show the pool's view
        job = pool.get(r.id)
        status = _(f"common.status.{job.status}")
        table.loc[table["id"] == r.id, ["status", "epochs"]] = [status, max(job.epoch, r.epochs_done)]
    table.insert(0, "member", [members[shared[r.id]].name for r in runs])
    table = table.sort_values("best val_loss", na_position="last").drop(columns=["id"])
    headers = {"member": _("room.col.member"), **compare.runs_headers(table.columns.drop("member"), f.lang)}
    shown = table.rename(columns=headers).astype(object).where(table.notna().to_numpy(), "—")  # a cut run: no metric
    st.dataframe(shown, hide_index=True, width="stretch", key=f"teacher_runs_{f.lang}")
    csv = compare.runs_csv(table)
    st.download_button(
        _("room.teacher.csv"), csv, f"{code}-class.csv", "text/csv", key="teacher_csv", on_click="ignore"
    )
    best = sorted(runs, key=lambda r: compare.best_val_loss(histories[r.id]) or float("inf"))[:6]
    named = {f"{members[shared[r.id]].name} · {r.name}": histories[r.id] for r in best if histories[r.id]["epoch"]}
    if named:
        figure = compare_plots.overlaid_curves(named).update_layout(title=_("room.teacher.curves"))
        st.plotly_chart(figure, key="teacher_curves")


def push_form(f: Frame, code: str, key: str) -> None:
    """Send a stack, a sample, a lesson step and hide flags, with a note, to every screen in the room."""
    _, ss = translator(f.lang), st.session_state
    last = f.rooms.latest_push(code)
    if last is not None:
        st.caption(escape_markdown(_("room.teacher.last_push", version=last.version, note=last.note or "—")))
    with st.form("teacher_push_form"):
        push_stack = st.checkbox(escape_markdown(_("room.teacher.push_stack", stack=f.spec.short())), key="push_stack")
        sample = st.selectbox(
            _("room.teacher.push_sample"), [None, *SAMPLES], key="push_sample",
            format_func=lambda k: _("room.teacher.unchanged") if k is None else _(f"samples.{k}.title"),
        )  # fmt: skip
        titles = lessons.texts(f.lang).lessons
        lesson = st.selectbox(
            _("room.teacher.push_lesson"), [None, *titles], key="push_lesson",
            format_func=lambda n: _("room.teacher.unchanged") if n is None else f"{n}. {titles[n].title}",
        )  # fmt: skip
        set_hide = st.checkbox(_("room.teacher.push_hide_set"), key="push_hide_set")
        flags = lessons.texts(f.lang).flags.get
        hide = st.multiselect(_("room.teacher.push_hide"), list(lessons.HIDE_FLAGS), key="push_hide", format_func=flags)
        note = st.text_input(_("room.teacher.push_note"), key="push_note", max_chars=300)
        if st.form_submit_button(_("room.teacher.push_button"), type="primary"):
            payload = {
                "spec": ss["spec"].to_dict() if push_stack else None,
                "sample": sample,
                "lesson": lesson,
                "hide": list(hide) if set_hide else None,
            }
            try:
                sent = f.rooms.push(code, key, note=note, payload=payload)
                st.success(_("room.teacher.pushed", version=sent.version))
            except SlstmError as exc:
                st.error(escape_markdown(exc.text(f.lang)))


def grid_form(f: Frame, code: str, key: str) -> None:
    """Start a class experiment: two axes with their values, a sample, epochs and lookback."""
    _ = translator(f.lang)

    def axis_name(axis: str) -> str:
        return _(f"room.axis_name.{axis}")

    with st.form("teacher_grid_form"):
        c = st.columns(4)
        row_axis = c[0].selectbox(
            _("room.teacher.rows"), room_grid.AXES, index=0, key="grid_rows", format_func=axis_name
        )
        row_text = c[1].text_input(_("room.teacher.row_values"), "1, 2", key="grid_row_values")
        col_axis = c[2].selectbox(
            _("room.teacher.cols"), room_grid.AXES, index=1, key="grid_cols", format_func=axis_name
        )
        col_text = c[3].text_input(_("room.teacher.col_values"), "16, 32", key="grid_col_values")
        c = st.columns(3)
        grid_sample = c[0].selectbox(
            _("room.teacher.sample"), list(SAMPLES), key="grid_sample", format_func=lambda k: _(f"samples.{k}.title")
        )
        epochs = c[1].number_input(_("room.teacher.epochs"), 1, 500, 10, key="grid_epochs")
        lookback = c[2].number_input(_("room.teacher.lookback"), 1, 1000, 24, key="grid_lookback")
        if st.form_submit_button(_("room.teacher.start"), type="primary"):
            try:
                started = room_grid.start_grid(
                    f.rooms, code, key, row_axis=row_axis, row_values=room_grid.parse_values(row_axis, row_text),
                    col_axis=col_axis, col_values=room_grid.parse_values(col_axis, col_text), sample=grid_sample,
                    epochs=int(epochs), lookback=int(lookback),
                )  # fmt: skip
                st.success(_("room.teacher.started", id=started.id, cells=len(started.cells())))
            except SlstmError as exc:
                st.error(escape_markdown(exc.text(f.lang)))


def grid_view(f: Frame, code: str) -> None:
    """The class experiment's grid, read in words, and who holds each cell."""
    _, rooms = translator(f.lang), f.rooms
    grid = room_grid.current_grid(rooms, code)
    if grid is None:
        return
    results = room_grid.grid_results(f.store, rooms, grid, lang=f.lang)
    figure = grid_figure(grid, results, labels=labels("room.fig", f.lang), lang=f.lang)
    st.plotly_chart(figure, key="teacher_grid_chart")
    st.text(room_grid.read_grid(grid, results, lang=f.lang))
    names = {m.workspace: m.name for m in rooms.members(code)}
    holders = {}
    for a in room_grid.assignments(rooms, grid):
        holders.setdefault(a["cell"], []).append(names.get(a["workspace"], "?"))
    table = results[["label", "state", "runs", "best val_loss", "spread"]].assign(
        state=[_(f"room.fig.state.{s}") for s in results["state"]]
    )
    table = table.rename(columns={c: _(f"room.col.{c.replace(' ', '_')}") for c in table.columns})
    table.insert(1, _("room.col.member"), [", ".join(holders.get(i, [])) for i in results["cell"]])
    st.dataframe(table, hide_index=True, width="stretch", key="teacher_grid_table")


def show_grid(f: Frame, code: str, key: str) -> None:
    f.rooms.show_grid(code, key, st.session_state["teacher_show_grid"])


def close(f: Frame, code: str, key: str) -> None:
    f.rooms.close_room(code, key)
    st.session_state["teacher_key"] = None
