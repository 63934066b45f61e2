"""A shared address never hands over the sender's runs: two browser contexts (two attendees) on one server."""

import re
import time

from playwright.sync_api import expect
from support import wait_idle

from slstm.spec import lstm_stack
from slstm.workspace import COOKIE

STACK = lstm_stack(6, 4)
PAGES = ["Data", "Architecture", "Train", "Inspect", "Compare", "Learn"]
RUN_DOWNLOADS = re.compile(r"Model \(\.keras\)|Spec \(JSON\)|History \(CSV\)|Predictions \(CSV\)|Download table")


def workspace_cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def wait_for_cookie(context, seconds: float = 15) -> str | None:
    """The workspace cookie once the page's script has set it (it runs after the page renders)."""
    deadline = time.time() + seconds
    while (value := workspace_cookie(context)) is None and time.time() < deadline:
        time.sleep(0.2)
    return value


def train_tiny_run(page, app_url) -> None:
    page.goto(f"{app_url}/train?arch={STACK.to_url()}")  # the session's stack comes from the link
    wait_idle(page)
    for label, value in (("Epochs", "2"),):
        field = page.get_by_label(label)
        field.fill(value)
        field.press("Enter")
        wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(r"^run 1 · finished · \d+ epochs?"))).to_be_visible(timeout=180_000)
    wait_idle(page)


def sees_no_runs(page, name: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("none yet")).to_be_visible()  # the sidebar's latest run
    expect(page.get_by_text(re.compile(r"run 1"))).to_have_count(0)
    expect(page.get_by_role("button", name=RUN_DOWNLOADS)).to_have_count(0)  # the Architecture page has its own
    if name != "Learn":  # a lesson's title is its own
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()  # the same page
    if name in ("Train", "Compare"):
        expect(page.get_by_text("No runs yet in this workspace")).to_be_visible()
    elif name == "Inspect":
        expect(page.get_by_text("No trained run on the current data settings")).to_be_visible()


def test_a_copied_address_opens_the_page_stack_and_lesson_but_never_the_runs(page, app_url, browser, shot):
    train_tiny_run(page, app_url)
    mine = wait_for_cookie(page.context)
    assert mine and len(mine) == 22
    receiver = browser.new_context(viewport={"width": 1400, "height": 1500}, accept_downloads=True)
    other = receiver.new_page()
    try:
        for name in PAGES:  # the sender moves through the app in one session, as a user does
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
            path = "/learn" if name == "Learn" else f"/{name.lower()}" if name != "Data" else "/"
            expect(page).to_have_url(re.compile(rf"^{re.escape(app_url)}{path}(\?|$)"))
            wait_idle(page)
            expect(page.get_by_test_id("stSidebar").get_by_text("run 1: finished")).to_be_visible()
            address = page.url  # what the sender copies from the address bar
            assert mine not in address and "ws=" not in address
            for link in (address, address + ("&" if "?" in address else "?") + f"ws={mine}"):  # and an old-style link
                other.goto(link)
                wait_idle(other)
                expect(other).not_to_have_url(re.compile("ws="))  # a legacy ?ws= is removed, not adopted
                sees_no_runs(other, name)
                if name == "Architecture":  # the sender's stack travels in the link
                    assert "arch=" in address
                    expect(other.get_by_test_id("stSidebar").get_by_text(STACK.short())).to_be_visible()
                if name == "Learn":  # and the lesson
                    lesson = re.search(r"lesson=\d+", address).group(0)
                    expect(other).to_have_url(re.compile(lesson))
            assert wait_for_cookie(receiver) not in (None, mine)
        shot(other, "workspace_receiver_compare")
        page.reload()  # the sender's own reload: a new session, the cookie brings the runs back
        wait_idle(page)
        page.goto(f"{app_url}/train")
        wait_idle(page)
        expect(page.get_by_text(re.compile(r"^run 1 · finished · \d+ epochs?"))).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="History (CSV)").click()
        assert download.value.path().read_text().startswith("epoch,loss,val_loss")
        page.goto(f"{app_url}/inspect")
        wait_idle(page)
        expect(page.get_by_role("combobox", name="Run")).to_have_value(re.compile(r"^run 1 · "))
        page.goto(f"{app_url}/compare")
        wait_idle(page)
        expect(page.get_by_text("No runs yet")).to_have_count(0)
        shot(page, "workspace_sender_compare")
    finally:
        receiver.close()
