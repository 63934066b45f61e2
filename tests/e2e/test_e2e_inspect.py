import re

from playwright.sync_api import expect
from support import wait_idle


def test_inspect_a_trained_three_layer_stack(page, app_url, shot):
    page.goto(f"{app_url}/train")
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill("2")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(re.compile(r"· finished · 2 epochs"))).to_be_visible(timeout=120_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Inspect").click()
    wait_idle(page)
    gates = page.get_by_test_id("stPlotlyChart").filter(has_text="gates and state over time")
    expect(gates.locator(".main-svg").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"lstm_2: 2D output"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "inspect_2d_layer")
    gates.scroll_into_view_if_needed()
    shot(page, "inspect_gates")
    layer = page.get_by_role("combobox", name="Layer")
    layer.click()
    layer.fill("lstm_1")
    layer.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"lstm_1: output at every timestep"))).to_be_visible()
    shot(page, "inspect_3d_layer")
