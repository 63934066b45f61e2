"""The architecture as data: ArchitectureSpec is what the editor edits, the URL carries, a run records,
codegen prints and build_model reads. Frozen dataclasses with a JSON form (version 1)."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from slstm import limits
from slstm.errors import Listing, Message, SpecError
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
        raise SpecError("spec.fraction", where=where, name=name, value=quote(value), top=f"{top:g}")
    return float(value)


def _check_units(value: Any, where: str) -> int:
    top = limits.MAX_UNITS
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise SpecError("spec.units", where=where, value=quote(value), top=f"{top:,}")
    return value


def _check_choice(name: str, value: Any, options: tuple[str, ...], where: str = "") -> None:
    if not isinstance(value, str) or value not in options:
        found = {"name": name, "value": quote(value), "options": Listing(options)}
        raise SpecError("spec.choice_in", where=where, **found) if where else SpecError("spec.choice", **found)


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
            raise SpecError("spec.too_many_layers", count=f"{len(self.layers):,}", most=limits.MAX_SPEC_LAYERS)
        if len(self.dense) > limits.MAX_DENSE:
            raise SpecError("spec.too_many_dense", count=f"{len(self.dense):,}", most=limits.MAX_DENSE)
        if not all(isinstance(x, LayerSpec) for x in self.layers) or not all(
            isinstance(x, DenseSpec) for x in self.dense
        ):
            raise SpecError("spec.not_specs")

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
            raise SpecError("spec.not_object", type=type(data).__name__)
        unknown = set(data) - {"layers", "dense", "head", "version"}
        if unknown:
            raise SpecError("spec.unknown_keys", keys=_shown(unknown))
        raw_layers = data.get("layers")
        if not isinstance(raw_layers, list):
            raise SpecError("spec.layers_not_list")
        if len(raw_layers) > limits.MAX_SPEC_LAYERS:
            raise SpecError("spec.too_many_layers", count=f"{len(raw_layers):,}", most=limits.MAX_SPEC_LAYERS)
        layers = [_layer_from_dict(item, i + 1) for i, item in enumerate(raw_layers)]
        raw_dense = data.get("dense", [])
        if not isinstance(raw_dense, list):
            raise SpecError("spec.dense_not_list")
        if len(raw_dense) > limits.MAX_DENSE:
            raise SpecError("spec.too_many_dense", count=f"{len(raw_dense):,}", most=limits.MAX_DENSE)
        dense = [_dense_from_dict(item) for item in raw_dense]
        return cls(layers=tuple(layers), dense=tuple(dense), head=data.get("head", "dense"))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ArchitectureSpec:
        """Read the JSON form; any input gives a spec or a SpecError with a short message (never another error)."""
        if not isinstance(text, str | bytes | bytearray):
            raise SpecError("spec.not_text", type=type(text).__name__)
        if len(text) > limits.MAX_SPEC_CHARS:
            raise SpecError("spec.too_long", length=f"{len(text):,}", most=f"{limits.MAX_SPEC_CHARS:,}")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SpecError("spec.bad_json", detail=quote(str(exc), 80)) from None
        except (RecursionError, ValueError):  # nesting too deep; an integer too long to read
            raise SpecError("spec.too_deep_or_long") from None
        try:
            return cls.from_dict(data)
        except RecursionError:
            raise SpecError("spec.too_deep") from None

    # --- URL form: "1." + urlsafe base64 of deflated compact JSON ---------------------------------
    def to_url(self) -> str:
        packed = zlib.compress(self.to_json().encode(), 9)
        return f"{JSON_VERSION}." + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def from_url(cls, token: str) -> ArchitectureSpec:
        version, _, payload = token.partition(".")
        if version != str(JSON_VERSION) or not payload:
            raise SpecError("spec.link_version")
        if len(payload) > limits.MAX_SPEC_CHARS:
            raise SpecError("spec.link_too_long")
        try:
            inflater = zlib.decompressobj()
            packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            raw = inflater.decompress(packed, limits.MAX_SPEC_CHARS)
        except (ValueError, zlib.error):
            raise SpecError("spec.link_damaged") from None
        if inflater.unconsumed_tail:  # it inflates past what any spec needs: stop there
            raise SpecError("spec.link_inflates")
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


def _shown(keys: set) -> Listing:
    return Listing(quote(k, 30) for k in sorted(map(str, keys))[:5])


def _layer_from_dict(item: Any, number: int) -> LayerSpec:
    where = Message("spec.layer_where", number=number)
    if not isinstance(item, dict):
        raise SpecError("spec.layer_not_object", where=where, value=quote(item))
    allowed = {"kind", "units", "return_sequences", "dropout", "recurrent_dropout", "bidirectional", "merge_mode"}
    unknown = set(item) - allowed
    if unknown:
        raise SpecError("spec.layer_unknown_keys", where=where, keys=_shown(unknown), allowed=Listing(sorted(allowed)))
    if "kind" not in item or "units" not in item:
        raise SpecError("spec.layer_required", where=where)
    for key in ("return_sequences", "bidirectional"):
        if key in item and not isinstance(item[key], bool):
            raise SpecError("spec.layer_bool", where=where, key=key, value=quote(item[key]))
    try:
        return LayerSpec(**item)
    except SpecError as exc:
        raise SpecError("spec.in_layer", where=where, error=exc) from None


def _dense_from_dict(item: Any) -> DenseSpec:
    if isinstance(item, int) and not isinstance(item, bool):
        return DenseSpec(units=item)
    if not isinstance(item, dict) or set(item) - {"units", "activation"} or "units" not in item:
        raise SpecError("spec.dense_bad", value=quote(item))
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
