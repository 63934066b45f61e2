import re

from playwright.sync_api import expect
from support import wait_idle


def open_train(page, app_url, epochs: int):
    page.goto(f"{app_url}/train")
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_idle(page)


def test_watch_the_curve_grow_stop_and_find_the_run_after_a_reload(page, app_url, shot):
    open_train(page, app_url, 300)
    page.get_by_role("button", name="Train").click()
    progress = page.get_by_test_id("stProgress")
    expect(progress).to_contain_text(re.compile(r"Epoch [2-9]\d*/300"), timeout=120_000)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(progress).to_contain_text(re.compile(r"Epoch ([4-9]|\d\d+)/300"), timeout=60_000)  # it grows live
    shot(page, "train_live")
    page.get_by_test_id("stMain").get_by_role("button", name="Stop").click()  # not the header's script Stop
    expect(page.get_by_text(re.compile(r"· stopped · \d+ epochs?"))).to_be_visible(timeout=30_000)
    assert "ws=" not in page.url  # the workspace is kept in a cookie, never in the address
    wait_idle(page)
    shot(page, "train_stopped")
    page.reload()  # a new session: the browser's cookie brings the same workspace back
    expect(page.get_by_text(re.compile(r"run 1 · stopped · \d+ epochs?"))).to_be_visible()


def test_switch_pages_during_training_and_come_back_to_a_live_view(page, app_url):
    open_train(page, app_url, 300)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_test_id("stProgress")).to_contain_text(re.compile(r"Epoch \d+/300"), timeout=120_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Architecture").click()
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(re.compile(r"run 1: running, epoch \d+/300"))
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train").click()
    progress = page.get_by_test_id("stProgress")
    expect(progress).to_contain_text(re.compile(r"Epoch \d+/300"))
    first = int(re.search(r"Epoch (\d+)/", progress.inner_text()).group(1))
    expect(progress).to_contain_text(re.compile(rf"Epoch (?!{first}/)\d+/300"), timeout=60_000)
    page.get_by_test_id("stMain").get_by_role("button", name="Stop").click()  # not the header's script Stop
    expect(page.get_by_text(re.compile(r"· stopped ·"))).to_be_visible(timeout=30_000)
