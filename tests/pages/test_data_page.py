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


def test_splits_shorter_than_one_sample_are_reported():
    at = app_test().run()
    at.number_input(key="lookback").set_value(500).run()
    at.number_input(key="horizon").set_value(200).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("validation split (180 rows) is shorter than one sample (700 rows)" in w for w in warnings)


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
