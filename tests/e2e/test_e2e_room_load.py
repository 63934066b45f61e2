"""A room on one server of its own: six attendees press Train within the same second while a seventh edits the
designer. Each sees its own run through the queue to its end soon after the end is on record, none sees another's
run or a failure, the editor's changes keep settling, and TensorFlow is never mapped into the server process
(training and Inspect run in workers). What the room cost the server is printed; bench.room_capacity measures it."""

import os
import re
import sqlite3
import statistics
import time

from playwright.sync_api import expect
from support import wait_idle

from slstm.spec import lstm_stack

ATTENDEES = int(os.environ.get("SLSTM_ROOM_ATTENDEES", 6))  # the acceptance trial: 12
SHOWN_WITHIN = 60.0  # seconds from a run's end on record to its attendee's page showing it
QUEUED = re.compile(r"position [1-9] in the queue")
FINISHED = re.compile(r"run 1 · finished · \d+ epochs?")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def tensorflow_mapped(pid: int) -> bool:
    with open(f"/proc/{pid}/maps") as f:
        return "libtensorflow" in f.read()


def ended(home) -> dict[str, float]:
    """workspace -> when its first run was seen ended in the store (called every round, so 'seen' ≈ 'ended')."""
    with sqlite3.connect(f"file:{home / 'runs.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT workspace, status FROM runs").fetchall()
    return {ws: time.time() for ws, status in rows if status in ("finished", "stopped", "failed")}


def edit_units(page, units: int) -> float:
    """Set the first layer's units on the designer and return the seconds until the page has settled on it
    (the address bar carries the new stack and the script run is over)."""
    token = lstm_stack(units, 32).to_url()
    start = time.time()
    field = page.get_by_label("units", exact=True).first
    field.fill(str(units))
    field.press("Enter")
    page.wait_for_url(re.compile(re.escape(token)), timeout=30_000)
    wait_idle(page)
    return time.time() - start


def test_a_room_trains_together_and_the_server_stays_light(browser, browser_context_args, own_server, tmp_path, shot):
    home = tmp_path / "home"
    server = own_server(home, own_server.port)
    url = f"http://127.0.0.1:{own_server.port}"
    contexts = [browser.new_context(**browser_context_args) for _ in range(ATTENDEES + 1)]
    try:
        pages = [context.new_page() for context in contexts]
        editor, pages = pages[-1], pages[:-1]
        for page in pages:
            page.goto(f"{url}/train")
            wait_idle(page)
            field = page.get_by_label("Epochs")
            field.fill("2")
            field.press("Enter")
            wait_idle(page)
        editor.goto(f"{url}/architecture?arch={lstm_stack(32, 32).to_url()}")
        wait_idle(editor)
        workspaces = [next(c["value"] for c in ctx.cookies() if c["name"] == "slstm_ws") for ctx in contexts[:-1]]
        cpu_before, start = cpu_seconds(server.pid), time.time()
        for page in pages:  # as close together as a room manages
            page.get_by_role("button", name="Train").click()
        run_end: dict[str, float] = {}
        shown: dict[int, float] = {}
        queued, settles, mapped = set(), [], False
        deadline = time.time() + 600
        while len(shown) < len(pages) and time.time() < deadline:
            for ws, when in ended(home).items():
                run_end.setdefault(ws, when)
            for i, page in enumerate(pages):
                if i not in shown and page.get_by_text(FINISHED).count():
                    shown[i] = time.time()
                if page.get_by_text(QUEUED).count():
                    queued.add(i)
            settles.append(edit_units(editor, 16 + len(settles) % 2 * 8))  # 16, 24, 16, ...
            mapped = mapped or tensorflow_mapped(server.pid)
        episode = time.time() - start
        core = (cpu_seconds(server.pid) - cpu_before) / episode
        p95 = statistics.quantiles(settles, n=20)[-1] if len(settles) > 1 else settles[0]
        print(
            f"room of {ATTENDEES}: all shown finished in {episode:.0f} s; editor settled p50 "
            f"{statistics.median(settles):.2f} s, p95 {p95:.2f} s over {len(settles)} edits; server {core:.2f} core"
        )
        late = {i: shown.get(i, time.time()) - run_end.get(ws, time.time()) for i, ws in enumerate(workspaces)}
        assert len(shown) == len(pages), (
            f"pages that never showed finished: {sorted(set(range(len(pages))) - set(shown))}"
        )
        assert max(late.values()) < SHOWN_WITHIN, f"seconds from each run's end to its page showing it: {late}"
        if max(1, (os.cpu_count() or 1) // 2) < ATTENDEES:  # fewer trainers than attendees: someone waited
            assert queued, "no attendee saw their place in the queue"
        for page in pages:
            expect(page.get_by_text(re.compile(r"run 1 · failed"))).to_have_count(0)
        shot(pages[-1], "room_load_last_attendee")
        pages[0].goto(f"{url}/inspect")  # an attendee looks inside their run: in the inspector, not the server
        expect(pages[0].get_by_text("Inside the cell")).to_be_visible(timeout=120_000)
        assert not mapped and not tensorflow_mapped(server.pid), "TensorFlow was mapped into the server process"
        for page in pages[1:3]:  # one run each, their own
            page.goto(f"{url}/compare")
            wait_idle(page)
            expect(page.get_by_test_id("stSidebar")).to_contain_text(re.compile(r"run 1: finished"))
            expect(page.get_by_text("run 2", exact=True)).to_have_count(0)
    finally:
        for context in contexts:
            context.close()
