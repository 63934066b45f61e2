"""A shared server's budgets, each a setting (SLSTM_*, listed in the README), checked before work is done:
a spec's size, a model's parameters, epochs, and the bytes of any array the server or a worker would allocate.
Read from the environment at import; tests change the module attributes."""

from __future__ import annotations

import os

from slstm.errors import Message, SlstmError


def setting(name: str, default: int) -> int:
    """An integer setting from the environment (`SLSTM_<NAME>`), or `default` when unset or not a number."""
    raw = os.environ.get(f"SLSTM_{name}", "").strip().replace("_", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


MAX_LAYERS = setting("MAX_LAYERS", 8)  # recurrent layers a stack may train with (validate: an error)
MAX_SPEC_LAYERS = 64  # recurrent layers a spec may hold at all (lessons show deeper stacks as a problem)
MAX_UNITS = setting("MAX_UNITS", 1024)  # units of one recurrent or Dense layer
MAX_DENSE = setting("MAX_DENSE", 8)  # hidden Dense layers
MAX_DROPOUT = 0.9
PARAM_BUDGET = setting("PARAM_BUDGET", 2_000_000)  # parameters of one model (validate and submit: an error)
MAX_EPOCHS = setting("MAX_EPOCHS", 500)
MAX_TIMESTEPS = setting("MAX_TIMESTEPS", 1000)  # lookback, and the default cut of long-format sequences
MAX_ARRAY_BYTES = setting("MAX_ARRAY_BYTES", 128 * 2**20)  # one padding array (its split copies it once)
MAX_SPEC_CHARS = 20_000  # a spec's JSON text (and what a link's token may inflate to)
MAX_MESSAGE = 600  # characters of one message a user reads


class BudgetError(SlstmError):
    """Work refused before it starts because it would pass one of the server's budgets."""


def size_text(nbytes: float) -> str:
    """Bytes for people: '480 MB', '26.8 GB', '512 KB'."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if nbytes >= scale:
            value = nbytes / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{int(nbytes)} bytes"


def check_array(shape: tuple[int, ...], itemsize: int, what: str, fix: str) -> None:
    """Raise BudgetError when an array of `shape` would pass SLSTM_MAX_ARRAY_BYTES; nothing is allocated.

    >>> check_array((10, 5, 2), 4, "Padding", "")
    """
    nbytes = itemsize
    for dim in shape:
        nbytes *= int(dim)
    if nbytes > MAX_ARRAY_BYTES:
        dims = " × ".join(f"{int(d):,}" for d in shape)
        sizes = {"what": what, "dims": dims, "size": size_text(nbytes), "limit": size_text(MAX_ARRAY_BYTES)}
        raise BudgetError("limits.array_fix" if fix else "limits.array", **sizes, **({"fix": fix} if fix else {}))


def check_params(total: int | None) -> None:
    """Raise BudgetError when a model has more parameters than SLSTM_PARAM_BUDGET."""
    if total is not None and total > PARAM_BUDGET:
        raise BudgetError(params_message(total, PARAM_BUDGET))


def params_message(total: int, budget: int) -> Message:
    return Message("limits.params", total=f"{total:,}", budget=f"{budget:,}")


def check_epochs(epochs: int) -> None:
    if epochs > MAX_EPOCHS:
        raise BudgetError("limits.epochs", epochs=f"{epochs:,}", most=f"{MAX_EPOCHS:,}")
