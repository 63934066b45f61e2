import re

from playwright.sync_api import expect
from support import wait_idle


def test_the_train_page_gives_the_verdict_in_words_on_the_default_sample(page, app_url, shot):
    page.goto(f"{app_url}/train")
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill("3")
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_role("heading", name="How good is it?")).to_be_visible(timeout=180_000)
    verdict = page.get_by_text(re.compile(r"^(Better|Worse) than the naive forecast"))
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text(re.compile(r"on validation, RMSE [\d.]+ against [\d.]+ for persistence"))
    wait_idle(page)
    shot(page, "train_verdict")
