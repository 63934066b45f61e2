"""Acceptance for the translated pages: in zh no run of three English words outside code identifiers and the
data's own names; in en no Chinese character outside the language selector."""

from __future__ import annotations

import re

import pytest
from i18n_support import check, open_page
from support import app_test


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_data_page_with_a_sample_speaks_one_language(lang):
    at = open_page("pages/data.py", lang)
    check(at, lang)
    at.selectbox(key="sample").set_value("gestures").run()  # long format, classification
    check(at, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_data_page_before_an_upload_speaks_one_language(lang):
    at = open_page("pages/data.py", lang)
    at.radio(key="source").set_value("upload").run()
    check(at, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_data_page_with_an_uploaded_csv_speaks_one_language(lang):
    at = open_page("pages/data.py", lang)
    at.radio(key="source").set_value("upload").run()
    rows = "\n".join(f"{i},{i % 7 if i % 9 else ''},{i * 0.5}" for i in range(120))
    at.file_uploader(key="csv_upload").upload("sensors.csv", f"t,level,flow\n{rows}\n".encode(), "text/csv").run()
    check(at, lang, allowed_names=("sensors.csv",))
    assert at.expander[0].label and at.text  # the detection/cleaning report is on the page, in that language


MESSY = (  # a comment line, blank lines, a short and a long row, an unreadable number, a date out of order
    "# exported by logger v2\n\ndate;level;flow\n"
    + "".join(f"2024-01-{d:02d};{d},5;{d * 2}\n" for d in range(2, 29))
    + "2024-01-01;x;1\n2024-01-29;7\n\n2024-01-30;1;2;9\n"
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_data_page_with_a_messy_csv_reports_every_fix_in_one_language(lang):
    at = open_page("pages/data.py", lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload("messy.csv", MESSY.encode(), "text/csv").run()
    check(at, lang, allowed_names=("messy.csv",))
    report = at.text[0].value
    assert report.count("\n  - ") >= 8  # decoding, comments, delimiter, decimal comma, padding, dropping, sorting...
    assert ("Sorted 29 rows" if lang == "en" else "把 29 行排序") in report


@pytest.mark.parametrize(
    "name, data",
    [
        ("one_row.csv", b"level,flow\n1,2\n"),  # too few rows for the lookback (slstm.data)
        ("no_numbers.csv", b"name,city\nann,paris\nbob,rome\n"),  # no numeric column (slstm.data.read)
        ("book.xlsx", b"PK\x03\x04" + bytes(100)),  # not CSV text (slstm.data.sniff)
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_data_error_is_shown_in_the_pages_language(lang, name, data):
    at = open_page("pages/data.py", lang)
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="csv_upload").upload(name, data, "text/csv").run()
    assert at.main.error and at.sidebar.error  # the Data page and the sidebar both say what is wrong
    check(at, lang, allowed_names=(name,))


def test_the_sidebar_language_switches_the_whole_app_and_the_link():
    at = open_page("pages/data.py", "en")
    assert at.title[0].value == "Data" and at.query_params["lang"] == "en"
    at.radio(key="language").set_value("zh").run()
    assert at.title[0].value == "数据" and at.query_params["lang"] == "zh"
    at.switch_page("pages/learn.py").run()
    assert at.query_params["lang"] == "zh" and at.radio(key="language").value == "zh"
    assert re.search(r"[\u4e00-\u9fff]", at.title[0].value)


@pytest.mark.parametrize("locale, lang", [("zh-CN", "zh"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en")])
def test_the_browser_locale_chooses_the_language_when_the_link_does_not(monkeypatch, locale, lang):
    from streamlit.runtime import context

    real = context._context_info_field
    monkeypatch.setattr(context, "_context_info_field", lambda f: locale if f == "locale" else real(f))
    at = app_test().run()
    assert at.radio(key="language").value == lang and at.query_params["lang"] == lang
