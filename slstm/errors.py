"""Errors whose message is written for the user: pages show them with st.error, the CLI prints them.

A message can be kept as a catalog key and its fields (a Message), so that a page shows it in the user's language
while logs, the CLI and tests read the English text: `DataError("dataerr.empty_file")` or
`DataError("dataerr.too_many_rows", rows="12", limit="10")`; `str(exc)` is English, `exc.text("zh")` Chinese.
An error raised with a plain English sentence stays as it is in every language."""

from __future__ import annotations

from typing import Any

from slstm.i18n import DEFAULT_LANGUAGE, catalog, t


class Message(str):
    """A message for the user as a catalog key and its fields; as a str it is the English text.

    A field that is a Message (or a Listing) is put in the same language as the message around it, e.g. a counted
    noun whose plural each language chooses itself.
    >>> m = Message("csv.step.sorted", rows=Message("csv.count.row", count=2, n="2"), time="'date'",
    ...             why=Message("csv.order.reverse"))
    >>> str(m)
    "Sorted 2 rows by 'date' (the file was in reverse time order)."
    >>> m.text("zh")
    "已按 'date' 把 2 行排序（文件原本按时间倒序排列）。"
    """

    key: str
    fields: dict[str, Any]

    def __new__(cls, key: str, /, **fields: Any) -> Message:
        self = super().__new__(cls, _render(key, DEFAULT_LANGUAGE, fields))
        self.key, self.fields = key, fields
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # pickle and deepcopy rebuild from the key
        return (self.key,), dict(self.fields)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _render(self.key, lang, self.fields)


class Listing(tuple):
    """Items shown as one list in the language of the message around them: '4, 9, 17' or '4、9、17'."""

    separator = "dataerr.list_separator"

    def __str__(self) -> str:
        return self.text(DEFAULT_LANGUAGE)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(self.separator, lang).join(str(localize(item, lang)) for item in self)


class Clauses(Listing):
    """Parts of a sentence that are lists themselves: "feature column(s) 'u'; target column(s) 'v'"."""

    separator = "dataerr.clause_separator"


def localize(value: Any, lang: str = DEFAULT_LANGUAGE) -> Any:
    """`value` for a reader of `lang`: a Message, Listing or SlstmError in that language; anything else as it is
    (an English sentence that was never put in a catalog stays English)."""
    if isinstance(value, Message | Listing | SlstmError):
        return value.text(lang)
    return value


def _render(key: str, lang: str, fields: dict[str, Any]) -> str:
    return t(key, lang, **{name: localize(value, lang) for name, value in fields.items()})


def _is_key(text: object) -> bool:
    return isinstance(text, str) and not isinstance(text, Message) and " " not in text and text in catalog("en")


class SlstmError(ValueError):
    """Base of the errors a user can act on. Raised with a catalog key (and its fields) its message is a Message;
    raised with a sentence, that sentence."""

    def __init__(self, *args: Any, **fields: Any) -> None:
        if fields or (len(args) == 1 and _is_key(args[0])):
            args = (Message(args[0], **fields),)
        super().__init__(*args)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The message in `lang` (str(exc) is English)."""
        return str(localize(self.args[0], lang)) if len(self.args) == 1 else str(self)


class SpecError(SlstmError):
    """An architecture that cannot be read or built: says what was received and what was expected."""


class DataError(SlstmError):
    """Data that cannot be used: says what is wrong, where, and what to do."""
