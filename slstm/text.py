"""User strings (file and column names, cell values, messages quoting them) are text, never Markdown or HTML."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(text: object) -> str:
    """Backslash-escape every character Markdown or Streamlit's directives could read as markup.

    >>> escape_markdown("**bold** <b>x</b>")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\<b\\\\>x\\\\</b\\\\>'
    """
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", "  \n")
