"""Issue 13 items 1, 2 and 4 through the app: the input, the message the user reads, and the server (other
sessions, the other pages) still working."""

from __future__ import annotations

import base64
import json
import zlib

from support import app_test, plain

from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


def token(text: str) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


BAD_LINKS = [
    token("[" * 100_000 + "]" * 100_000),  # RecursionError on main
    token('{"layers":[{"kind":"lstm","units":' + "9" * 2200 + "}]}"),  # ValueError from infer_shapes on main
    token(json.dumps({"layers": [{"kind": "lstm", "units": 4, "dropout": 0.95}]})),
    token(" " * 50_000_000),
]
LONG = (
    "id,t,v\n"
    + "".join(f"A,{i},{i % 7}\n" for i in range(60_000))
    + "".join(f"B{i},0,{i % 5}\n" for i in range(60_000))
).encode()


def open_page(page: str, **query):
    at = app_test()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at if page == "data" else at.switch_page(f"pages/{page}.py").run()


def test_bad_links_open_the_default_stack_with_a_short_message():
    for link in BAD_LINKS:
        at = open_page("architecture", arch=link)
        assert not at.exception, link[:40]
        assert at.session_state["spec"] == lstm_stack(32, 16)
        message = plain(at.error[0].value)
        assert message.startswith("The link's architecture could not be opened") and len(message) < 300
        at.switch_page("pages/train.py").run()  # the other pages still work
        assert not at.exception


def test_a_deep_stack_from_a_link_shows_in_the_designer_and_train_refuses_it():
    deep = ArchitectureSpec(tuple(LayerSpec("lstm", 8, return_sequences=i < 8) for i in range(9)))
    at = open_page("architecture", arch=deep.to_url())
    assert not at.exception and len(at.session_state["spec"].layers) == 9
    assert any("SLSTM_MAX_LAYERS" in plain(e.value) for e in at.error)
    at.switch_page("pages/train.py").run()
    assert not at.exception and "cannot be trained" in plain(at.error[0].value)


def test_a_model_over_the_parameter_budget_cannot_be_trained():
    huge = ArchitectureSpec(tuple(LayerSpec("lstm", 1024, i < 7, bidirectional=True) for i in range(8)))
    at = open_page("architecture", arch=huge.to_url())
    assert any("SLSTM_PARAM_BUDGET" in plain(e.value) for e in at.error)
    at.switch_page("pages/train.py").run()
    assert not at.exception and "SLSTM_PARAM_BUDGET" in plain(at.error[0].value)
    assert not at.session_state["run_store"].list_runs(at.session_state["ws"])  # no job was created


def test_a_wrong_sequence_id_is_refused_and_the_session_keeps_working():
    at = open_page("data")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("long.csv", LONG, "text/csv").run()
    assert not at.exception
    at.selectbox(key="sequence_id").set_value("id").run()
    assert not at.exception and at.session_state["windows"] is None
    message = plain(at.main.error[0].value)
    assert "SLSTM_MAX_ARRAY_BYTES" in message and "is that the sequence id column?" in message
    for page in ("architecture", "train", "inspect", "compare"):  # every page still draws
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
    other = open_page("data")  # another session on the same server
    assert not other.exception and other.session_state["windows"] is not None
