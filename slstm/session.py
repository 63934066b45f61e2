"""The session values that more than one page uses, and the one way to change each. A page's own widget keys
belong to that page alone (tests/pages/test_session_keys.py checks it); what pages share goes through here:
the architecture (the frame reads it, the Architecture page edits it, a lesson or a teacher's push replaces
it), the lookback a lesson or a preset brings to the Data page, and the Train page's settings that a sweep
reuses. Plain functions over a mapping (Streamlit's session state in the app, a dict in tests)."""

from __future__ import annotations

from collections.abc import MutableMapping

from slstm.spec import ArchitectureSpec
from slstm.train import TrainConfig

SPEC = "spec"  # the current ArchitectureSpec
SPEC_VERSION = "spec_version"  # bumped when the spec is replaced as a whole: the designer's widgets start afresh
LOOKBACK = "lookback"  # the Data page's lookback (its widget's key)
TRAIN_CONFIG = "train_config"  # the Train page's settings as a TrainConfig (batch size left to the app: None)

SHARED = (SPEC, SPEC_VERSION, LOOKBACK, TRAIN_CONFIG)


def spec_version(state: MutableMapping) -> int:
    return state.setdefault(SPEC_VERSION, 0)


def edit_spec(state: MutableMapping, spec: ArchitectureSpec) -> None:
    """One field of the stack changed in its own widget: the other widgets keep their state."""
    state[SPEC] = spec


def replace_spec(state: MutableMapping, spec: ArchitectureSpec, *, lookback: int | None = None) -> None:
    """A new stack as a whole (a preset, a lesson, a push, a layer added or moved), with the lookback it
    comes with, if any. The designer's widgets are keyed by the version, so they show the new stack.

    >>> from slstm.spec import DEFAULT_SPEC
    >>> state = {}
    >>> replace_spec(state, DEFAULT_SPEC, lookback=48)
    >>> state[SPEC_VERSION], state[LOOKBACK]
    (1, 48)
    """
    state[SPEC], state[SPEC_VERSION] = spec, state.get(SPEC_VERSION, 0) + 1
    if lookback:
        state[LOOKBACK] = lookback


def set_train_config(state: MutableMapping, config: TrainConfig) -> None:
    state[TRAIN_CONFIG] = config


def train_config(state: MutableMapping) -> TrainConfig:
    """The Train page's latest settings, or the defaults when it has not been opened in this session."""
    config = state.get(TRAIN_CONFIG)
    return config if isinstance(config, TrainConfig) else TrainConfig()
