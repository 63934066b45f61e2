"""Ready-made stacks: the tutorial's four examples and two "break it" stacks that show what goes wrong."""

from __future__ import annotations

from dataclasses import dataclass

from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    story: str
    spec: ArchitectureSpec
    lookback: int | None = None  # the data window the example is told with, if it needs one


def _one(units: int, *, return_sequences: bool = False) -> ArchitectureSpec:
    return ArchitectureSpec(layers=(LayerSpec("lstm", units, return_sequences),), head="none")


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "lstm_output",
            "1. One LSTM as the output layer",
            "LSTM(1) on 3 timesteps × 1 feature: the LSTM itself outputs one value per sample, 2D (batch, 1).",
            _one(1),
            lookback=3,
        ),
        Preset(
            "lstm_sequences",
            "2. The same, return_sequences=True",
            "The same LSTM(1) now returns its output at every timestep: 3D (batch, 3, 1).",
            _one(1, return_sequences=True),
            lookback=3,
        ),
        Preset(
            "two_hidden",
            "3. Two hidden LSTM layers + Dense",
            "The first layer returns sequences so the second gets 3D input; the Dense head reads the last output.",
            lstm_stack(64, 32),
        ),
        Preset(
            "four_hidden",
            "4. Four hidden LSTM layers + Dense",
            "Every layer but the last returns sequences; about where more depth stops paying off.",
            lstm_stack(64, 64, 32, 32),
        ),
        Preset(
            "break_missing_rs",
            "Break it: return_sequences missing on layer 1",
            "Layer 2 gets a 2D tensor: Keras' 'expected ndim=3, found ndim=2'. See the explanation and fix it.",
            lstm_stack(64, 32).with_layer(0, return_sequences=False),
        ),
        Preset(
            "break_sequence_out",
            "Break it: last layer returns sequences",
            "The model outputs one prediction per timestep, but the target is one value per sample.",
            lstm_stack(64, 32).with_layer(1, return_sequences=True),
        ),
    )
}
