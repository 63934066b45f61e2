"""Room (attendee): join a workshop room with its code and a display name; see the teacher's pushes; train the
cell of the class experiment dealt to you; choose which of your runs the room sees. A teacher opens a room here."""

import os

import streamlit as st

from pages import serve_through_app
from slstm import room_grid
from slstm.compare import best_val_loss
from slstm.errors import SlstmError
from slstm.room_plots import grid_figure
from slstm.room_text import say
from slstm.samples import SAMPLES
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
store, pool, rooms = ss["run_store"], ss["job_pool"], ss["room_store"]
if ss.pop("goto_teacher", False) and ss.get("teacher_key"):
    st.switch_page("pages/teacher.py")
st.title(say("title"))


@st.cache_resource(max_entries=8, show_spinner=False)
def sample_frame(key: str):
    return SAMPLES[key].make()


def join() -> None:
    try:
        member = rooms.join(ss.get("room_code"), ss["ws"], ss.get("room_name"))
    except SlstmError as exc:
        ss["room_message"] = ("error", str(exc))
        return
    ss["room_message"] = ("success", say("join.done", code=member.code, name=member.name))


def open_room() -> None:
    try:
        _, key = rooms.open_room(server_key=ss.get("room_server_key"))
    except SlstmError as exc:
        ss["room_message"] = ("error", str(exc))
        return
    ss["teacher_key"], ss["goto_teacher"] = key, True


def leave(code: str) -> None:
    rooms.leave(code, ss["ws"])
    ss["room_message"] = ("success", say("member.left"))


def message() -> None:
    kind, text = ss.pop("room_message", (None, ""))
    if kind:
        getattr(st, kind)(escape_markdown(text))


member = ss["room_member"] = rooms.membership(ss["ws"])
if member is None:
    st.write(say("join.intro"))
    st.text_input(say("join.code"), value=st.query_params.get("room", ""), key="room_code", help=say("join.code_help"))
    st.text_input(say("join.name"), key="room_name", max_chars=24, help=say("join.name_help"))
    st.button(say("join.button"), key="room_join", type="primary", on_click=join)
    message()
    with st.expander(say("teach.title"), icon=":material/co_present:"):
        st.caption(say("teach.intro"))
        if os.environ.get("SLSTM_TEACHER_KEY"):
            st.text_input(
                say("teach.server_key"), key="room_server_key", type="password", help=say("teach.server_key_help")
            )
        st.button(say("teach.open"), key="room_open", on_click=open_room)
        if ss.get("teacher_key"):
            st.page_link("pages/teacher.py", label=say("teach.back"), icon=":material/co_present:")
    st.stop()

st.subheader(say("member.header", code=member.code))
st.text(say("member.you", name=member.name, code=member.code))
message()


def train(grid, cell: int) -> None:
    try:
        run_id = room_grid.submit_cell(store, pool, rooms, grid, cell, ss["ws"], sample_frame(grid.sample))
    except SlstmError as exc:
        ss["room_message"] = ("error", str(exc))
        return
    ss["room_message"] = ("success", say("grid.started", label=grid.label(cell)))
    ss["room_watch"] = run_id


def take(grid) -> None:
    room_grid.take(rooms, grid, ss["ws"], ss["room_pick"])


def my_cells(grid) -> bool:
    """The member's cells and how their runs go; True while one is queued or training."""
    live = False
    for a in room_grid.assignments(rooms, grid):
        if a["workspace"] != ss["ws"] or a["run_id"] is None or (run := store.get(a["run_id"])) is None:
            continue
        job, label = pool.get(run.id), grid.label(a["cell"])
        if job is not None and not job.done:
            pool.touch(run.id)
            live = True
            st.text(say("grid.cell_status", label=label, status=job.status, epoch=job.epoch, epochs=job.epochs))
        else:
            loss = best_val_loss(store.history(run.id))
            text = "—" if loss is None else f"{loss:.4g}"
            st.text(say("grid.cell_done", label=label, status=run.status, epochs=run.epochs_done, loss=text))
    return live


def experiment() -> None:
    pool.pump()
    grid = room_grid.current_grid(rooms, member.code)
    st.subheader(say("grid.title"))
    if grid is None:
        st.info(say("grid.none"))
        return
    cell = room_grid.deal(rooms, grid, ss["ws"], store)
    live = my_cells(grid)
    if cell is not None:
        st.markdown(f"**{escape_markdown(say('grid.yours', label=grid.label(cell)))}**")
        seed = sum(
            1
            for a in room_grid.assignments(rooms, grid)
            if a["cell"] == cell and a["run_id"] and a["workspace"] != ss["ws"]
        )
        st.caption(
            say(
                "grid.settings",
                sample=SAMPLES[grid.sample].title,
                lookback=grid.lookback,
                epochs=grid.epochs,
                seed=seed,
            )
        )
        st.button(say("grid.train"), key="room_train", type="primary", on_click=train, args=(grid, cell))
    else:
        st.caption(say("grid.all_done"))
        free = room_grid.free_cells(rooms, grid, ss["ws"])
        if free:
            counts = {c: sum(1 for a in room_grid.assignments(rooms, grid) if a["cell"] == c) for c in free}
            st.selectbox(
                say("grid.pick"),
                free,
                key="room_pick",
                format_func=lambda c: (
                    say("grid.free", label=grid.label(c))
                    if not counts[c]
                    else say("grid.trained", label=grid.label(c), count=counts[c])
                ),
            )
            st.button(say("grid.take"), key="room_take", on_click=take, args=(grid,))
    if rooms.room(member.code).show_grid:
        results = room_grid.grid_results(store, rooms, grid)
        st.plotly_chart(grid_figure(grid, results, title=say("grid.room_grid")), key="room_grid_chart")
        st.caption(room_grid.read_grid(grid, results))
    if live != ss.get("room_live", False):  # start or stop ticking
        ss["room_live"] = live
        st.rerun()


st.fragment(experiment, run_every=2 if ss.get("room_live") else None)()


def set_share(run_id: str) -> None:
    try:
        rooms.share(member.code, ss["ws"], run_id, bool(ss[f"room_share_{run_id}"]))
    except SlstmError as exc:
        ss["room_message"] = ("error", str(exc))


st.subheader(say("runs.title"))
runs, shared = store.list_runs(ss["ws"]), rooms.shared(member.code)
if not runs:
    st.caption(say("runs.none"))
for run in runs[:20]:
    ss[f"room_share_{run.id}"] = run.id in shared
    st.toggle(
        escape_markdown(say("runs.share", name=f"{run.name} ({run.status}, {run.epochs_done} epochs)")),
        key=f"room_share_{run.id}",
        on_change=set_share,
        args=(run.id,),
        help=say("runs.share_help"),
    )
st.button(say("member.leave"), key="room_leave", on_click=leave, args=(member.code,))
