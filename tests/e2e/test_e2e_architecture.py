import re

from playwright.sync_api import expect
from support import click_until, wait_idle

from slstm.spec import ArchitectureSpec, lstm_stack


def open_page(page, app_url, query=""):
    page.goto(f"{app_url}/architecture{query}")
    wait_idle(page)


def test_four_layer_preset_and_its_share_link(page, app_url, shot):
    open_page(page, app_url)
    option = page.get_by_role("option", name="4. Four hidden LSTM layers + Dense")
    click_until(page, page.get_by_test_id("stSelectbox").first, option)  # a rerun can close the list: open again
    option.click()
    page.get_by_role("button", name="Apply preset").click()
    wait_idle(page)
    token = lstm_stack(64, 64, 32, 32).to_url()
    expect(page).to_have_url(re.compile(re.escape(f"arch={token}")))
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot(page, "architecture_4_layers")
    # the link, opened in a fresh session, restores the stack
    other = page.context.new_page()
    open_page(other, app_url, f"?arch={token}")
    expect(other.get_by_test_id("stSidebar")).to_contain_text("LSTM64↑ → LSTM64↑ → LSTM32↑ → LSTM32 → Dense(out)")
    other.close()


def test_a_broken_stack_is_explained_and_fixed_in_one_click(page, app_url, shot):
    broken = lstm_stack(64, 32).with_layer(0, return_sequences=False)
    open_page(page, app_url, f"?arch={broken.to_url()}")
    error = page.get_by_test_id("stAlertContentError").first
    expect(error).to_contain_text("Layer 2 (LSTM) receives a 2D tensor (batch, 64)")
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    shot(page, "architecture_problem")
    page.get_by_role("button", name="Set return_sequences=True on layer 1").click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page).to_have_url(re.compile(re.escape(ArchitectureSpec.to_url(lstm_stack(64, 32)))))
