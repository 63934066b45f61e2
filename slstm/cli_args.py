"""What every command of the command line reads the same way: a spec (JSON or a file) and positive numbers."""

from __future__ import annotations

import argparse
from pathlib import Path

from slstm.errors import SlstmError
from slstm.spec import ArchitectureSpec


def load_spec(text: str) -> ArchitectureSpec:
    """SPEC is a JSON string or the path of a JSON file."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise SlstmError(f"--spec: {text!r} is neither a JSON object nor an existing file.")
        stripped = path.read_text(encoding="utf-8")
    return ArchitectureSpec.from_json(stripped)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def patience_arg(text: str) -> int | str:
    """--patience: "auto" (the app's choice, slstm.train.auto_patience), or epochs without progress (0 = off)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected auto or a whole number of epochs (0 = off), got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected auto or a whole number of epochs (0 = off), got {text!r}")
    return value


def cli_patience(value: int | str) -> int | str | None:
    """TrainConfig.patience for a parsed --patience: 0 turns early stopping off."""
    return value if value == "auto" else value or None
