"""The architecture as data: ArchitectureSpec is what the editor edits, the URL carries, a run records,
codegen prints and build_model reads. Frozen dataclasses with a JSON form (version 1)."""

from __future__ import annotations

import base64
import json
import os
import zlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from slstm.errors import SpecError

KINDS = ("lstm", "gru", "simple_rnn")
KIND_LABELS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
MERGE_MODES = ("concat", "sum", "mul", "ave")
HEADS = ("dense", "none")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "gelu")
MAX_LAYERS = int(os.environ.get("SLSTM_MAX_LAYERS", "8"))  # a server setting
JSON_VERSION = 1


def _check_fraction(name: str, value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value < 1.0:
        raise SpecError(f"{where}: received {name}={value!r}; expected a number from 0 up to (not including) 1.")
    return float(value)


def _check_units(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{where}: received units={value!r}; expected a positive integer, e.g. 32.")
    return value


@dataclass(frozen=True)
class LayerSpec:
    """One recurrent layer, named as in Keras: `keras.layers.LSTM(units, return_sequences=...)`."""

    kind: str
    units: int
    return_sequences: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    bidirectional: bool = False
    merge_mode: str = "concat"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(f"Received kind={self.kind!r}; expected one of {', '.join(KINDS)}.")
        _check_units(self.units, KIND_LABELS[self.kind])
        _check_fraction("dropout", self.dropout, KIND_LABELS[self.kind])
        _check_fraction("recurrent_dropout", self.recurrent_dropout, KIND_LABELS[self.kind])
        if self.merge_mode not in MERGE_MODES:
            raise SpecError(f"Received merge_mode={self.merge_mode!r}; expected one of {', '.join(MERGE_MODES)}.")
        object.__setattr__(self, "return_sequences", bool(self.return_sequences))
        object.__setattr__(self, "bidirectional", bool(self.bidirectional))
        if not self.bidirectional:  # merge_mode means nothing without a second direction
            object.__setattr__(self, "merge_mode", "concat")

    @property
    def label(self) -> str:
        name = KIND_LABELS[self.kind]
        return f"Bidirectional({name})" if self.bidirectional else name


@dataclass(frozen=True)
class DenseSpec:
    """A hidden Dense layer after the recurrent stack."""

    units: int
    activation: str = "relu"

    def __post_init__(self) -> None:
        _check_units(self.units, "Dense")
        if self.activation not in ACTIVATIONS:
            raise SpecError(
                f"Dense: received activation={self.activation!r}; expected one of {', '.join(ACTIVATIONS)}."
            )


@dataclass(frozen=True)
class ArchitectureSpec:
    """A stacked recurrent network: recurrent `layers`, hidden `dense` layers, then the output `head`.

    `head="dense"` adds the output layer the task needs; `head="none"` makes the last layer the output.

    >>> s = ArchitectureSpec.from_dict({"layers": [{"kind": "lstm", "units": 1}], "head": "none"})
    >>> s.layers[0].return_sequences
    False
    """

    layers: tuple[LayerSpec, ...]
    dense: tuple[DenseSpec, ...] = ()
    head: str = "dense"

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "dense", tuple(self.dense))
        if self.head not in HEADS:
            raise SpecError(f"Received head={self.head!r}; expected one of {', '.join(HEADS)}.")

    # --- JSON form ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        layers = []
        for layer in self.layers:
            d = asdict(layer)
            if not layer.bidirectional:
                d.pop("merge_mode")
            layers.append(d)
        return {"layers": layers, "dense": [asdict(d) for d in self.dense], "head": self.head}

    @classmethod
    def from_dict(cls, data: Any) -> ArchitectureSpec:
        if not isinstance(data, dict):
            raise SpecError(f"Expected a JSON object with a 'layers' list; received {type(data).__name__}.")
        unknown = set(data) - {"layers", "dense", "head", "version"}
        if unknown:
            raise SpecError(f"Unknown keys in the architecture: {', '.join(sorted(unknown))}.")
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list):
            raise SpecError('Expected \'layers\' to be a list of layers such as {"kind": "lstm", "units": 32}.')
        layers = [_layer_from_dict(item, i + 1) for i, item in enumerate(raw_layers)]
        raw_dense = data.get("dense", [])
        if not isinstance(raw_dense, list):
            raise SpecError("Expected 'dense' to be a list such as [{\"units\": 16}].")
        dense = [_dense_from_dict(item) for item in raw_dense]
        return cls(layers=tuple(layers), dense=tuple(dense), head=data.get("head", "dense"))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ArchitectureSpec:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SpecError(f"The architecture is not valid JSON: {exc}.") from None
        return cls.from_dict(data)

    # --- URL form: "1." + urlsafe base64 of deflated compact JSON ---------------------------------
    def to_url(self) -> str:
        packed = zlib.compress(self.to_json().encode(), 9)
        return f"{JSON_VERSION}." + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def from_url(cls, token: str) -> ArchitectureSpec:
        version, _, payload = token.partition(".")
        if version != str(JSON_VERSION) or not payload:
            raise SpecError("This link's architecture is from an unknown version; open the designer and rebuild it.")
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), bufsize=1 << 16)
        except (ValueError, zlib.error):
            raise SpecError("This link's architecture is damaged (was the link cut short?).") from None
        return cls.from_json(raw)

    # --- edits (each returns a new spec) -------------------------------------------------------
    def with_layer(self, index: int, **changes: Any) -> ArchitectureSpec:
        layers = list(self.layers)
        layers[index] = replace(layers[index], **changes)
        return replace(self, layers=tuple(layers))

    def validate(self, *, num_outputs: int = 1, sequence_target: bool = False, **options: Any) -> list:
        """Problems with this stack, in plain words, each with one-click fixes (see slstm.problems)."""
        from slstm.problems import validate

        return validate(self, num_outputs=num_outputs, sequence_target=sequence_target, **options)

    def short(self) -> str:
        """Compact form, e.g. `LSTM64↑ → LSTM32 → Dense1` (↑ marks return_sequences)."""
        parts = [f"{layer.label}{layer.units}{'↑' if layer.return_sequences else ''}" for layer in self.layers]
        parts += [f"Dense{d.units}" for d in self.dense]
        if self.head == "dense":
            parts.append("Dense(out)")
        return " → ".join(parts)


def _layer_from_dict(item: Any, number: int) -> LayerSpec:
    where = f"Layer {number}"
    if not isinstance(item, dict):
        raise SpecError(f'{where}: expected an object like {{"kind": "lstm", "units": 32}}; received {item!r}.')
    allowed = {"kind", "units", "return_sequences", "dropout", "recurrent_dropout", "bidirectional", "merge_mode"}
    unknown = set(item) - allowed
    if unknown:
        raise SpecError(f"{where}: unknown keys {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}.")
    if "kind" not in item or "units" not in item:
        raise SpecError(f'{where}: \'kind\' and \'units\' are required, e.g. {{"kind": "lstm", "units": 32}}.')
    for key in ("return_sequences", "bidirectional"):
        if key in item and not isinstance(item[key], bool):
            raise SpecError(f"{where}: received {key}={item[key]!r}; expected true or false.")
    try:
        return LayerSpec(**item)
    except SpecError as exc:
        raise SpecError(f"{where}: {exc}") from None


def _dense_from_dict(item: Any) -> DenseSpec:
    if isinstance(item, int) and not isinstance(item, bool):
        return DenseSpec(units=item)
    if not isinstance(item, dict) or set(item) - {"units", "activation"} or "units" not in item:
        raise SpecError(f'Dense layer: expected {{"units": 16, "activation": "relu"}}; received {item!r}.')
    return DenseSpec(**item)


def lstm_stack(*units: int, head: str = "dense", kind: str = "lstm") -> ArchitectureSpec:
    """A valid stack: every layer but the last returns sequences.

    >>> lstm_stack(64, 32).short()
    'LSTM64↑ → LSTM32 → Dense(out)'
    """
    n = len(units)
    layers = tuple(LayerSpec(kind, u, return_sequences=i < n - 1) for i, u in enumerate(units))
    return ArchitectureSpec(layers=layers, head=head)


DEFAULT_SPEC = lstm_stack(32, 16)
