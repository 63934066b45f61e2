import pytest
from playwright.sync_api import expect
from support import wait_idle

from slstm import lessons


def open_lesson(page, app_url, number, lang, hide=""):
    page.goto(f"{app_url}/{lessons.PAGE_PATH}{lessons.lesson_link(number, lang, lessons.parse_hide(hide))}")
    wait_idle(page)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_3_shows_both_shapes(page, app_url, shot, lang):
    open_lesson(page, app_url, 3, lang)
    expect(page.get_by_test_id("stHeading").first).to_contain_text(lessons.texts(lang).lessons[3].title)
    metrics = page.get_by_test_id("stMetricValue")
    expect(metrics.nth(0)).to_have_text("(1, 1)", timeout=60_000)  # the first run imports TensorFlow
    expect(metrics.nth(1)).to_have_text("(1, 3, 1)")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, f"learn_3_{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_4_break_it_and_fix_it(page, app_url, shot, lang):
    notes = lessons.texts(lang).lessons[4].notes
    open_lesson(page, app_url, 4, lang, hide="instructor")
    expect(page.get_by_test_id("stAlertContentSuccess")).to_have_text(notes["valid"])
    page.get_by_role("button", name=notes["break"]).click()
    error = page.get_by_test_id("stAlertContentError")
    says = {
        "en": "Layer 2 (LSTM) receives a 2D tensor (batch, 64) because layer 1",
        "zh": "第 2 层（LSTM）收到的是 2D 张量 (batch, 64)",
    }
    expect(error).to_contain_text(says[lang])  # the app's check, in the lesson's language
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    instructors = page.get_by_test_id("stExpander").filter(has_text=lessons.texts(lang).ui["instructors"])
    expect(instructors).to_have_count(0)  # hidden by the link's flag (the sidebar and glossary have their own)
    shot(page, f"learn_4_{lang}")
    page.get_by_role("button", name=notes["fix"]).click()
    expect(error).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_have_text(notes["valid"])
