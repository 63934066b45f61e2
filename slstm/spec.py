"""The architecture as data: ArchitectureSpec is what the editor edits, the URL carries, a run records,
codegen prints and build_model reads. Frozen dataclasses with a JSON form (version 1)."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from slstm import limits
from slstm.errors import SpecError
from slstm.text import quote

KINDS = ("lstm", "gru", "simple_rnn")
KIND_LABELS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
MERGE_MODES = ("concat", "sum", "mul", "ave")
HEADS = ("dense", "none")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "gelu")
MAX_LAYERS = limits.MAX_LAYERS  # a server setting (SLSTM_MAX_LAYERS)
JSON_VERSION = 1


def _check_fraction(name: str, value: Any, where: str) -> float:
    top = limits.MAX_DROPOUT
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= top:
        raise SpecError(f"{where}: received {name}={quote(value)}; expected a number from 0 to {top:g}.")
    return float(value)


def _check_units(value: Any, where: str) -> int:
    top = limits.MAX_UNITS
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise SpecError(
            f"{where}: received units={quote(value)}; expected a whole number from 1 to {top:,}, e.g. 32 "
            "(setting SLSTM_MAX_UNITS)."
        )
    return value


def _check_choice(name: str, value: Any, options: tuple[str, ...], where: str = "") -> None:
    if not isinstance(value, str) or value not in options:
        prefix = f"{where}: r" if where else "R"
        raise SpecError(f"{prefix}eceived {name}={quote(value)}; expected one of {', '.join(options)}.")


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
        _check_choice("kind", self.kind, KINDS)
        _check_units(self.units, KIND_LABELS[self.kind])
        _check_fraction("dropout", self.dropout, KIND_LABELS[self.kind])
        _check_fraction("recurrent_dropout", self.recurrent_dropout, KIND_LABELS[self.kind])
        _check_choice("merge_mode", self.merge_mode, MERGE_MODES, KIND_LABELS[self.kind])
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
        _check_choice("activation", self.activation, ACTIVATIONS, "Dense")


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
        _check_choice("head", self.head, HEADS)
        if len(self.layers) > limits.MAX_SPEC_LAYERS:
            raise SpecError(
                f"The stack has {len(self.layers):,} recurrent layers; a stack holds at most {limits.MAX_SPEC_LAYERS}."
            )
        if len(self.dense) > limits.MAX_DENSE:
            raise SpecError(
                f"The stack has {len(self.dense):,} hidden Dense layers; this server allows at most "
                f"{limits.MAX_DENSE} (setting SLSTM_MAX_DENSE)."
            )
        if not all(isinstance(x, LayerSpec) for x in self.layers) or not all(
            isinstance(x, DenseSpec) for x in self.dense
        ):
            raise SpecError("Expected layers of LayerSpec and dense of DenseSpec.")

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
            shown = ", ".join(quote(k, 30) for k in sorted(map(str, unknown))[:5])
            raise SpecError(f"Unknown keys in the architecture: {shown}.")
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list):
            raise SpecError('Expected \'layers\' to be a list of layers such as {"kind": "lstm", "units": 32}.')
        if len(raw_layers) > limits.MAX_SPEC_LAYERS:
            raise SpecError(
                f"The stack has {len(raw_layers):,} recurrent layers; a stack holds at most {limits.MAX_SPEC_LAYERS}."
            )
        layers = [_layer_from_dict(item, i + 1) for i, item in enumerate(raw_layers)]
        raw_dense = data.get("dense", [])
        if not isinstance(raw_dense, list):
            raise SpecError("Expected 'dense' to be a list such as [{\"units\": 16}].")
        if len(raw_dense) > limits.MAX_DENSE:
            raise SpecError(
                f"The stack has {len(raw_dense):,} hidden Dense layers; this server allows at most "
                f"{limits.MAX_DENSE} (setting SLSTM_MAX_DENSE)."
            )
        dense = [_dense_from_dict(item) for item in raw_dense]
        return cls(layers=tuple(layers), dense=tuple(dense), head=data.get("head", "dense"))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ArchitectureSpec:
        """Read the JSON form; any input gives a spec or a SpecError with a short message (never another error)."""
        if not isinstance(text, str | bytes | bytearray):
            raise SpecError(f"Expected the architecture as JSON text; received {type(text).__name__}.")
        if len(text) > limits.MAX_SPEC_CHARS:
            raise SpecError(
                f"The architecture is {len(text):,} characters long; a spec has at most {limits.MAX_SPEC_CHARS:,}."
            )
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SpecError(f"The architecture is not valid JSON: {quote(str(exc), 80)}.") from None
        except (RecursionError, ValueError):  # nesting too deep; an integer too long to read
            raise SpecError("The architecture is not a spec: it nests too deep or holds a number too long.") from None
        try:
            return cls.from_dict(data)
        except RecursionError:
            raise SpecError("The architecture is not a spec: it nests too deep.") from None

    # --- URL form: "1." + urlsafe base64 of deflated compact JSON ---------------------------------
    def to_url(self) -> str:
        packed = zlib.compress(self.to_json().encode(), 9)
        return f"{JSON_VERSION}." + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def from_url(cls, token: str) -> ArchitectureSpec:
        version, _, payload = token.partition(".")
        if version != str(JSON_VERSION) or not payload:
            raise SpecError("This link's architecture is from an unknown version; open the designer and rebuild it.")
        if len(payload) > limits.MAX_SPEC_CHARS:
            raise SpecError("This link's architecture is too long to be a stack; open the designer and rebuild it.")
        try:
            inflater = zlib.decompressobj()
            packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            raw = inflater.decompress(packed, limits.MAX_SPEC_CHARS)
        except (ValueError, zlib.error):
            raise SpecError("This link's architecture is damaged (was the link cut short?).") from None
        if inflater.unconsumed_tail:  # it inflates past what any spec needs: stop there
            raise SpecError("This link's architecture inflates past what a stack can hold; rebuild it in the designer.")
        return cls.from_json(raw)

    # --- edits (each returns a new spec) -------------------------------------------------------
    def with_layer(self, index: int, **changes: Any) -> ArchitectureSpec:
        layers = list(self.layers)
        layers[index] = replace(layers[index], **changes)
        return replace(self, layers=tuple(layers))

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
        raise SpecError(f'{where}: expected an object like {{"kind": "lstm", "units": 32}}; received {quote(item)}.')
    allowed = {"kind", "units", "return_sequences", "dropout", "recurrent_dropout", "bidirectional", "merge_mode"}
    unknown = set(item) - allowed
    if unknown:
        shown = ", ".join(quote(k, 30) for k in sorted(map(str, unknown))[:5])
        raise SpecError(f"{where}: unknown keys {shown}; allowed: {', '.join(sorted(allowed))}.")
    if "kind" not in item or "units" not in item:
        raise SpecError(f'{where}: \'kind\' and \'units\' are required, e.g. {{"kind": "lstm", "units": 32}}.')
    for key in ("return_sequences", "bidirectional"):
        if key in item and not isinstance(item[key], bool):
            raise SpecError(f"{where}: received {key}={quote(item[key])}; expected true or false.")
    try:
        return LayerSpec(**item)
    except SpecError as exc:
        raise SpecError(f"{where}: {exc}") from None


def _dense_from_dict(item: Any) -> DenseSpec:
    if isinstance(item, int) and not isinstance(item, bool):
        return DenseSpec(units=item)
    if not isinstance(item, dict) or set(item) - {"units", "activation"} or "units" not in item:
        raise SpecError(f'Dense layer: expected {{"units": 16, "activation": "relu"}}; received {quote(item)}.')
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
