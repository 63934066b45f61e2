"""The app's words in English and Simplified Chinese: message catalogs as data (slstm/messages/<lang>/<area>.toml,
one file per area so areas can be translated independently) and one lookup, t(key, lang, **fields).

A key is "<area>.<name>" (the file's stem, then the TOML key; nested tables add dots). A plural entry is a table
of plural forms ({one = "...", other = "..."} in English, {other = "..."} in Chinese) chosen by its `count` field.
A missing key raises MissingMessage: the catalogs' key sets are checked by tests, never filled by a fallback."""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

CATALOGS = Path(__file__).with_name("messages")
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
PLURAL_FORMS = {"en": ("one", "other"), "zh": ("other",)}  # CLDR categories each language needs


class MissingMessage(KeyError):
    """A key that the catalog of a language does not have (a bug: tests check every key exists)."""


def plural_form(lang: str, count: float) -> str:
    """CLDR's plural category for a count: English has one/other, Chinese only other.

    >>> plural_form("en", 1), plural_form("en", 3), plural_form("zh", 1)
    ('one', 'other', 'other')
    """
    return "one" if lang == "en" and count == 1 else "other"


def _is_plural(value: Any) -> bool:
    return isinstance(value, dict) and "other" in value and set(value) <= {"zero", "one", "two", "few", "many", "other"}


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, Any]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict) and not _is_plural(value):
            _flatten(key, value, out)
        else:
            out[key] = MappingProxyType(value) if isinstance(value, dict) else value


def read_catalog(lang: str) -> dict[str, Any]:
    """Every message of `lang`, by key: a string, a list of strings or a mapping of plural forms."""
    out: dict[str, Any] = {}
    for path in sorted((CATALOGS / lang).glob("*.toml")):
        with path.open("rb") as f:
            _flatten(path.stem, tomllib.load(f), out)
    return out


@functools.cache
def catalog(lang: str) -> Mapping[str, Any]:
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}.")
    return MappingProxyType(read_catalog(lang))


def fields(text: str) -> list[str]:
    """The {placeholders} a message uses, sorted."""
    return sorted({name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name})


def outline(lang: str) -> dict[str, Any]:
    """What must agree between languages: every key and, per key, its placeholders (plural forms pooled)."""
    out = {}
    for key, value in read_catalog(lang).items():
        texts = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else [value]
        out[key] = sorted({f for text in texts for f in fields(text)})
    return out


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """The message `key` in `lang`, with its {placeholders} filled from `values`.

    >>> t("common.epochs", "en", count=1), t("common.epochs", "zh", count=3)
    ('1 epoch', '3 个轮次')
    """
    try:
        entry = catalog(lang)[key]
    except KeyError:
        raise MissingMessage(f"No message {key!r} in slstm/messages/{lang}/.") from None
    if isinstance(entry, Mapping):
        entry = entry[plural_form(lang, values["count"])]
    return entry.format(**values) if values else entry


def texts(key: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """A list-valued message (paragraphs, options)."""
    try:
        entry = catalog(lang)[key]
    except KeyError:
        raise MissingMessage(f"No message {key!r} in slstm/messages/{lang}/.") from None
    return tuple(entry)


def labels(prefix: str, lang: str = DEFAULT_LANGUAGE) -> Mapping[str, str]:
    """Every message under `prefix` (e.g. a figure's labels), keyed by the rest of its key.

    >>> labels("plots.series", "zh")["value"]
    '数值'
    """
    start = prefix + "."
    return MappingProxyType({k[len(start) :]: v for k, v in catalog(lang).items() if k.startswith(start)})


def glossary(lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str, str]]:
    """The glossary's rows: (English term, Chinese term, a note in `lang`).

    >>> glossary("zh")[0][:2]
    ('stacked LSTM', '堆叠式LSTM')
    """
    en, zh, notes = labels("glossary.terms", "en"), labels("glossary.terms", "zh"), labels("glossary.notes", lang)
    return [(en[k], zh[k], notes[k]) for k in en]


def translator(lang: str):
    """t with the language bound: `_ = translator("zh"); _("common.data")`."""
    return functools.partial(t_in, lang)


def t_in(lang: str, key: str, /, **values: Any) -> str:
    return t(key, lang, **values)


def parse_lang(text: str | None) -> str | None:
    """A language code from a link or a browser locale ("zh", "zh-CN", "en_US"), or None if it is neither.

    >>> parse_lang("zh-CN"), parse_lang("EN"), parse_lang("fr"), parse_lang(None)
    ('zh', 'en', None, None)
    """
    code = (text or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


@functools.cache
def _patterns(prefix: str) -> tuple[tuple[re.Pattern, str, str], ...]:
    """The English messages under `prefix` as regexes that capture their fields: (pattern, key, plural form)."""
    out = []
    for key, value in catalog(DEFAULT_LANGUAGE).items():
        if not key.startswith(prefix + "."):
            continue
        forms = value.items() if isinstance(value, Mapping) else [("", value)]
        for form, text in forms:
            regex = ""
            for literal, name, _, _ in string.Formatter().parse(text):
                regex += re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
            out.append((re.compile(regex + r"(?=\s|$)"), key, form))
    return tuple(sorted(out, key=lambda p: -len(p[0].pattern)))  # the most specific first


def restate(text: str, lang: str, prefix: str) -> str:
    """A stored English message (one or more sentences from the `prefix` messages) in `lang`. Sentences that are
    no message of the catalogs (e.g. an error's own words) stay as they are.

    >>> restate("Stopped by the user. Its 3 finished epochs are kept.", "zh", "jobs")
    '已由用户停止。已完成的 3 个轮次都保留。'
    """
    if lang == DEFAULT_LANGUAGE or not text:
        return text
    out, pos = [], 0
    while pos < len(text):
        for pattern, key, form in _patterns(prefix):
            m = pattern.match(text, pos)
            if m:
                values = m.groupdict()  # the fields as written, except a plural's count (its form depends on it)
                if form:
                    values["count"] = _number(values["count"])
                out.append(t(key, lang, **values))
                pos = m.end()
                break
        else:
            end = text.find(". ", pos)
            end = len(text) if end < 0 else end + 1
            out.append(text[pos:end])
            pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    text = out[0] if out else ""
    for piece in out[1:]:  # Chinese sentences follow each other directly, an English one after a space
        text += (" " if lang != "zh" or text[-1:].isascii() else "") + piece
    return text


def _number(text: str) -> int | float | str:
    """A captured count back as the number it was (so plural rules apply), else the text."""
    for kind in (int, float):
        try:
            return kind(text.replace(",", ""))
        except ValueError:
            pass
    return text
