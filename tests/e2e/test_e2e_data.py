import re

from playwright.sync_api import expect
from support import wait_idle


def chart(page, title: str):
    """The Plotly chart whose SVG shows `title` (Plotly draws after the rest of the run)."""
    return page.get_by_test_id("stPlotlyChart").filter(has_text=title)


def test_window_preview_then_the_gestures_sample(page, app_url, shot):
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^X_train: \(816, 24, 1\)"))).to_be_visible()
    expect(chart(page, "Sample 0: X = rows 0–23, y = row 24").locator(".main-svg").first).to_be_visible()
    page.get_by_text("Windows and splits").click()
    expect(page.get_by_text("Test fraction")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    wait_idle(page)
    page.wait_for_timeout(500)  # the expander's opening animation
    shot(page, "data_controls")
    preview = chart(page, "Sample 0: X = rows 0–23")
    preview.scroll_into_view_if_needed()
    shot(page, "data_window_preview")

    page.get_by_test_id("stSelectbox").filter(has_text="Sample data").click()
    page.get_by_role("option", name="Gestures (classification, long format)").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^X_train: \(168, 40, 3\)"))).to_be_visible()
    preview = chart(page, "pre-padded to 40")
    expect(preview.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").nth(3)).to_contain_text("3 classes")
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_idle(page)
    shot(page, "data_gestures")
    preview.scroll_into_view_if_needed()
    shot(page, "data_gestures_preview")
