from support import app_test, plain

from slstm.spec import lstm_stack


def test_the_train_page_says_in_words_whether_the_model_beats_the_naive_forecast():
    import time

    at = app_test().run()
    at.session_state["spec"] = lstm_stack(4, 4)
    at.switch_page("pages/train.py").run()
    at.number_input(key="epochs").set_value(2).run()
    at.button(key="train").click().run()
    deadline = time.time() + 120
    while time.time() < deadline and [h.value for h in at.subheader] != ["How good is it?"]:
        time.sleep(0.3)
        at.run()
    assert not at.exception
    boxes = [plain(b.value) for b in (*at.success, *at.warning)]
    verdicts = [b for b in boxes if "than the naive forecast" in b]
    assert len(verdicts) == 1, boxes
    assert "on validation, RMSE" in verdicts[0] and "for persistence (last value)" in verdicts[0]
    assert verdicts[0].startswith(("Better than the naive forecast", "Worse than the naive forecast"))
