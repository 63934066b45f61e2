"""A teacher's push as it lands in one attendee's session: applied once per version (unless the attendee undid
that version), with what it replaced kept so Undo puts it back. Works on any mutable mapping (the app passes
st.session_state), so it is tested without Streamlit."""

from __future__ import annotations

from collections.abc import MutableMapping

from slstm import session
from slstm.data.samples import SAMPLES
from slstm.lessons import parse_hide, texts
from slstm.spec import ArchitectureSpec

TOUCHED = ("spec", "source", "sample", "sequence_id", "learn_lesson", "learn_hide")  # what a push may replace
SEEN, UNDO = "room_push_seen", "room_undo"


def due(state: MutableMapping, push, undone: int) -> bool:
    """True when this session has not applied `push` yet and the attendee did not undo it."""
    return push is not None and state.get(SEEN, 0) < push.version and push.version != undone


def apply_push(state: MutableMapping, push) -> list[str]:
    """Apply a push to the session; returns what it changed, in words ('stack', 'data', 'lesson', 'controls')."""
    payload, changed = push.payload, []
    state[UNDO] = (push.version, {k: state[k] for k in TOUCHED if k in state})
    if payload.get("spec") is not None:
        session.replace_spec(state, ArchitectureSpec.from_dict(payload["spec"]))
        changed.append("stack")
    if payload.get("sample") in SAMPLES:
        state["source"], state["sample"] = "sample", payload["sample"]
        state["sequence_id"] = SAMPLES[payload["sample"]].sequence_id
        changed.append("data")
    if payload.get("lesson") in texts("en").lessons:
        state["learn_lesson"] = payload["lesson"]
        changed.append("lesson")
    if payload.get("hide") is not None:
        state["learn_hide"] = parse_hide(",".join(payload["hide"]))
        changed.append("controls")
    state[SEEN] = push.version
    return changed


def undo_push(state: MutableMapping) -> int | None:
    """Put back what the last applied push replaced; returns its version (None when there is nothing to undo)."""
    if UNDO not in state:
        return None
    version, before = state.pop(UNDO)
    for key in TOUCHED:
        if key in before:
            state[key] = before[key]
        elif key in state:
            del state[key]
    state[session.SPEC_VERSION] = state.get(session.SPEC_VERSION, 0) + 1  # the designer shows what came back
    return version
