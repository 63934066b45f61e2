from slstm import session
from slstm.spec import lstm_stack
from slstm.train import TrainConfig


def test_replacing_the_spec_renews_the_designer_and_brings_its_lookback():
    state = {}
    session.replace_spec(state, lstm_stack(8, 4))
    assert state[session.SPEC] == lstm_stack(8, 4) and state[session.SPEC_VERSION] == 1
    assert session.LOOKBACK not in state  # no lookback given: the Data page keeps its own
    session.replace_spec(state, lstm_stack(16), lookback=12)
    assert state[session.SPEC_VERSION] == 2 and state[session.LOOKBACK] == 12


def test_editing_one_field_keeps_the_designers_widgets():
    state = {}
    assert session.spec_version(state) == 0
    session.edit_spec(state, lstm_stack(8).with_layer(0, units=9))
    assert state[session.SPEC].layers[0].units == 9 and session.spec_version(state) == 0


def test_a_sweep_reuses_the_train_pages_settings_or_the_defaults():
    state = {}
    assert session.train_config(state) == TrainConfig()
    session.set_train_config(state, TrainConfig(learning_rate=3e-3, batch_size=16))
    assert (session.train_config(state).learning_rate, session.train_config(state).batch_size) == (3e-3, 16)
    state[session.TRAIN_CONFIG] = "not a config"  # anything else falls back to the defaults
    assert session.train_config(state) == TrainConfig()
