"""A workshop server stopped and started again during a class experiment (a real `streamlit run` process, the
same data folder and port): the teacher's view comes back with the room, its members, the finished cell and the
grid; the attendee whose cell was cut off finds it dealt again, its finished epoch kept, and can retrain it."""

import re

from playwright.sync_api import expect
from support import click_until, wait_idle

NAMES = ("Ada", "Bob")
EPOCHS = 20  # enough that Bob's run is still training when the page shows it running, on any machine


def test_a_server_restart_during_a_class_experiment_keeps_the_room(
    browser, browser_context_args, own_server, tmp_path, shot
):
    home, url = tmp_path / "home", f"http://127.0.0.1:{own_server.port}"
    server = own_server(home, own_server.port)
    contexts = [browser.new_context(**browser_context_args) for _ in range(1 + len(NAMES))]
    try:
        teacher, ada, bob = [context.new_page() for context in contexts]
        teacher.goto(f"{url}/room")
        wait_idle(teacher)
        teacher.get_by_text("Teach a workshop: open a room").click()
        heading = teacher.get_by_role("heading", name=re.compile("Teacher's view · room LSTM-"))
        click_until(teacher, teacher.get_by_role("button", name="Open a room"), heading)
        code = teacher.get_by_test_id("stMetricValue").inner_text().strip()
        for page, name in zip((ada, bob), NAMES, strict=True):
            page.goto(f"{url}/room?room={code}")
            wait_idle(page)
            page.get_by_role("textbox", name="Your display name").fill(name)
            page.get_by_role("textbox", name="Your display name").press("Enter")
            wait_idle(page)
            page.get_by_role("button", name="Join the room").click()
            expect(page.get_by_text(f"You are {name} in room {code}.")).to_be_visible()

        teacher.goto(f"{url}/teacher")
        wait_idle(teacher)
        teacher.get_by_label("Row values", exact=True).fill("1, 2")
        teacher.get_by_label("Column values", exact=True).fill("4, 8")
        teacher.get_by_label("Epochs (the same budget for every cell)", exact=True).fill(str(EPOCHS))
        teacher.get_by_label("Lookback", exact=True).fill("48")
        teacher.get_by_role("button", name="Start the class experiment").click()
        expect(teacher.get_by_text("Class experiment 1 started: 4 cells")).to_be_visible()

        ada.reload()  # Ada's cell trains to the end
        expect(ada.get_by_text(re.compile(r"^Your cell")).first).to_be_visible()
        ada.get_by_role("button", name="Train my cell").click()
        done = ada.get_by_text(re.compile(r": finished, \d+ epochs, best val_loss \d"))
        expect(done.first).to_be_visible(timeout=300_000)
        bob.reload()  # Bob's is cut off in its first epochs
        expect(bob.get_by_text(re.compile(r"^Your cell")).first).to_be_visible()
        bob.get_by_role("button", name="Train my cell").click()
        expect(bob.get_by_text(re.compile(rf": running, epoch \d+/{EPOCHS}")).first).to_be_visible(timeout=300_000)

        server.terminate()  # the server stops mid-training (as `systemctl restart` or Ctrl+C does) ...
        server.wait(timeout=30)
        own_server(home, own_server.port)  # ... and starts again on the same disk and port

        # the new server's first request is a deep link: served through app.py's frame, not Streamlit's legacy
        # pages/ mode; and the teacher key is in this browser's cookie, never in the link
        teacher.goto(f"{url}/teacher")
        wait_idle(teacher)
        expect(teacher.get_by_role("heading", name=f"Teacher's view · room {code}")).to_be_visible()
        members = teacher.get_by_test_id("stDataFrame").first
        for name in NAMES:
            expect(members).to_contain_text(name)
        expect(teacher.get_by_test_id("stPlotlyChart").filter(has_text="Class grid").first).to_be_visible()
        expect(teacher.get_by_text(re.compile(r"\(1 of 4\)")).first).to_be_visible()
        shot(teacher, "room_teacher_after_restart")
        for page, name in zip((ada, bob), NAMES, strict=True):
            page.goto(f"{url}/room")  # the workspace cookie brings the attendee back into the room
            wait_idle(page)
            expect(page.get_by_text(f"You are {name} in room {code}.")).to_be_visible()
        expect(ada.get_by_text(re.compile(r": finished, \d+ epochs, best val_loss \d")).first).to_be_visible()
        expect(ada.get_by_text(re.compile(r"^Your cell"))).to_have_count(0)  # nothing left to train
        expect(bob.get_by_text(re.compile(r": failed, \d epochs")).first).to_be_visible()  # cut off by the stop
        expect(bob.get_by_text(re.compile(r"^Your cell")).first).to_be_visible()  # so it is dealt to him again
        bob.get_by_role("button", name="Train my cell").click()
        expect(bob.get_by_text(re.compile(r": finished, \d+ epochs, best val_loss \d")).first).to_be_visible(
            timeout=300_000
        )
    finally:
        for context in contexts:
            context.close()
