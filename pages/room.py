"""Room (attendee): join a workshop room with its code and a display name; see the teacher's pushes; train the
cell of the class experiment dealt to you; choose which of your runs the room sees. A teacher opens a room here."""

import os

import streamlit as st

from pages import serve_through_app
from slstm import room_grid
from slstm.compare import best_val_loss
from slstm.errors import SlstmError
from slstm.i18n import labels, translator
from slstm.room_plots import grid_figure
from slstm.samples import SAMPLES
from slstm.text import escape_markdown

serve_through_app()

ss = st.session_state
lang = ss["lang"]
_ = translator(lang)
store, pool, rooms = ss["run_store"], ss["job_pool"], ss["room_store"]
if ss.pop("goto_teacher", False) and ss.get("teacher_key"):
    st.switch_page("pages/teacher.py")
st.title(_("room.title"))


@st.cache_resource(max_entries=8, show_spinner=False)
def sample_frame(key: str):
    return SAMPLES[key].make()


def join() -> None:
    try:
        member = rooms.join(ss.get("room_code"), ss["ws"], ss.get("room_name"))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(lang))
        return
    ss["room_message"] = ("success", _("room.join.done", code=member.code, name=member.name))


def open_room() -> None:
    try:
        _, key = rooms.open_room(server_key=ss.get("room_server_key"))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(lang))
        return
    ss["teacher_key"], ss["goto_teacher"] = key, True


def leave(code: str) -> None:
    rooms.leave(code, ss["ws"])
    ss["room_message"] = ("success", _("room.member.left"))


def message() -> None:
    kind, text = ss.pop("room_message", (None, ""))
    if kind:
        getattr(st, kind)(escape_markdown(text))


member = ss["room_member"] = rooms.membership(ss["ws"])
if member is None:
    st.write(_("room.join.intro"))
    st.text_input(
        _("room.join.code"), value=st.query_params.get("room", ""), key="room_code", help=_("room.join.code_help")
    )
    st.text_input(_("room.join.name"), key="room_name", max_chars=24, help=_("room.join.name_help"))
    st.button(_("room.join.button"), key="room_join", type="primary", on_click=join)
    message()
    with st.expander(_("room.teach.title"), icon=":material/co_present:"):
        st.caption(_("room.teach.intro"))
        if os.environ.get("SLSTM_TEACHER_KEY"):
            st.text_input(
                _("room.teach.server_key"), key="room_server_key", type="password", help=_("room.teach.server_key_help")
            )
        st.button(_("room.teach.open"), key="room_open", on_click=open_room)
        if ss.get("teacher_key"):
            st.page_link("pages/teacher.py", label=_("room.teach.back"), icon=":material/co_present:")
    st.stop()

st.subheader(_("room.member.header", code=member.code))
st.text(_("room.member.you", name=member.name, code=member.code))
message()


def train(grid, cell: int) -> None:
    try:
        run_id = room_grid.submit_cell(store, pool, rooms, grid, cell, ss["ws"], sample_frame(grid.sample), lang=lang)
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(lang))
        return
    ss["room_message"] = ("success", _("room.grid.started", label=grid.label(cell, lang)))
    ss["room_watch"] = run_id


def take(grid) -> None:
    room_grid.take(rooms, grid, ss["ws"], ss["room_pick"])


def my_cells(grid) -> bool:
    """The member's cells and how their runs go; True while one is queued or training."""
    live = False
    for a in room_grid.assignments(rooms, grid):
        if a["workspace"] != ss["ws"] or a["run_id"] is None or (run := store.get(a["run_id"])) is None:
            continue
        job, label = pool.get(run.id), grid.label(a["cell"], lang)
        if job is not None and not job.done:
            pool.touch(run.id)
            live = True
            st.text(
                _(
                    "room.grid.cell_status",
                    label=label,
                    status=_(f"common.status.{job.status}"),
                    epoch=job.epoch,
                    epochs=job.epochs,
                )
            )
        else:
            loss = best_val_loss(store.history(run.id))
            text = "—" if loss is None else f"{loss:.4g}"
            st.text(
                _(
                    "room.grid.cell_done",
                    label=label,
                    status=_(f"common.status.{run.status}"),
                    epochs=run.epochs_done,
                    loss=text,
                )
            )
    return live


def experiment() -> None:
    pool.pump()
    grid = room_grid.current_grid(rooms, member.code)
    st.subheader(_("room.grid.title"))
    if grid is None:
        st.info(_("room.grid.none"))
        return
    cell = room_grid.deal(rooms, grid, ss["ws"], store)
    live = my_cells(grid)
    if cell is not None:
        st.markdown(f"**{escape_markdown(_('room.grid.yours', label=grid.label(cell, lang)))}**")
        seed = sum(
            1
            for a in room_grid.assignments(rooms, grid)
            if a["cell"] == cell and a["run_id"] and a["workspace"] != ss["ws"]
        )
        st.caption(
            _(
                "room.grid.settings",
                sample=_(f"samples.{grid.sample}.title"),
                lookback=grid.lookback,
                epochs=grid.epochs,
                seed=seed,
            )
        )
        st.button(_("room.grid.train"), key="room_train", type="primary", on_click=train, args=(grid, cell))
    else:
        st.caption(_("room.grid.all_done"))
        free = room_grid.free_cells(rooms, grid, ss["ws"])
        if free:
            counts = {c: sum(1 for a in room_grid.assignments(rooms, grid) if a["cell"] == c) for c in free}
            st.selectbox(
                _("room.grid.pick"),
                free,
                key="room_pick",
                format_func=lambda c: (
                    _("room.grid.free", label=grid.label(c, lang))
                    if not counts[c]
                    else _("room.grid.trained", label=grid.label(c, lang), count=counts[c])
                ),
            )
            st.button(_("room.grid.take"), key="room_take", on_click=take, args=(grid,))
    if rooms.room(member.code).show_grid:
        results = room_grid.grid_results(store, rooms, grid, lang=lang)
        st.plotly_chart(
            grid_figure(grid, results, title=_("room.grid.room_grid"), labels=labels("room.fig", lang), lang=lang),
            key="room_grid_chart",
        )
        st.caption(room_grid.read_grid(grid, results, lang=lang))
    if live != ss.get("room_live", False):  # start or stop ticking
        ss["room_live"] = live
        st.rerun()


st.fragment(experiment, run_every=2 if ss.get("room_live") else None)()


def set_share(run_id: str) -> None:
    try:
        rooms.share(member.code, ss["ws"], run_id, bool(ss[f"room_share_{run_id}"]))
    except SlstmError as exc:
        ss["room_message"] = ("error", exc.text(lang))


st.subheader(_("room.runs.title"))
runs, shared = store.list_runs(ss["ws"]), rooms.shared(member.code)
if not runs:
    st.caption(_("room.runs.none"))
for run in runs[:20]:
    ss[f"room_share_{run.id}"] = run.id in shared
    st.toggle(
        escape_markdown(
            _(
                "room.runs.share",
                name=_(
                    "room.runs.run",
                    name=run.name,
                    status=_(f"common.status.{run.status}"),
                    epochs=_("common.epochs", count=run.epochs_done),
                ),
            )
        ),
        key=f"room_share_{run.id}",
        on_change=set_share,
        args=(run.id,),
        help=_("room.runs.share_help"),
    )
st.button(_("room.member.leave"), key="room_leave", on_click=leave, args=(member.code,))
