import subprocess
import sys

import pytest
from support import ROOT


@pytest.mark.parametrize(
    "module",
    [
        "slstm.spec",
        "slstm.shapes",
        "slstm.problems",
        "slstm.data",
        "slstm.samples",
        "slstm.plots",
        "slstm.model",
        "slstm.train",
    ],
)
def test_core_imports_neither_streamlit_nor_tensorflow(module):
    code = f"import sys, {module}; print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
