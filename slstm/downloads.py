"""Downloads built when the user clicks, not on every rerun of the page: each builder returns a callable with
no arguments (what st.download_button takes as deferred `data`) that reads the run's files at that moment, and
says so plainly if the run has gone since the page was drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from slstm import results
from slstm.errors import SlstmError

GONE = "The run's {what} is no longer there (the run was deleted or its files were cleaned up)."


def model(folder: str | Path) -> Callable[[], bytes]:
    """The run's model.keras, read when clicked."""
    path = Path(folder) / "model.keras"

    def build() -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise SlstmError(GONE.format(what="model")) from None

    return build


def history(store, run_id: str) -> Callable[[], bytes]:
    """The run's per-epoch history as CSV, read from the store when clicked."""

    def build() -> bytes:
        if store.get(run_id) is None:
            raise SlstmError(GONE.format(what="history"))
        return results.history_csv(store.history(run_id))

    return build


def predictions(folder: str | Path, targets: tuple[str, ...] = ()) -> Callable[[], bytes]:
    """Truth against prediction on the test split as a spreadsheet-safe CSV, built when clicked."""

    def build() -> bytes:
        found = results.load_predictions(Path(folder))
        if not found:
            raise SlstmError(GONE.format(what="predictions"))
        return results.predictions_csv(found, targets=targets)

    return build
