"""Ready-made stacks: the tutorial's four examples and two "break it" stacks that show what goes wrong.
Their titles and stories are in the message catalogs, "presets.<key>.title" and "presets.<key>.story"."""

from __future__ import annotations

from dataclasses import dataclass

from slstm.i18n import t
from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


@dataclass(frozen=True)
class Preset:
    key: str
    spec: ArchitectureSpec
    lookback: int | None = None  # the data window the example is told with, if it needs one

    def title(self, lang: str = "en") -> str:
        return t(f"presets.{self.key}.title", lang)

    def story(self, lang: str = "en") -> str:
        return t(f"presets.{self.key}.story", lang)


def _one(units: int, *, return_sequences: bool = False) -> ArchitectureSpec:
    return ArchitectureSpec(layers=(LayerSpec("lstm", units, return_sequences),), head="none")


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("lstm_output", _one(1), lookback=3),
        Preset("lstm_sequences", _one(1, return_sequences=True), lookback=3),
        Preset("two_hidden", lstm_stack(64, 32)),
        Preset("four_hidden", lstm_stack(64, 64, 32, 32)),
        Preset("break_missing_rs", lstm_stack(64, 32).with_layer(0, return_sequences=False)),
        Preset("break_sequence_out", lstm_stack(64, 32).with_layer(1, return_sequences=True)),
    )
}
