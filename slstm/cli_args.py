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


def _whole_number(text: str, minimum: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "a positive whole number")


def patience_arg(text: str) -> int | str | None:
    """--patience as TrainConfig.patience: "auto" (the app's choice, slstm.train.auto_patience), epochs without
    progress, or None for 0 (early stopping off)."""
    if text.strip().lower() == "auto":
        return "auto"
    return _whole_number(text, 0, "auto or a whole number of epochs (0 = off)") or None
