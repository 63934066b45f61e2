"""Teacher (only with the room's teacher key, kept in this browser's cookie): who is in the room and what they
train, live; the class's shared runs best first, with a CSV; pushes to every screen; the class experiment."""

import time

import pandas as pd
import streamlit as st

from pages import serve_through_app
from slstm import compare, compare_plots, lessons, room_grid
from slstm.errors import SlstmError
from slstm.room_plots import grid_figure
from slstm.room_text import say
from slstm.rooms import teacher_cookie_script
from slstm.samples import SAMPLES
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
store, pool, rooms = ss["run_store"], ss["job_pool"], ss["room_store"]
key = ss.get("teacher_key")
room = rooms.room_for_key(key)
if room is None:  # reached without the key (an edited address, a closed room): nothing of the room is shown
    st.error(say("teacher.denied"))
    st.page_link("pages/room.py", label=say("page.room"), icon=":material/groups:")
    st.stop()
code = room.code
st.html(teacher_cookie_script(key), unsafe_allow_javascript=True)
st.title(say("teacher.title", code=code))
c = st.columns([1, 3])
c[0].metric(say("teacher.code"), code)
base = (st.context.url or "").split("?")[0].rstrip("/").removesuffix("/teacher")
c[1].caption(say("teacher.link"))
c[1].code(f"{base}/room?room={code}", language=None)


def ago(when: float | None) -> str:
    return "—" if when is None else say("ago", seconds=int(time.time() - when))


def class_view() -> None:
    pool.pump()
    members = {m.workspace: m for m in rooms.members(code)}
    shared = rooms.shared(code)
    runs = [r for run_id in shared if (r := store.get(run_id)) is not None]
    live = [r for r in runs if (job := pool.get(r.id)) is not None and not job.done]
    st.subheader(say("teacher.members"))
    if not members:
        st.info(say("teacher.no_members"))
    else:
        rows = [
            {
                say("col.name"): m.name,
                say("col.stack"): m.stack or "—",
                say("col.joined"): ago(m.joined),
                say("col.seen"): ago(m.seen),
                say("col.shared"): sum(1 for ws in shared.values() if ws == m.workspace),
                say("col.training"): sum(1 for r in live if r.workspace == m.workspace),
            }
            for m in members.values()
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="teacher_members")
    st.subheader(say("teacher.runs"))
    if not runs:
        st.caption(say("teacher.no_runs"))
        return
    histories = {r.id: store.history(r.id) for r in runs}
    table = compare.runs_table(runs, histories)
    for r in live:  # the store says 'queued' until the pool's first events are saved; show the pool's view
        job = pool.get(r.id)
        table.loc[table["id"] == r.id, ["status", "epochs"]] = [job.status, max(job.epoch, r.epochs_done)]
    table.insert(0, say("col.member"), [members[shared[r.id]].name for r in runs])
    table = table.sort_values("best val_loss", na_position="last").drop(columns=["id"])
    st.dataframe(table, hide_index=True, width="stretch", key="teacher_runs")
    st.download_button(
        say("teacher.csv"),
        compare.runs_csv(table),
        f"{code}-class.csv",
        "text/csv",
        key="teacher_csv",
        on_click="ignore",
    )
    best = [r for r in sorted(runs, key=lambda r: compare.best_val_loss(histories[r.id]) or float("inf"))][:6]
    named = {f"{members[shared[r.id]].name} · {r.name}": histories[r.id] for r in best if histories[r.id]["epoch"]}
    if named:
        st.plotly_chart(
            compare_plots.overlaid_curves(named).update_layout(title=say("teacher.curves")), key="teacher_curves"
        )


st.fragment(class_view, run_every=3)()

st.subheader(say("teacher.push"))
last = rooms.latest_push(code)
if last is not None:
    st.caption(escape_markdown(say("teacher.last_push", version=last.version, note=last.note or "—")))
with st.form("teacher_push_form"):
    push_stack = st.checkbox(escape_markdown(say("teacher.push_stack", stack=ss["spec"].short())), key="push_stack")
    sample = st.selectbox(
        say("teacher.push_sample"), [None, *SAMPLES], key="push_sample",
        format_func=lambda k: say("teacher.unchanged") if k is None else SAMPLES[k].title,
    )  # fmt: skip
    titles = lessons.texts("en").lessons
    lesson = st.selectbox(
        say("teacher.push_lesson"), [None, *titles], key="push_lesson",
        format_func=lambda n: say("teacher.unchanged") if n is None else f"{n}. {titles[n].title}",
    )  # fmt: skip
    set_hide = st.checkbox(say("teacher.push_hide_set"), key="push_hide_set")
    hide = st.multiselect(
        say("teacher.push_hide"), list(lessons.HIDE_FLAGS), key="push_hide", format_func=lessons.HIDE_FLAGS.get
    )
    note = st.text_input(say("teacher.push_note"), key="push_note", max_chars=300)
    if st.form_submit_button(say("teacher.push_button"), type="primary"):
        payload = {
            "spec": ss["spec"].to_dict() if push_stack else None,
            "sample": sample,
            "lesson": lesson,
            "hide": list(hide) if set_hide else None,
        }
        try:
            sent = rooms.push(code, key, note=note, payload=payload)
            st.success(say("teacher.pushed", version=sent.version))
        except SlstmError as exc:
            st.error(escape_markdown(str(exc)))

st.subheader(say("teacher.grid"))
with st.form("teacher_grid_form"):
    c = st.columns(4)
    row_axis = c[0].selectbox(say("teacher.rows"), room_grid.AXES, index=0, key="grid_rows")
    row_text = c[1].text_input(say("teacher.row_values"), "1, 2", key="grid_row_values")
    col_axis = c[2].selectbox(say("teacher.cols"), room_grid.AXES, index=1, key="grid_cols")
    col_text = c[3].text_input(say("teacher.col_values"), "16, 32", key="grid_col_values")
    c = st.columns(3)
    grid_sample = c[0].selectbox(
        say("teacher.sample"), list(SAMPLES), key="grid_sample", format_func=lambda k: SAMPLES[k].title
    )
    epochs = c[1].number_input(say("teacher.epochs"), 1, 500, 10, key="grid_epochs")
    lookback = c[2].number_input(say("teacher.lookback"), 1, 1000, 24, key="grid_lookback")
    if st.form_submit_button(say("teacher.start"), type="primary"):
        try:
            started = room_grid.start_grid(
                rooms, code, key, row_axis=row_axis, row_values=room_grid.parse_values(row_axis, row_text),
                col_axis=col_axis, col_values=room_grid.parse_values(col_axis, col_text), sample=grid_sample,
                epochs=int(epochs), lookback=int(lookback),
            )  # fmt: skip
            st.success(say("teacher.started", id=started.id, cells=len(started.cells())))
        except SlstmError as exc:
            st.error(escape_markdown(str(exc)))


def grid_view() -> None:
    grid = room_grid.current_grid(rooms, code)
    if grid is None:
        return
    results = room_grid.grid_results(store, rooms, grid)
    st.plotly_chart(grid_figure(grid, results), key="teacher_grid_chart")
    st.text(room_grid.read_grid(grid, results))
    names = {m.workspace: m.name for m in rooms.members(code)}
    holders = {}
    for a in room_grid.assignments(rooms, grid):
        holders.setdefault(a["cell"], []).append(names.get(a["workspace"], "?"))
    table = results[["label", "state", "runs", "best val_loss", "spread"]].rename(columns={"label": say("col.cell")})
    table.insert(1, say("col.member"), [", ".join(holders.get(i, [])) for i in results["cell"]])
    st.dataframe(table, hide_index=True, width="stretch", key="teacher_grid_table")


def show_grid() -> None:
    rooms.show_grid(code, key, ss["teacher_show_grid"])


ss["teacher_show_grid"] = room.show_grid
st.toggle(say("teacher.show_grid"), key="teacher_show_grid", on_change=show_grid)
st.fragment(grid_view, run_every=3)()


def close() -> None:
    rooms.close_room(code, key)
    ss["teacher_key"] = None


st.button(say("teacher.close"), key="teacher_close", on_click=close, help=say("teacher.close_help"))
