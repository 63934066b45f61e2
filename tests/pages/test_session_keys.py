"""Each session key belongs to one page, or to app.py's frame; what pages share goes through slstm.session.
A page's widget keys and its own state are read by no other page, so renaming one cannot silently drop a
setting elsewhere."""

import ast
from collections import defaultdict
from pathlib import Path

from support import ROOT

from slstm import session

PAGES = sorted(p for p in Path(ROOT, "pages").glob("*.py") if p.name != "__init__.py")
STATE = {"ss", "state", "session_state"}


def _is_state(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in STATE) or (
        isinstance(node, ast.Attribute) and node.attr == "session_state"
    )


def keys(path: Path) -> tuple[set[str], set[str]]:
    """(every literal session key the file uses, the ones it assigns with `ss[key] = ...`). Widget keys
    (`key="..."`) count as used."""
    tree = ast.parse(path.read_text())
    used, written = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_state(node.value) and isinstance(node.slice, ast.Constant):
            used.add(node.slice.value)
            if isinstance(node.ctx, ast.Store):
                written.add(node.slice.value)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and _is_state(func.value) and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    used.add(node.args[0].value)
                    if func.attr in ("setdefault", "pop", "__setitem__"):
                        written.add(node.args[0].value)
            for kw in node.keywords:
                if kw.arg == "key" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    used.add(kw.value.value)
        elif isinstance(node, ast.Compare) and any(_is_state(c) for c in node.comparators):
            if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
                used.add(node.left.value)
    return used, written


FRAME_FILES = [Path(ROOT, "app.py"), *(Path(ROOT, "pages", "ui", f"{m}.py") for m in ("frame", "sidebar", "resources"))]
FRAME = set().union(*(keys(p)[0] for p in FRAME_FILES)) | set(session.SHARED)


def page_files(page: Path) -> list[Path]:
    """A page and its sections (pages/ui/<page>.py): one owner for their keys."""
    part = Path(ROOT, "pages", "ui", page.name)
    return [page, part] if part.exists() else [page]


def test_the_scan_finds_keys_in_every_form(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('ss["a"] = 1\nss.get("b")\nst.button("x", key="c")\nif "d" in ss: pass\nss.setdefault("e", 0)\n')
    assert keys(page) == ({"a", "b", "c", "d", "e"}, {"a", "e"})


def test_no_page_uses_a_key_of_another_page():
    owners = defaultdict(set)
    for path in PAGES:
        for file in page_files(path):
            for key in keys(file)[0] - FRAME:
                owners[key].add(path.name)
    shared = {key: sorted(pages) for key, pages in owners.items() if len(pages) > 1}
    assert shared == {}, f"keys used by more than one page (share them through slstm.session): {shared}"


def test_pages_change_shared_values_only_through_slstm_session():
    for path in [p for page in PAGES for p in page_files(page)]:
        direct = keys(path)[1] & set(session.SHARED)
        assert not direct, f"{path.name} assigns {sorted(direct)}; use slstm.session's functions"
