"""TensorFlow and Keras never load in the server process (DESIGN.md rule 2), whatever pages a session opens: a
fresh process drives the whole app through AppTest (every page, every lesson, a training and Inspect's every view
of it) and then reports what it imported. Training and looking inside run in worker processes."""

import json
import os
import subprocess
import sys
import textwrap

from support import ROOT

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test as app_test_module
    from support import app_test, train_to_the_end
    from slstm.spec import lstm_stack

    class NavigationOnly(PagesManager):  # as tests/pages/conftest.py: every run goes through app.py
        def __init__(self, *args, **kwargs):
            PagesManager.uses_pages_directory = False
            super().__init__(*args, **kwargs)

    app_test_module.PagesManager = NavigationOnly
    at = app_test().run()
    for page in ("architecture", "compare", "room", "learn"):
        at.switch_page(f"pages/{page}.py").run()
    for lesson in range(1, 9):
        at.session_state["learn_lesson"] = lesson
        at.run()
    train_to_the_end(at, lstm_stack(4, 3))
    at.switch_page("pages/inspect.py").run()
    for layer in ("output", "lstm_2", "lstm_1"):
        at.selectbox(key="inspect_layer").set_value(layer).run()
    for mode in ("other", "before"):
        at.radio(key="inspect_compare").set_value(mode).run()
    errors = [str(e.value) for e in at.exception] + [e.value for e in at.error]
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]
    from pages.ui.resources import inspector
    print(json.dumps({"errors": errors, "titles": titles, "looks": inspector().looks,
                      "loaded": sorted(m for m in ("tensorflow", "keras") if m in sys.modules)}))
    """
)


def test_no_page_loads_tensorflow_into_the_server(tmp_path):
    env = {"SLSTM_HOME": str(tmp_path), "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["looks"] >= 3  # the run, another sample, before training: each looked at by the inspector
    assert any(title.startswith("lstm_1, before training") for title in report["titles"])
    assert report["loaded"] == []  # neither tensorflow nor keras in the server process
