"""What the one-language checks of every page share: every text a page shows (AppTest elements, widget labels,
help and options, metrics, table headers, figure titles, axes, annotations and legends), and the two rules: in zh
no run of three English words outside code identifiers and the data's own names; in en no Chinese character
outside the language selector. Each page's test file imports `check` and `open_page`."""

from __future__ import annotations

import re

from support import app_test, figures

ENGLISH_RUN = re.compile(r"(?<![\w.])[A-Za-z][a-z']*(?:[ \t]+[A-Za-z][a-z']*){2,}(?![\w(])")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ALLOWED = {  # terms of art and names the app never translates
    "Language",
}
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success")
WIDGETS = ("button", "selectbox", "radio", "multiselect", "number_input", "slider", "checkbox", "text_input")


def _figure_texts(fig: dict) -> list[str]:
    layout, out = fig.get("layout", {}), []

    def title(obj):
        t = (obj or {}).get("title")
        return t.get("text", "") if isinstance(t, dict) else t or ""

    out.append(title(layout))
    out += [title(v) for k, v in layout.items() if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict)]
    out += [a.get("text", "") for a in layout.get("annotations", [])]
    out += [tr.get("name", "") for tr in fig.get("data", [])]
    return [s for s in out if s]


def page_texts(at) -> list[str]:
    """Every text a user reads on the page, except the language selector and code boxes."""
    out: list[str] = []
    for kind in TEXT_ELEMENTS:
        out += [e.value for e in getattr(at, kind)]
    for kind in WIDGETS:
        for e in getattr(at, kind):
            if e.key == "language":
                continue
            out += [e.label, e.proto.help]
            out += [str(o) for o in getattr(e, "options", [])]
            out.append(getattr(e.proto, "placeholder", ""))
    out += [e.label for e in at.expander]
    out += [x for m in at.metric for x in (m.label, str(m.value))]
    out += [str(c) for df in at.dataframe for c in (*df.value.columns, df.value.index.name)]
    out += [s for fig in figures(at) for s in _figure_texts(fig)]
    return [s for s in out if s]


def english_runs(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for m in ENGLISH_RUN.finditer(text):
            if m.group(0) not in ALLOWED:
                found.append(m.group(0))
    return found


def check(at, lang: str, allowed_names: tuple[str, ...] = (), allowed_chinese: tuple[str, ...] = ()) -> None:
    """The page's two rules: `allowed_names` are the data's own names (never translated), `allowed_chinese` the
    texts an English page may show in Chinese (e.g. the glossary's 中文 column header)."""
    assert not at.exception, at.exception
    texts = page_texts(at)
    assert texts
    if lang == "zh":
        stripped = [re.sub("|".join(map(re.escape, allowed_names)), " ", t) if allowed_names else t for t in texts]
        assert english_runs(stripped) == [], english_runs(stripped)
        assert any(CJK.search(t) for t in texts)
    else:
        assert [t for t in texts if CJK.search(t) and t not in allowed_chinese] == []


def open_page(page: str, lang: str):
    at = app_test()
    at.query_params["lang"] = lang
    at.run()
    return at.switch_page(page).run() if page != "pages/data.py" else at
