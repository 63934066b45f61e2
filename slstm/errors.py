"""Errors whose message is written for the user: pages show them with st.error, the CLI prints them."""

from __future__ import annotations


class SlstmError(ValueError):
    """Base of the errors a user can act on."""


class SpecError(SlstmError):
    """An architecture that cannot be read or built: says what was received and what was expected."""


class DataError(SlstmError):
    """Data that cannot be used: says what is wrong, where, and what to do."""
