import re

import pytest
from support import app_test, figures, plain


def test_opens_on_sample_data_with_its_input_shape():
    at = app_test().run()
    assert not at.exception
    assert not at.error
    samples, timesteps, features = (m.value for m in at.metric[:3])
    windows = at.session_state["windows"]
    assert (int(samples.replace(",", "")), int(timesteps), int(features)) == windows.input_shape
    assert timesteps == "24"
    assert any(f"X_train: {windows.input_shape}" in t.value for t in at.text)
    assert figures(at)[0]["data"][0]["name"] == "value"


def test_lookback_change_reaches_the_shape_and_survives_a_page_switch():
    at = app_test().run()
    at.number_input(key="lookback").set_value(12).run()
    assert at.metric[1].value == "12"
    assert at.session_state["windows"].input_shape[1] == 12
    at.switch_page("pages/architecture.py").run()
    assert any("(batch, 12, 1)" in c.value for c in at.main.caption)
    at.switch_page("pages/data.py").run()
    assert at.number_input(key="lookback").value == 12


def test_multivariate_sample_gives_seven_features():
    at = app_test().run()
    at.selectbox(key="sample").set_value("multivariate").run()
    assert not at.exception
    assert at.session_state["windows"].input_shape[2] == 7
    assert at.metric[2].value == "7"


def test_splits_take_context_from_earlier_rows_and_an_empty_split_is_reported():
    at = app_test().run()
    at.number_input(key="lookback").set_value(500).run()
    at.number_input(key="horizon").set_value(200).run()
    assert not at.exception and not at.warning  # validation inputs reach back into the training rows
    assert len(at.session_state["windows"].val) == 180
    at.checkbox(key="multi_step").check().run()
    warnings = [plain(w.value) for w in at.warning]  # notes are escaped: they may quote column names
    assert any("validation split's 180 rows cannot hold the 200 target rows" in w for w in warnings)


def test_first_page_does_not_import_tensorflow():
    import subprocess
    import sys

    from support import ROOT

    code = (
        "import sys; sys.path.insert(0, 'tests'); from support import app_test; at = app_test().run(); "
        "assert not at.exception; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


GOOD = b"date;temp;load\n" + b"".join(
    f"2024-01-{1 + i // 24:02d} {i % 24:02d}:00;{20 + i % 7},5;{100 + i}\n".encode() for i in range(300)
)


def test_upload_a_bad_file_then_a_good_one():
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    assert "Upload a CSV" in at.info[0].value
    at.file_uploader(key="csv_upload").upload("report.xlsx", b"PK\x03\x04" + b"\x00" * 100, "application/zip").run()
    assert not at.exception
    assert "Excel" in plain(at.error[0].value)
    at.file_uploader(key="csv_upload").upload("sensors.csv", GOOD, "text/csv").run()
    assert not at.exception and not at.error
    windows = at.session_state["windows"]
    assert windows.config.targets == ("temp",) and windows.config.features == ("temp", "load")
    assert windows.config.time_column == "date"
    assert windows.input_shape == (210 - 24 - 1 + 1, 24, 2)
    report = at.expander[0]
    assert "decimal" in report.label.lower() or "steps" in report.label
    at.selectbox(key="target").set_value("load").run()
    assert at.session_state["windows"].config.targets == ("load",)


def test_column_names_with_markup_stay_text():
    data = b"**bold**,<b>x</b>\n" + b"".join(f"{i},{i * 2}\n".encode() for i in range(100))
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("odd.csv", data, "text/csv").run()
    assert not at.exception
    caption = next(c.value for c in at.main.caption if "Target:" in plain(c.value))
    assert "\\*\\*bold\\*\\*" in caption and "\\<b\\>x\\</b\\>" in caption


def preview_title(at) -> str:
    return next(f["layout"]["title"]["text"] for f in figures(at) if f["layout"]["title"]["text"].startswith("Sample"))


def test_gestures_sample_is_long_format_classification_with_class_counts():
    at = app_test().run()
    at.selectbox(key="sample").set_value("gestures").run()
    assert not at.exception and not at.error
    windows = at.session_state["windows"]
    assert at.session_state["sequence_id"] == "sequence" and windows.config.sequence_id == "sequence"
    assert windows.task == "classification" and windows.classes == ("circle", "shake", "swipe")
    assert at.metric[3].value == "3 classes"
    assert any(t.value.startswith("X_train: (168, 40, 3)") and "class indices of 3 classes" in t.value for t in at.text)
    counts = next(d.value for d in at.dataframe if "train" in d.value.columns)
    assert list(counts.index) == ["circle", "shake", "swipe"] and list(counts["train"]) == [56, 56, 56]
    assert "pre-padded to 40; y = circle" in preview_title(at)
    assert at.number_input(key="max_timesteps").value is None  # lookback and horizon give way to a cap
    at.number_input(key="max_timesteps").set_value(30).run()
    assert at.session_state["windows"].input_shape == (168, 30, 3)
    at.selectbox(key="sample").set_value("sine_trend").run()
    assert at.session_state["sequence_id"] is None and at.session_state["windows"].task == "regression"
    assert at.number_input(key="lookback").value == 24


def test_preview_slider_moves_the_window():
    at = app_test().run()
    assert preview_title(at) == "Sample 0: X = rows 0–23, y = row 24"
    at.slider(key="preview_sample").set_value(12).run()
    assert preview_title(at) == "Sample 12: X = rows 12–35, y = row 36"
    at.number_input(key="stride").set_value(100).run()  # fewer samples than the slider's value: clamped
    assert not at.exception
    assert at.slider(key="preview_sample").value == len(at.session_state["windows"].train) - 1


def test_window_controls_reach_the_shapes():
    at = app_test().run()
    before = at.session_state["windows"].input_shape[0]
    at.number_input(key="stride").set_value(2).run()
    assert at.session_state["windows"].input_shape[0] == (before + 1) // 2
    at.checkbox(key="multi_step").check().run()
    at.number_input(key="horizon").set_value(3).run()
    assert at.session_state["windows"].train.y.shape[1] == 3
    at.slider(key="val_fraction").set_value(0.3).run()
    at.slider(key="test_fraction").set_value(0.0).run()
    windows = at.session_state["windows"]
    assert (len(windows.test), windows.val.rows) == (0, (840 - 24, 1200))  # inputs reach back 24 rows
    at.selectbox(key="scaling").set_value("minmax").run()
    assert at.session_state["windows"].train.x.min() == 0.0
    assert not at.exception and not at.error


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ([("selectbox", "sample", "gestures"), ("checkbox", "multi_step", True)], "one label"),
        ([("slider", "val_fraction", 0.5), ("slider", "test_fraction", 0.45)], "together below 0.9"),
        ([("selectbox", "task", "classification")], "not whole"),
    ],
)
def test_bad_combinations_show_an_error_and_the_app_recovers(setup, message):
    at = app_test().run()
    for kind, key, value in setup:
        getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception
    assert any(message in plain(e.value) for e in at.main.error)
    assert at.session_state["windows"] is None
    kind, key, _ = setup[-1]
    default = {"multi_step": False, "test_fraction": 0.15, "task": "auto"}[key]
    getattr(at, kind)(key=key).set_value(default).run()
    assert not at.exception and not at.main.error
    assert at.session_state["windows"] is not None


LONG = b"trace,step,x,y,label\n" + b"".join(
    f"{k},{s},{(k * 7 + s) % 5 * 0.3:.1f},{s * 0.1:.1f},{'up' if k % 2 else 'down'}\n".encode()
    for k in range(40)
    for s in range(5 + k % 4)
)


def test_upload_in_long_format_with_a_sequence_id_column():
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("traces.csv", LONG, "text/csv").run()
    assert at.session_state["windows"].config.sequence_id is None
    assert at.selectbox(key="sequence_id").options == ["none", "trace", "step", "x", "y", "label"]
    at.selectbox(key="sequence_id").set_value("trace").run()
    assert not at.exception and not at.main.error
    windows = at.session_state["windows"]
    assert "trace" not in windows.config.features  # the id left the features when it was chosen
    at.selectbox(key="target").set_value("label").run()
    at.multiselect(key="features").set_value(["x", "y"]).run()
    windows = at.session_state["windows"]
    assert windows.task == "classification" and windows.classes == ("down", "up")
    assert windows.input_shape == (28, 8, 2) and windows.masked
    at.file_uploader(key="csv_upload").upload("sensors.csv", GOOD, "text/csv").run()  # has no 'trace' column
    assert not at.exception and not at.main.error
    assert at.session_state["sequence_id"] is None and at.session_state["windows"].input_shape[1] == 24
    at.file_uploader(key="csv_upload").upload("traces.csv", LONG, "text/csv").run()
    at.selectbox(key="sequence_id").set_value("trace").run()
    at.radio(key="source").set_value("sample").run()
    assert at.session_state["sequence_id"] is None and not at.exception


def test_a_separate_test_csv_becomes_the_test_split():
    rows = "".join(f"2024-02-{1 + i // 24:02d} {i % 24:02d}:00;{20 + i % 7},5;{400 + i}\n" for i in range(100))
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("sensors.csv", GOOD, "text/csv").run()
    at.file_uploader(key="test_csv_upload").upload("later.csv", ("date;temp;load\n" + rows).encode(), "text/csv").run()
    assert not at.exception
    windows = at.session_state["windows"]
    assert len(windows.test) == 100 - 24 - 1 + 1
    at.file_uploader(key="test_csv_upload").upload("wrong.csv", b"a,b\n1,2\n3,4\n5,6\n", "text/csv").run()
    assert not at.exception
    assert "The test file lacks the feature column(s) 'temp', 'load'" in plain(at.error[0].value)


def test_switching_the_language_rewords_the_report_notes_and_errors_of_the_same_data():
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("sensors.csv", GOOD, "text/csv").run()
    at.number_input(key="horizon").set_value(50).run()
    at.checkbox(key="multi_step").check().run()
    assert "steps:" in at.text[0].value
    english = [plain(w.value) for w in at.warning]
    assert "The validation split's 45 rows cannot hold the 50 target rows of one sample" in english[0]
    at.radio(key="language").set_value("zh").run()  # the same cached table and windows, read in Chinese
    assert not at.exception and "处理步骤：" in at.text[0].value and "steps:" not in at.text[0].value
    chinese = [plain(w.value) for w in at.warning]
    assert chinese[0].startswith("验证集只有 45 行，容纳不下一个样本的 50 个目标行") and len(chinese) == len(english)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in chinese)
    at.file_uploader(key="csv_upload").upload("one.csv", b"a,b\n1,2\n", "text/csv").run()
    assert "每个样本需要" in plain(at.main.error[0].value) and "每个样本需要" in plain(at.sidebar.error[0].value)
    at.radio(key="language").set_value("en").run()
    assert plain(at.main.error[0].value).startswith("Each sample needs")


def test_a_data_link_opens_its_sample_and_settings_and_the_address_follows_the_choice():
    at = app_test()
    at.query_params["data"] = "sample:multivariate,lookback:36,horizon:2"
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="sample").value == "multivariate"
    assert at.number_input(key="lookback").value == 36 and at.number_input(key="horizon").value == 2
    assert at.session_state["windows"].input_shape[1:] == (36, 7)
    at.number_input(key="lookback").set_value(12).run()
    assert at.query_params["data"] == "sample:multivariate,horizon:2,lookback:12"
    assert at.session_state["data_choice"].setting("lookback") == 12
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("sensors.csv", GOOD, "text/csv").run()
    assert "data" not in at.query_params  # an upload's contents never travel in a link


def test_a_bad_data_link_says_why_and_opens_the_default_sample():
    at = app_test()
    at.query_params["data"] = "sample:sine_trend,lookback:lots"
    at.run()
    assert not at.exception
    assert "'lookback:lots'" in plain(at.error[0].value) and "default sample" in plain(at.error[0].value)
    assert at.session_state["windows"].input_shape[1] == 24
    at.run()
    assert not at.error  # said once


def test_auto_target_form_says_why_it_predicts_the_change_on_a_short_series():
    cycle = b"year,flow\n" + b"".join(f"{1900 + i},{100 + (i * 37) % 23}\n".encode() for i in range(80))
    at = app_test().run()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("flow.csv", cycle, "text/csv").run()
    windows = at.session_state["windows"]
    assert not at.exception and windows.config.target_form == "change" and len(windows.train) == 32
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "Predict the change from the last input value" in captions
    assert "only 32 windows (fewer than 100)" in captions
    at.selectbox(key="target_form").set_value("value").run()  # the user's own choice needs no reason
    assert at.session_state["windows"].config.target_form == "value"
    assert "fewer than 100" not in " ".join(plain(c.value) for c in at.caption)
