import json

import pytest
from hypothesis import given
from strategies import any_specs

from slstm.errors import SpecError
from slstm.spec import ArchitectureSpec, LayerSpec, lstm_stack


@given(any_specs())
def test_json_round_trip(spec):
    assert ArchitectureSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@given(any_specs())
def test_url_round_trip(spec):
    token = spec.to_url()
    assert token.startswith("1.")
    assert all(c.isalnum() or c in "-_." for c in token)
    assert ArchitectureSpec.from_url(token) == spec


def test_defaults_fill_missing_keys():
    spec = ArchitectureSpec.from_dict({"layers": [{"kind": "gru", "units": 8}]})
    assert spec.layers[0] == LayerSpec("gru", 8, False, 0.0, 0.0, False)
    assert spec.head == "dense" and spec.dense == ()
    assert spec.to_dict() == {
        "layers": [
            {
                "kind": "gru",
                "units": 8,
                "return_sequences": False,
                "dropout": 0.0,
                "recurrent_dropout": 0.0,
                "bidirectional": False,
            }
        ],
        "dense": [],
        "head": "dense",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"layers": [{"kind": "transformer", "units": 8}]}, "expected one of lstm, gru, simple_rnn"),
        (
            {"layers": [{"kind": "lstm", "units": 0}]},
            "Layer 1: LSTM: received units=0; expected a whole number from 1 to 1,024",
        ),
        ({"layers": [{"kind": "lstm", "units": 4, "dropout": 1.5}]}, "dropout=1.5"),
        ({"layers": [{"kind": "lstm"}]}, "'kind' and 'units' are required"),
        ({"layers": [{"kind": "lstm", "units": 4, "return_sequence": True}]}, "unknown keys 'return_sequence'"),
        ({"layers": [{"kind": "lstm", "units": 4, "return_sequences": "yes"}]}, "expected true or false"),
        ({"layers": "lstm"}, "'layers' to be a list"),
        ({"layers": [], "head": "softmax"}, "head='softmax'"),
        ([1, 2], "received list"),
    ],
)
def test_bad_specs_raise_spec_error_saying_what_was_received(data, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        ArchitectureSpec.from_dict(data)


@pytest.mark.parametrize("token", ["2.abc", "1.", "1.!!!!", "1.eJzLSM3JyQcABiwCFQ"])
def test_damaged_links_raise_spec_error(token):
    with pytest.raises(SpecError):
        ArchitectureSpec.from_url(token)


def test_short_form_marks_return_sequences():
    assert lstm_stack(64, 32).short() == "LSTM64↑ → LSTM32 → Dense(out)"
