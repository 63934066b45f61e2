import pytest
from support import app_test, figures, train_to_the_end

from slstm.spec import lstm_stack


@pytest.fixture
def trained():
    """The app with one finished 2-epoch run of a 3-layer stack (LSTM 6 → LSTM 4 → Dense) on the sample."""
    return train_to_the_end(app_test().run(), lstm_stack(6, 4)).switch_page("pages/inspect.py").run()


def titles(at):
    return [f["layout"]["title"]["text"] for f in figures(at)]


def test_without_runs_it_points_to_the_train_page():
    at = app_test().run()
    at.switch_page("pages/inspect.py").run()
    assert not at.exception
    assert "No trained run" in at.info[0].value


def test_a_2d_layer_shows_its_single_vector_and_why(trained):
    at = trained
    assert not at.exception
    assert at.selectbox(key="inspect_layer").value == "lstm_2"
    bars = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("lstm_2: 2D output (4,)"))
    assert "return_sequences=False" in str(bars["layout"])
    assert any("gates and state over time" in t for t in titles(at))
    assert any(t.startswith("The prediction") or "prediction" in t.lower() for t in titles(at))


def test_a_3d_layer_is_a_time_by_unit_map_and_compare_before_training(trained):
    at = trained
    at.selectbox(key="inspect_layer").set_value("lstm_1").run()
    heat = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("lstm_1: output at every timestep"))
    z = heat["data"][0]["z"]
    shape = [int(n) for n in z["shape"].split(",")] if isinstance(z, dict) else [len(z), len(z[0])]
    assert heat["data"][0]["type"] == "heatmap" and shape == [6, 24]  # units down, timesteps across
    lines = next(f for f in figures(at) if f["layout"]["title"]["text"] == "lstm_1: chosen units over time")
    assert [t["name"] for t in lines["data"]] == ["unit 0", "unit 1", "unit 2"]
    at.radio(key="inspect_compare").set_value("before").run()
    assert not at.exception
    assert {"lstm_1, sample 0", "lstm_1, before training"} <= set(titles(at))
    at.radio(key="inspect_compare").set_value("other").run()
    assert "lstm_1, sample 1" in titles(at)
