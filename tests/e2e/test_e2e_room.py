"""A workshop room on one server: a teacher and three attendees (one browser context each). The teacher opens a
room, the attendees join by code, a stack and a lesson step are pushed to them, a 2×2 class experiment is
started, each attendee trains the cell dealt to them (2 epochs; one of them takes the fourth, free cell), and
the teacher's grid fills all four cells and shows a reading."""

import re

from playwright.sync_api import expect
from support import click_until, wait_idle

from slstm.spec import lstm_stack

NAMES = ("Ada", "Grace", "Linus")
PUSHED = lstm_stack(24, 12)


def test_a_teacher_and_three_attendees_fill_a_class_grid(browser, browser_context_args, app_url, shot):
    contexts = [browser.new_context(**browser_context_args) for _ in range(1 + len(NAMES))]
    try:
        teacher, *attendees = [context.new_page() for context in contexts]
        teacher.goto(f"{app_url}/room")
        wait_idle(teacher)
        teacher.get_by_text("Teach a workshop: open a room").click()
        heading = teacher.get_by_role("heading", name=re.compile("Teacher's view · room LSTM-"))
        click_until(teacher, teacher.get_by_role("button", name="Open a room"), heading)
        code = teacher.get_by_test_id("stMetricValue").inner_text().strip()
        assert re.fullmatch(r"LSTM-[2-9A-HJ-NP-Z]{4}", code)

        for page, name in zip(attendees, NAMES, strict=True):
            page.goto(f"{app_url}/room?room={code}")  # the link carries the code only
            wait_idle(page)
            page.get_by_role("textbox", name="Your display name").fill(name)
            page.get_by_role("textbox", name="Your display name").press("Enter")
            wait_idle(page)
            page.get_by_role("button", name="Join the room").click()
            expect(page.get_by_text(f"You are {name} in room {code}.")).to_be_visible()

        teacher.goto(f"{app_url}/teacher?arch={PUSHED.to_url()}")  # the teacher's stack, from a design link
        wait_idle(teacher)
        for name in NAMES:
            expect(teacher.get_by_test_id("stDataFrame").first).to_contain_text(name)
        teacher.get_by_text(re.compile(r"My current stack.*LSTM24")).click()
        teacher.get_by_test_id("stSelectbox").filter(has_text="Lesson step").click()
        teacher.get_by_role("option", name=re.compile(r"^4\. ")).click()
        teacher.get_by_label("Note shown with it", exact=True).fill("Two layers: look at lesson 4")
        teacher.get_by_role("button", name="Push", exact=True).click()
        expect(teacher.get_by_text("Push 1 sent")).to_be_visible()

        for page in attendees:  # any next step applies it: here, opening the Learn page
            page.get_by_test_id("stSidebarNav").get_by_text("Learn").click()
            wait_idle(page)
            expect(page.get_by_text(re.compile(r"Push 1 from the teacher.*look at lesson 4"))).to_be_visible()
            expect(page.get_by_role("heading", name=re.compile(r"^4\. "))).to_be_visible()
            expect(page.get_by_test_id("stSidebar")).to_contain_text(PUSHED.short())

        teacher.get_by_label("Row values", exact=True).fill("1, 2")
        teacher.get_by_label("Column values", exact=True).fill("4, 8")
        teacher.get_by_label("Epochs (the same budget for every cell)", exact=True).fill("2")
        teacher.get_by_label("Lookback", exact=True).fill("12")
        teacher.get_by_role("button", name="Start the class experiment").click()
        expect(teacher.get_by_text("Class experiment 1 started: 4 cells")).to_be_visible()
        teacher.get_by_text("Show the grid on attendees' screens").click()
        wait_idle(teacher)

        for page in attendees:
            page.get_by_test_id("stSidebarNav").get_by_text("Room").click()
            expect(page.get_by_text(re.compile(r"^Your cell"))).to_be_visible()
            page.get_by_role("button", name="Train my cell").click()
        for page in attendees:
            expect(page.get_by_text(re.compile(r": finished, 2 epochs, best val_loss")).first).to_be_visible(
                timeout=300_000
            )
        first = attendees[0]
        expect(first.get_by_text(re.compile(r"Pick another one"))).to_be_visible()
        wait_idle(first)  # the page redraws once its run is over (it stops ticking): click on the final page
        first.get_by_role("button", name="Take this cell").click()  # the one nobody holds comes first
        wait_idle(first)
        first.get_by_role("button", name="Train my cell").click()
        expect(first.get_by_text(re.compile(r": finished, 2 epochs")).nth(1)).to_be_visible(timeout=300_000)

        expect(teacher.get_by_text(re.compile(r"^Best: .*; 4 of 4 cells\."))).to_be_visible(timeout=60_000)
        wait_idle(teacher)  # the teacher's view is a ticking fragment: a redraw briefly shows the old chart too
        grid = teacher.get_by_test_id("stPlotlyChart").filter(has_text="Class grid: best val_loss").first
        expect(grid.locator(".main-svg").first).to_be_visible()
        grid.scroll_into_view_if_needed()
        shot(teacher, "room_teacher")
        first.reload()
        wait_idle(first)
        expect(first.get_by_text(re.compile(r"4 of 4 cells"))).to_be_visible()
        expect(first.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
        shot(first, "room_attendee")
    finally:
        for context in contexts:
            context.close()
