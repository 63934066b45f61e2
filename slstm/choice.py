"""The user's data choice as one frozen value: where the table comes from (a built-in sample or an upload's
digest), the column roles (None/empty: the data's defaults) and the DataConfig settings the user changed.
One rule picks default roles, one function turns a choice and its table into a DataConfig, and a sample's
choice travels in a link (`?data=sample:sine_trend,lookback:48`); an upload's cannot (its bytes stay on the server).

>>> c = DataChoice.from_url("sample:sine_trend,lookback:48,horizon:2")
>>> c.sample, c.setting("lookback"), c.to_url()
('sine_trend', 48, 'sample:sine_trend,horizon:2,lookback:48')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from slstm.data.samples import DEFAULT_SAMPLE, SAMPLES
from slstm.data.types import DataConfig, DataError

ROLES = ("features", "targets", "time_column")
SETTINGS = tuple(f.name for f in dataclasses.fields(DataConfig) if f.name not in ROLES)
APP_DEFAULTS = {"target_form": "auto", "scaling": "auto"}  # decided from the training rows (slstm.defaults)
# what a link carries: the window and split settings (target_form has its own ?target_form= binding)
URL_INTS = ("lookback", "horizon", "stride", "max_timesteps")
URL_FLOATS = ("val_fraction", "test_fraction")
URL_WORDS = ("scaling", "task")
URL_FLAGS = ("multi_step",)
MAX_URL = 2000
DEFAULTS = {f.name: f.default for f in dataclasses.fields(DataConfig) if f.name not in ROLES} | APP_DEFAULTS


@dataclass(frozen=True)
class DataChoice:
    source: str = f"sample:{DEFAULT_SAMPLE}"  # "sample:KEY" or "upload:DIGEST"
    target: str | None = None
    features: tuple[str, ...] = ()
    settings: tuple[tuple[str, object], ...] = ()  # (DataConfig field, value), sorted by field

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        settings = dict(self.settings)
        if unknown := sorted(set(settings) - set(SETTINGS)):
            raise DataError("dataerr.choice_unknown", names=", ".join(unknown))
        object.__setattr__(self, "settings", tuple(sorted(settings.items())))
        kind, _, key = self.source.partition(":")
        if kind not in ("sample", "upload") or not key or (kind == "sample" and key not in SAMPLES):
            raise DataError("dataerr.choice_source", source=self.source, samples=", ".join(SAMPLES))

    def to_dict(self) -> dict:
        """The choice as a run records it (JSON types).

        >>> DataChoice.of("sample:multivariate", target="load", lookback=48).to_dict()["settings"]
        {'lookback': 48}
        """
        return {
            "source": self.source,
            "target": self.target,
            "features": list(self.features),
            "settings": dict(self.settings),
        }

    @classmethod
    def from_dict(cls, data: dict) -> DataChoice:
        """The inverse of to_dict(); DataError for a record that is not a choice."""
        if not isinstance(data, dict) or not isinstance(data.get("settings", {}), dict):
            raise DataError("dataerr.choice_source", source=repr(data)[:80], samples=", ".join(SAMPLES))
        settings = data.get("settings", {})
        return cls.of(
            data.get("source", ""), target=data.get("target"), features=data.get("features") or (), **settings
        )

    @classmethod
    def of(cls, source: str, *, target=None, features=(), **settings) -> DataChoice:
        return cls(source, target, tuple(features), tuple(settings.items()))

    @property
    def sample(self) -> str | None:
        kind, _, key = self.source.partition(":")
        return key if kind == "sample" else None

    def setting(self, name: str, default=None):
        return dict(self.settings).get(name, default)

    def with_settings(self, **changes) -> DataChoice:
        return dataclasses.replace(self, settings=tuple({**dict(self.settings), **changes}.items()))

    def config(self, numeric: list[str], columns: list[str], time_column: str | None) -> DataConfig:
        """The DataConfig this choice makes on a table with these numeric and other columns: roles that are
        not in the table fall back to the defaults (default_roles)."""
        target, features = default_roles(
            numeric,
            columns,
            sample=self.sample,
            target=self.target,
            features=self.features,
            sequence_id=self.setting("sequence_id"),
        )
        if target is None:
            raise DataError("dataerr.no_columns")
        settings = {**APP_DEFAULTS, **dict(self.settings)}
        return DataConfig(features=features, targets=(target,), time_column=time_column, **settings)

    def to_url(self) -> str:
        """The choice as a readable link value; only a sample's (an upload cannot travel in a link)."""
        if self.sample is None:
            raise DataError("dataerr.choice_upload_link")
        parts = [self.source]
        for name, value in self.settings:
            if value == DEFAULTS[name]:
                continue  # a link names what differs from the defaults
            if name in URL_FLAGS:
                parts += [name] if value else []
            elif name in (*URL_INTS, *URL_FLOATS, *URL_WORDS) and value is not None:
                parts.append(f"{name}:{value}")
        return ",".join(parts)

    @classmethod
    def from_url(cls, text: object) -> DataChoice:
        """A choice from a link's `?data=`; DataError, saying what is wrong, for anything else."""
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_URL:
            raise DataError("dataerr.choice_link", text=str(text)[:80])
        head, *rest = (part.strip() for part in text.split(","))
        if not head.startswith("sample:"):
            raise DataError("dataerr.choice_link", text=text[:80])
        settings: dict[str, object] = {}
        for part in rest:
            name, sep, value = part.partition(":")
            try:
                if name in URL_FLAGS and not sep:
                    settings[name] = True
                elif name in URL_INTS:
                    settings[name] = int(value)
                elif name in URL_FLOATS:
                    settings[name] = float(value)
                elif name in URL_WORDS and value:
                    settings[name] = value
                else:
                    raise ValueError(name)
            except ValueError:
                raise DataError("dataerr.choice_part", part=part[:40]) from None
        choice = cls(head, settings=tuple(settings.items()))
        DataConfig(features=("x",), targets=("x",), **dict(choice.settings))  # the values' own checks
        return choice


def default_roles(
    numeric: list[str],
    columns: list[str],
    *,
    sample: str | None = None,
    target: str | None = None,
    features: tuple[str, ...] = (),
    sequence_id: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The target and features: the chosen ones where the table has them (a target may be any column, text
    meaning classification; features are numeric), else a sample's own, else the first numeric column and
    every numeric column (never the sequence id). The one rule the app, the CLI and the sweep use.

    >>> default_roles(["a", "b"], ["a", "b", "label"], target="label")
    ('label', ('a', 'b'))
    >>> default_roles(["a", "b"], ["a", "b"], features=("c",))
    ('a', ('a', 'b'))
    """
    usable = [c for c in numeric if c != sequence_id]
    own = SAMPLES[sample] if sample in SAMPLES else None
    if target not in columns or target == sequence_id:
        target = own.target if own and own.target in columns else (usable or numeric or [None])[0]
    if not features or any(f not in usable for f in features):
        features = own.features if own and all(f in usable for f in own.features) else tuple(usable)
    return target, tuple(features)
