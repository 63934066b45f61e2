"""Dependency direction: slstm never loads streamlit, its light modules never load TensorFlow, and no slstm
module imports another in a circle (lazy imports inside functions count; TYPE_CHECKING imports do not)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

PACKAGE = Path(ROOT, "slstm")
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in PACKAGE.rglob("*.py")
)
OPTIONAL = {"slstm.executors.ray"}  # needs the Ray extra
LIGHT = {  # answer without TensorFlow: the app's first page, shapes, data, the store, the pool
    "slstm.spec",
    "slstm.shapes",
    "slstm.problems",
    "slstm.data",
    "slstm.data.types",
    "slstm.data.sequences",
    "slstm.data.read",
    "slstm.data.samples",
    "slstm.figures.charts",
    "slstm.model",
    "slstm.train",
    "slstm.runs",
    "slstm.jobs",
    "slstm.compare",
    "slstm.limits",
    "slstm.text",
    "slstm.cells",  # Learn's live examples, drawn by the server
    "slstm.lessons",
    "slstm.inspect",
    "slstm.inspector",
}


def test_every_module_is_listed():
    assert len(MODULES) >= 30 and "slstm.jobs" in MODULES and "slstm.executors.local" in MODULES


@pytest.mark.slow  # trains or starts a process per case
@pytest.mark.parametrize("module", [m for m in MODULES if m not in OPTIONAL and m != "slstm.__main__"])
def test_no_module_imports_streamlit(module):
    code = f"import sys, {module}; print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    streamlit, tensorflow = out.stdout.split()
    assert streamlit == "False"
    if module in LIGHT:
        assert tensorflow == "False", f"{module} loads TensorFlow at import"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names
            }
    return {m for m in found if m in MODULES}


def test_no_import_circles():
    graph = {}
    for module in MODULES:
        path = PACKAGE.parent / (module.replace(".", "/") + ".py")
        path = path if path.exists() else PACKAGE.parent / module.replace(".", "/") / "__init__.py"
        graph[module] = _imports(path) - {module, "slstm"}

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    circles = sorted(m for m in MODULES if m in reach(m))
    assert circles == [], f"modules in an import circle: {circles}"
