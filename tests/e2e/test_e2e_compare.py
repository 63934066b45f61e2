import re

from playwright.sync_api import expect
from support import wait_idle


def test_a_2x2_sweep_then_its_runs_overlaid(page, app_url, shot):
    page.goto(f"{app_url}/compare")
    wait_idle(page)
    expect(page.get_by_text("No runs yet")).to_be_visible()
    expect(page.get_by_role("button", name="Run sweep (9 cells)")).to_be_visible()  # the default grid: 3 x 3
    for label, value in (("Depths", "3"), ("Widths", "64")):  # the costliest cells out: a smaller grid, as a user would
        box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
        box.get_by_role("button", name=f"Remove {value}").click()
        wait_idle(page)
    field = page.get_by_label("Epochs per cell")
    field.fill("2")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Run sweep (4 cells)").click()
    expect(page.get_by_text("4 of 4 cells finished")).to_be_visible(timeout=600_000)  # the final state first
    expect(page.get_by_text(re.compile(r"^Best: \d layer"))).to_be_visible()
    page.reload()  # the runs table is drawn outside the live sweep view
    wait_idle(page)
    sweep = page.get_by_test_id("stPlotlyChart").filter(has_text="Best validation loss by depth")
    expect(sweep.locator(".main-svg").first).to_be_visible()
    sweep.scroll_into_view_if_needed()
    shot(page, "compare_sweep")
    curves = page.get_by_test_id("stPlotlyChart").filter(has_text="Loss curves")
    expect(curves.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_text("Only what differs")).to_be_visible()
    page.get_by_text("Only what differs").scroll_into_view_if_needed()
    shot(page, "compare_overlaid")
