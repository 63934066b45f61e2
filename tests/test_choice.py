"""slstm.choice: the data choice as one value, its link, and the one rule for default roles."""

import pytest

from slstm.choice import DataChoice, default_roles
from slstm.data.samples import SAMPLES
from slstm.data.types import DataError


def test_a_sample_choice_round_trips_through_its_link_naming_only_what_differs():
    choice = DataChoice.of("sample:multivariate", lookback=48, horizon=3, multi_step=True, stride=1, scaling="auto")
    text = choice.to_url()
    assert text == "sample:multivariate,horizon:3,lookback:48,multi_step"  # stride 1 and auto scaling are defaults
    back = DataChoice.from_url(text)
    assert back.sample == "multivariate" and back.setting("lookback") == 48 and back.setting("multi_step") is True
    assert back.to_url() == text


def test_an_upload_cannot_travel_in_a_link():
    with pytest.raises(DataError, match="cannot travel in a link"):
        DataChoice.of("upload:" + "ab" * 32).to_url()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not a data choice"),
        ("upload:abc", "not a data choice"),
        ("sample:no_such_sample", "Unknown data source"),
        ("sample:sine_trend,lookback:many", "'lookback:many' is not a setting"),
        ("sample:sine_trend,__class__:1", "'__class__:1'"),
        ("sample:sine_trend,lookback:0", "lookback=0"),
        ("sample:sine_trend,val_fraction:0.6,test_fraction:0.6", "fraction"),
        ("sample:sine_trend," + "x" * 3000, "not a data choice"),
    ],
)
def test_a_bad_link_says_what_is_wrong(text, says):
    with pytest.raises(DataError, match=says):
        DataChoice.from_url(text)


def test_settings_must_be_data_config_fields():
    with pytest.raises(DataError, match="not data settings: epochs"):
        DataChoice.of("sample:sine_trend", epochs=3)


def test_a_choice_is_hashable_and_its_settings_order_does_not_matter():
    a = DataChoice.of("sample:sine_trend", lookback=12, horizon=2)
    b = DataChoice.of("sample:sine_trend", horizon=2, lookback=12)
    assert a == b and hash(a) == hash(b) and a.with_settings(lookback=24).setting("lookback") == 24


def test_default_roles_keep_a_choice_the_table_has_and_replace_one_it_lacks():
    numeric, columns = ["a", "b", "id"], ["a", "b", "id", "label"]
    assert default_roles(numeric, columns, target="label", features=("b",)) == ("label", ("b",))
    assert default_roles(numeric, columns, target="gone", features=("gone",)) == ("a", ("a", "b", "id"))
    # a sequence id column is never a feature nor the target
    assert default_roles(["id", "a"], ["id", "a"], target="id", sequence_id="id") == ("a", ("a",))


def test_a_samples_defaults_are_its_own_roles():
    sample = SAMPLES["multivariate"]
    frame = sample.make()
    numeric = [c for c in frame.columns if c != sample.time_column and frame[c].dtype.kind == "f"]
    assert default_roles(numeric, list(frame.columns), sample="multivariate") == (sample.target, sample.features)


def test_the_config_a_choice_makes_resolves_roles_and_keeps_its_settings():
    choice = DataChoice.of("upload:" + "0" * 64, target="y", lookback=7)
    config = choice.config(["x", "y"], ["x", "y"], "time")
    assert config.targets == ("y",) and config.features == ("x", "y") and config.lookback == 7
    assert config.target_form == "auto" and config.scaling == "auto" and config.time_column == "time"
    with pytest.raises(DataError, match="at least one feature"):
        choice.config([], ["name"], None)


def test_a_choice_round_trips_through_the_form_a_run_records():
    choice = DataChoice.of("sample:multivariate", target="load", features=("load", "temp"), lookback=48, stride=2)
    record = choice.to_dict()
    assert record == {
        "source": "sample:multivariate",
        "target": "load",
        "features": ["load", "temp"],
        "settings": {"lookback": 48, "stride": 2},
    }
    assert DataChoice.from_dict(record) == choice


@pytest.mark.parametrize(
    "record", [[], {"settings": []}, {"source": "file:x"}, {"source": "sample:x", "settings": {"colour": 1}}]
)
def test_a_record_that_is_not_a_choice_is_refused(record):
    with pytest.raises(DataError):
        DataChoice.from_dict(record)
