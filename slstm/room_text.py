"""Every user-visible string of the workshop room (the Room and Teacher pages, the frame's room notice), in
English, in one place: keys shaped like the message catalogs' ("room.<name>"), so they move into
slstm/messages/<lang>/room.toml as they are. say(key, **fields) formats one."""

from __future__ import annotations

TEXT = {
    "page.room": "Room",
    "page.teacher": "Teacher",
    "title": "Workshop room",
    "join.intro": (
        "Join your workshop's room with the code the teacher shows and a display name you choose (no account)."
    ),
    "join.code": "Join code",
    "join.code_help": "Like LSTM-7Q4K; the teacher's room link fills it in.",
    "join.name": "Your display name",
    "join.name_help": "The teacher and the room see it; your runs stay private unless you share them.",
    "join.button": "Join the room",
    "join.done": "You joined room {code} as {name}.",
    "teach.title": "Teach a workshop: open a room",
    "teach.intro": (
        "Opening a room gives you a join code for the room and a teacher key. The key stays in this browser "
        "(a cookie), never in a link: only this browser sees the teacher's view."
    ),
    "teach.server_key": "This server's teacher key",
    "teach.server_key_help": "Set by whoever runs the server (setting SLSTM_TEACHER_KEY).",
    "teach.open": "Open a room",
    "teach.back": "Your room's teacher view",
    "member.header": "Room {code}",
    "member.you": "You are {name} in room {code}.",
    "member.leave": "Leave the room",
    "member.left": "You left the room. Your runs stay in your workspace.",
    "push.title": "From the teacher",
    "push.note": "Push {version} from the teacher: {note}",
    "push.no_note": "Push {version} from the teacher.",
    "push.changed": "It set your {what}.",
    "push.undo": "Undo",
    "push.undone": "Undone: your own settings are back.",
    "push.what.stack": "stack",
    "push.what.data": "data",
    "push.what.lesson": "lesson step (on the Learn page)",
    "push.what.controls": "shown and hidden controls",
    "grid.title": "Class experiment",
    "grid.none": "No class experiment yet: the teacher starts one, then a cell of it is dealt to you here.",
    "grid.yours": "Your cell: {label}",
    "grid.settings": (
        "Everyone trains on the same data and budget: {sample}, lookback {lookback}, {epochs} epochs, seed {seed}."
    ),
    "grid.train": "Train my cell",
    "grid.started": "Training {label}: it is shared with the room.",
    "grid.all_done": (
        "Every cell you took is trained. Pick another one to fill the grid faster or to measure "
        "the spread between seeds."
    ),
    "grid.pick": "Another cell",
    "grid.take": "Take this cell",
    "grid.free": "{label} (free)",
    "grid.trained": "{label} (trained by {count})",
    "grid.cell_status": "{label}: {status}, epoch {epoch}/{epochs}",
    "grid.cell_done": "{label}: {status}, {epochs} epochs, best val_loss {loss}",
    "grid.room_grid": "The room's grid",
    "runs.title": "Your runs in this room",
    "runs.none": "No runs yet. Runs you train are private unless you share them here.",
    "runs.share": "Share {name} with the room",
    "runs.share_help": (
        "Only shared runs reach the teacher's view and the class grid. Class-experiment runs start shared."
    ),
    "teacher.denied": "This page is for the room's teacher. Join a room on the Room page.",
    "teacher.title": "Teacher's view · room {code}",
    "teacher.code": "Join code",
    "teacher.link": "Room link (it carries only the code, never your teacher key)",
    "teacher.members": "Who is in the room",
    "teacher.no_members": "Nobody has joined yet: show the code or the link.",
    "teacher.runs": "The class's runs (shared ones), best first",
    "teacher.no_runs": "No shared runs yet.",
    "teacher.csv": "Download the class's results (CSV)",
    "teacher.curves": "Overlaid loss curves of the best shared runs",
    "teacher.push": "Push to the room",
    "teacher.push_stack": "My current stack: {stack}",
    "teacher.push_sample": "Data",
    "teacher.push_lesson": "Lesson step",
    "teacher.unchanged": "(leave as it is)",
    "teacher.push_hide_set": "Set which controls are hidden",
    "teacher.push_hide": "Hide these controls",
    "teacher.push_note": "Note shown with it",
    "teacher.push_button": "Push",
    "teacher.pushed": "Push {version} sent: every attendee's screen applies it at their next step.",
    "teacher.last_push": "Last push: {version}, {note}",
    "teacher.grid": "Class experiment",
    "teacher.rows": "Rows",
    "teacher.row_values": "Row values",
    "teacher.cols": "Columns",
    "teacher.col_values": "Column values",
    "teacher.sample": "Data (a built-in sample: every attendee has it)",
    "teacher.epochs": "Epochs (the same budget for every cell)",
    "teacher.lookback": "Lookback",
    "teacher.start": "Start the class experiment",
    "teacher.started": "Class experiment {id} started: {cells} cells, dealt as attendees open the Room page.",
    "teacher.show_grid": "Show the grid on attendees' screens",
    "teacher.holders": "Who holds which cell",
    "teacher.close": "Close the room",
    "teacher.close_help": "Attendees can no longer join; everything stays on record.",
    "teacher.closed": "The room is closed.",
    "col.name": "name",
    "col.stack": "current stack",
    "col.joined": "joined",
    "col.seen": "last seen",
    "col.shared": "shared runs",
    "col.training": "training now",
    "col.member": "attendee",
    "col.cell": "cell",
    "ago": "{seconds} s ago",
}


def say(key: str, **fields) -> str:
    """One room string with its fields filled in.

    >>> say("member.header", code="LSTM-7Q4K")
    'Room LSTM-7Q4K'
    """
    return TEXT[key].format(**fields) if fields else TEXT[key]
