"""No user-visible text written in code: the pages hand Streamlit only catalog messages (or data, such as column and
file names), and the figure builders take their titles, axes and legends from the catalogs. A string literal with a
word in it, passed to a display call in app.py or pages/, or as a figure label in slstm/figures/, fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[A-Za-z\u4e00-\u9fff]{3,}")
DISPLAY = {  # Streamlit calls whose first argument is read by the user
    *"title header subheader markdown caption text write info warning error success toast".split(),
    *"button download_button form_submit_button page_link link_button checkbox toggle radio selectbox".split(),
    *"multiselect select_slider slider number_input text_input text_area file_uploader metric expander".split(),
    *"tabs popover status spinner segmented_control pills dialog".split(),
}
LABELS = {"label", "help", "placeholder", "caption", "title", "xaxis_title", "yaxis_title", "name", "text"}
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]
FIGURES = sorted(p for p in (ROOT / "slstm" / "figures").glob("*.py") if p.name != "__init__.py")


def literal_words(node: ast.AST) -> list[str]:
    """The words written in a string, f-string or list of strings given as an argument (markup, format codes and
    what nested calls such as _("key") return left out)."""
    if isinstance(node, ast.List | ast.Tuple):
        return [w for item in node.elts for w in literal_words(item)]
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    words = []
    for part in parts:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text = re.sub(r"<[^>]*>|%\{[^}]*\}|:material/\w+:|^pages/\w+\.py$", " ", part.value)
            words += WORD.findall(text)
    return words


def written_texts(path: Path, display: bool) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = [k.value for k in node.keywords if k.arg in LABELS]
        if display and name in DISPLAY:
            args += node.args[:1]
        for arg in args:
            words = literal_words(arg)
            if words:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(... {' '.join(words)!r} ...)")
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_show_only_catalog_messages(path):
    assert written_texts(path, display=True) == []


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figures_take_their_words_from_the_catalogs(path):
    assert written_texts(path, display=False) == []


def test_the_scan_finds_a_written_text(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        'st.button("Train now")\nst.caption(f"{n} epochs done")\nfig.update_layout(xaxis_title="Epoch")\n'
        'st.button(_("train.go"))\nst.page_link("pages/train.py", label=_("x"), icon=":material/stacks:")\n'
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = written_texts(page, display=True)
    finally:
        ROOT = saved
    assert [line.split(":")[1] for line in found] == ["1", "2", "3"]
