"""A room on one server: four attendees press Train within the same second; each sees its own run through the
queue to the end, with its place in the queue meanwhile, and none sees another's run."""

import os
import re
import time

from playwright.sync_api import expect
from support import wait_idle

ATTENDEES = 4


QUEUED = re.compile(r"position [1-9] in the queue")
FINISHED = re.compile(r"run 1 · finished · \d+ epochs?")


def queue_seen(pages, seconds: float = 600) -> tuple[int, int]:
    """Watch every page until all runs finish: how many showed their place in the queue, how many finished.
    (Which attendee waits depends on who the server serves first, and a wait may last only a few seconds.)"""
    queued, deadline = set(), time.time() + seconds
    while time.time() < deadline:
        for i, page in enumerate(pages):
            if page.get_by_text(QUEUED).count():
                queued.add(i)
        finished = sum(1 for page in pages if page.get_by_text(FINISHED).count())
        if finished == len(pages):
            break
        time.sleep(0.1)
    return len(queued), finished


def status_lines(page) -> list[str]:
    """The lines of a Train page that speak of a run or the queue."""
    text = page.get_by_test_id("stMain").inner_text(timeout=10_000)
    return [line for line in text.splitlines() if re.search(r"run 1|queue|epoch|Stop|error", line, re.I)][:12]


def test_four_attendees_train_at_once_and_each_keeps_their_own_run(browser, browser_context_args, app_url, shot):
    contexts = [browser.new_context(**browser_context_args) for _ in range(ATTENDEES)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(f"{app_url}/train")
            wait_idle(page)
            field = page.get_by_label("Epochs")
            field.fill("2")
            field.press("Enter")
            wait_idle(page)
        for page in pages:  # as close together as a room manages
            page.get_by_role("button", name="Train").click()
        queued, finished = queue_seen(pages)
        if max(1, (os.cpu_count() or 1) // 2) < ATTENDEES:  # fewer trainers than attendees: someone waited
            assert queued, "no attendee saw their place in the queue"
        states = [status_lines(page) for page in pages]  # what each attendee saw, should one not finish
        assert finished == len(pages), states
        for page in pages:
            expect(page.get_by_text(re.compile(r"run 1 · finished · \d+ epochs?"))).to_be_visible()
        shot(pages[-1], "room_load_last_attendee")
        for page in pages:  # one run each, their own
            page.goto(f"{app_url}/compare")
            wait_idle(page)
            expect(page.get_by_test_id("stSidebar")).to_contain_text(re.compile(r"run 1: finished"))
            expect(page.get_by_text("run 2", exact=True)).to_have_count(0)
    finally:
        for context in contexts:
            context.close()
