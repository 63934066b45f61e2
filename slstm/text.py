"""User strings (file and column names, cell values, messages quoting them) are text, never Markdown or HTML."""

from __future__ import annotations

import re
import reprlib

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])")
_JOINER = "\u2060"  # word joiner: invisible, and it breaks the patterns Markdown links or replaces on its own
_LINKISH = re.compile(r"(?<=:)|(?<=@)|(?<=www)(?=\\\.)", re.IGNORECASE)


def escape_markdown(text: object) -> str:
    """Backslash-escape every character Markdown or Streamlit's directives could read as markup, and break the
    patterns that are turned into links or emoji after escapes are read (`http://`, `www.`, `a@b.c`, `:smile:`)
    with an invisible word joiner. The one rule for user text in st.markdown, st.write, alerts and widget labels.

    >>> escape_markdown("**bold** <b>x</b>")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\<b\\\\>x\\\\</b\\\\>'
    >>> escape_markdown("http://x") == "http\\\\:\\u2060//x"
    True
    """
    escaped = _MARKDOWN.sub(r"\\\1", str(text))
    return _LINKISH.sub(_JOINER, escaped).replace("\n", "  \n")


_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f"
    "\u3000\u3164\ufeff\uffa0]"
)
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxset = 2, 4, 4, 4, 4
_SHORT.maxstring = _SHORT.maxlong = _SHORT.maxother = 40


def quote(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to about `limit` characters however long or deep the input.

    >>> quote("x" * 1000, 12)
    "'xxxxxxx… (1,000 characters)"
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a {int(value.bit_length() * 0.30103) + 1:,}-digit number"
    if isinstance(value, str | bytes):
        text = repr(value[: limit + 1])
        if len(value) <= limit and len(text) <= limit:
            return text
        return f"{text[: limit - 4]}… ({len(value):,} characters)"
    try:
        text = _SHORT.repr(value)
    except Exception:  # e.g. a nested integer too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visible(name: object) -> str:
    """A name with its invisible characters (zero-width, no-break and odd spaces, direction marks) and surrounding
    spaces shown as escapes, so that two names that look alike can be told apart.

    >>> print(visible("a\\u200b"), visible(" a"), visible("a"))
    a\\u200b \\x20a a
    """
    text = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(name))
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    stripped = text.strip(" ")
    if stripped != text:
        lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
        text = "\\x20" * lead + stripped + "\\x20" * trail
    return text


def has_invisible(name: object) -> bool:
    text = str(name)
    return bool(_INVISIBLE.search(text)) or text != text.strip() or bool(re.search(r"[\x00-\x1f\x7f]", text))


def plot_text(text: object) -> str:
    """A user string for Plotly, which reads HTML tags (<a href>, <b>, <span style>) and entities in names, titles,
    tick labels and hover text: every `&`, `<` and `>` becomes an entity, so the browser shows them as typed, and
    invisible characters show as escapes (see `visible`).

    >>> plot_text('<a href="x">a</a> &amp;')
    '&lt;a href="x"&gt;a&lt;/a&gt; &amp;amp;'
    """
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
