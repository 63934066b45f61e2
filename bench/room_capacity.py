"""Room capacity: what ONE Streamlit server process does for a workshop room. Per room size N, a fresh server
(`streamlit run app.py`, the shipped .streamlit/config.toml, its own SLSTM_HOME) meets N simulated attendees and
one idle one. An attendee is a websocket session that speaks Streamlit's own protocol (BackMsg/ForwardMsg
protobufs on /_stcore/stream), so no browser's cost is measured, only the server's. Each attendee opens the app
(Data), visits Architecture, then Train, sets `epochs`, presses `train` and follows the page's own fragment timers
until its run line says finished; then it opens Inspect once. The idle attendee, on Architecture, changes the
first layer's units every 2 s and times each change's "settle" (rerun_script sent -> that run's script_finished).
The workspace cookie is set by the page's script in a browser; each attendee sends a fresh valid id up front, as a
browser does after its first visit. Server CPU (/proc/PID/stat) is over the episode: first Train click to the
last Inspect done.

Run: python -m bench.room_capacity --attendees 10,30,60 [--epochs 2] [--timeout 900] [--port P]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from slstm.workspace import COOKIE, new_id

ROOT = Path(__file__).resolve().parents[1]
RUN_LINE = re.compile(r"· (finished|failed|stopped) · (\d+) epochs?")  # the Train page's run caption
TICK = os.sysconf("SC_CLK_TCK")
SUCCESS = ForwardMsg.FINISHED_SUCCESSFULLY  # a full run's end; fragment runs and runs cut by st.rerun end otherwise


# --- the server ----------------------------------------------------------------------------------------------
def start_server(home: str, port: int) -> subprocess.Popen:
    """`streamlit run app.py` in its own process group (its workers too), healthy when this returns."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "SLSTM_HOME": home}
    env["SLSTM_ORPHAN_SECONDS"] = "7200"  # a queued job must not be dropped as abandoned during a long room
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true"]
    command += [f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
    with open(Path(home) / "streamlit.log", "ab") as log:
        out = dict(stdout=log, stderr=subprocess.STDOUT)
        proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, **out)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            if direct.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"the server did not become healthy within 120 s (log: {home}/streamlit.log)")


def stop_server(proc: subprocess.Popen) -> None:
    """The server and every process it started (its process group): TERM, then KILL whatever is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


def proc_file(pid: int, name: str) -> str:
    """/proc/PID/name, or "" once the process is gone."""
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    fields = proc_file(pid, "stat").rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / TICK if len(fields) > 12 else float("nan")  # utime + stime


def rss_bytes(pid: int) -> int:
    kb = [int(x.split()[1]) for x in proc_file(pid, "status").splitlines() if x.startswith("VmRSS:")]
    return kb[0] * 1024 if kb else 0


# --- one tab without a browser ---------------------------------------------------------------------------------
class Tab:
    """A websocket session that keeps what a browser tab keeps: the query string, the page, the widget ids drawn
    (by user key), the values it set, the fragment timers the server declared (each sends a rerun_script with its
    fragment_id every interval, as the frontend does), and what the page said."""

    def __init__(self, port: int) -> None:
        self.url, self.cookie = f"ws://127.0.0.1:{port}/_stcore/stream", f"{COOKIE}={new_id()}"
        self.query, self.page, self.pages = "", "", {}  # pages: url path -> page script hash
        self.widgets: dict[str, str] = {}  # user key -> widget id, from the deltas that drew them
        self.values: dict[str, WidgetState] = {}  # widget id -> the value this tab sends with every rerun
        self.timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, its task)
        self.errors: list[str] = []  # exception elements and error alerts since the last full run
        self.run_line: tuple[float, str, int] | None = None  # (when, status, epochs) once a run line says ended
        self.full_run_at = 0.0  # when the current full run started (its new_session came)
        self.ends: list[tuple[float, int, float]] = []  # script_finished: (when, status, its run's start)
        self.news, self.closed = asyncio.Event(), ""

    async def open(self) -> None:
        self.ws = await connect(
            self.url,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": self.cookie},
            max_size=None,
            ping_interval=None,  # a browser sends no pings either
            proxy=None,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._take(msg)
                self.news.set()
        except ConnectionClosed as exc:
            self.closed = f"disconnected ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        finally:
            self.closed = self.closed or "disconnected"
            self._stop_timers()
            self.news.set()

    def _take(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the frontend clears its timers and the page
                self._stop_timers()
                self.errors.clear()
                self.full_run_at = time.time()
            self.page = msg.new_session.page_script_hash
            self.pages.update({p.url_pathname: p.page_script_hash for p in msg.new_session.app_pages})
        elif kind == "navigation":
            self.pages.update({p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages})
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._draw(msg.delta.new_element)
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(msg.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished":
            self.ends.append((time.time(), msg.script_finished, self.full_run_at))

    def _draw(self, element) -> None:
        which = element.WhichOneof("type")
        if which == "markdown":
            found = RUN_LINE.search(element.markdown.body.replace("\\", ""))
            if found and self.run_line is None:
                self.run_line = (time.time(), found[1], int(found[2]))
        elif which == "exception" or (which == "alert" and element.alert.format == Alert.ERROR):
            self.errors.append(element.exception.message if which == "exception" else element.alert.body)
        elif which and (widget_id := getattr(getattr(element, which), "id", "")).startswith("$$ID-"):
            self.widgets[user_key_from_element_id(widget_id)] = widget_id

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self.timers and self.timers[fragment_id][0] == interval:
            return  # the frontend keeps a running timer of the same interval
        self._stop_timers([fragment_id])
        self.timers[fragment_id] = (interval, asyncio.create_task(self._tick(fragment_id, interval)))

    async def _tick(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.rerun(fragment_id=fragment_id)
            except ConnectionClosed:
                return

    def _stop_timers(self, fragment_ids=None) -> None:
        for fragment_id in list(self.timers if fragment_ids is None else fragment_ids):
            if fragment_id in self.timers:
                self.timers.pop(fragment_id)[1].cancel()

    async def rerun(self, page: str = "", *, trigger: str = "", fragment_id: str = "") -> float:
        """Send rerun_script with this tab's widget values (and a button press); returns when it was sent."""
        state = ClientState(query_string=self.query, page_script_hash=page or self.page, fragment_id=fragment_id)
        state.is_auto_rerun = bool(fragment_id)
        state.context_info.locale, state.context_info.timezone = "en-US", "UTC"
        state.widget_states.widgets.extend(self.values.values())
        if trigger:
            state.widget_states.widgets.append(WidgetState(id=self.widgets[trigger], trigger_value=True))
        sent = time.time()
        await self.ws.send(BackMsg(rerun_script=state).SerializeToString())
        return sent

    async def until(self, test):
        """Wait for the server's messages until `test()` is true; a disconnect raises."""
        while not (found := test()):
            if self.closed:
                raise ConnectionError(self.closed)
            self.news.clear()
            await self.news.wait()
        return found

    async def settled(self, since: float) -> float:
        """When the first full run started after `since` finished successfully."""
        return await self.until(lambda: next((t for t, s, run in self.ends if s == SUCCESS and run >= since), 0))

    async def visit(self, path: str) -> float:
        """Switch page (rerun_script with its script hash), wait for its run to finish; the settle time."""
        self._stop_timers()
        self.values.clear()
        self.query = ""  # the frontend drops the query string on a page switch (bar widget-bound params)
        sent = await self.rerun(page=self.pages[path])
        return await self.settled(sent) - sent


# --- the room ---------------------------------------------------------------------------------------------------
@dataclass
class Room:
    pid: int
    epochs: int
    clicks: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # when each page first showed its run finished
    inspect_ok: int = 0
    problems: list[str] = field(default_factory=list)
    settles: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds at the first click and at the end
    rss: int = 0
    tensorflow: bool = False
    started: asyncio.Event = field(default_factory=asyncio.Event)
    where: dict[str, str] = field(default_factory=dict)  # attendee -> what it is doing, until it is done

    def click(self) -> None:
        if not self.clicks:
            self.cpu.append(cpu_seconds(self.pid))
            self.started.set()
        self.clicks.append(time.time())


async def attend(tab: Tab, room: Room, name: str) -> None:
    """One attendee: Data, Architecture, Train (epochs, Train, follow it to its end), then Inspect once.
    `room.where[name]` says what it is doing, for the report if the room times out."""
    try:
        room.where[name] = "opening the app"
        await tab.open()
        await tab.settled(await tab.rerun())  # the first visit: the default page
        room.where[name] = "opening Architecture, then Train"
        await tab.visit("architecture")
        await tab.visit("train")
        tab.values[tab.widgets["epochs"]] = WidgetState(id=tab.widgets["epochs"], int_value=room.epochs)
        await tab.settled(await tab.rerun())  # the number input commits
        room.click()
        room.where[name] = "pressing Train"
        await tab.settled(await tab.rerun(trigger="train"))  # the press, then the st.rerun it makes
        if not (tab.timers or tab.run_line):
            raise RuntimeError(f"Train started no run: {tab.errors[:1] or 'no message'}")
        room.where[name] = "on Train, its page not showing the run finished"
        when, status, epochs = await tab.until(lambda: tab.run_line)
        if (status, epochs) != ("finished", room.epochs):
            raise RuntimeError(f"its run ended {status} after {epochs} epochs")
        room.finished.append(when)
        room.where[name] = "opening Inspect"
        await tab.visit("inspect")
        if tab.errors:
            raise RuntimeError(f"Inspect showed an error: {tab.errors[0][:120]!r}")
        room.inspect_ok += 1
    except Exception as exc:  # a disconnect, an error on the page, a widget not drawn: counted, never fatal
        room.problems.append(f"{name}: {type(exc).__name__}: {exc}")
    del room.where[name]


async def idle(tab: Tab, room: Room) -> None:
    """The idle attendee: on Architecture, a new units value for layer 1 every 2 s, each change's settle timed."""
    try:
        await tab.open()
        await tab.settled(await tab.rerun())
        await tab.visit("architecture")
        await room.started.wait()
        while True:
            value = 32 if len(room.settles) % 2 else 48  # 32 is the default: every change is a real one
            widget_id = tab.widgets[max(k for k in tab.widgets if k.startswith("units_0_v"))]
            tab.values[widget_id] = WidgetState(id=widget_id, int_value=value)
            sent = await tab.rerun()
            room.settles.append(await tab.settled(sent) - sent)
            await asyncio.sleep(max(0.0, sent + 2 - time.time()))
    except Exception as exc:
        room.problems.append(f"idle: {type(exc).__name__}: {exc}")


def sample(room: Room) -> None:
    """The server's RSS (max kept) and whether TensorFlow was ever mapped into it."""
    room.rss = max(room.rss, rss_bytes(room.pid))
    room.tensorflow = room.tensorflow or "libtensorflow" in proc_file(room.pid, "maps")


async def watch(room: Room) -> None:
    while True:
        sample(room)
        await asyncio.sleep(1)


async def run_room(n: int, port: int, pid: int, epochs: int, timeout: float) -> tuple[Room, float, bool]:
    """N attendees and the idle one against the server on `port`; (room, episode seconds, timed out)."""
    room, tabs, idle_tab = Room(pid, epochs), [Tab(port) for _ in range(n)], Tab(port)
    helpers = [asyncio.create_task(watch(room)), asyncio.create_task(idle(idle_tab, room))]
    timed_out = False
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*(attend(tab, room, f"attendee {i + 1}") for i, tab in enumerate(tabs)))
    except TimeoutError:
        timed_out = True
        room.problems += [f"{name}: still {doing} at the timeout" for name, doing in room.where.items()]
    end = time.time()
    sample(room)
    if room.clicks:
        room.cpu.append(cpu_seconds(pid))
    for task in helpers:
        task.cancel()
    for tab in [*tabs, idle_tab]:
        if hasattr(tab, "ws"):
            await tab.ws.close()  # its reader then stops its timers
    return room, end - room.clicks[0] if room.clicks else 0.0, timed_out


# --- report ----------------------------------------------------------------------------------------------------
def seconds(x: float) -> str:
    return f"{x:.2f} s" if x < 1 else f"{x:.1f} s"


def line(n: int, room: Room, episode: float) -> str:
    s = sorted(room.settles) or [float("nan")]
    p50, p95 = s[len(s) // 2], s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    cpu = (room.cpu[1] - room.cpu[0]) / episode if len(room.cpu) == 2 and episode else float("nan")
    done = f"{max(room.finished) - room.clicks[0]:.0f} s" if room.finished else "n/a"
    return (
        f"attendees {n}: p50 {seconds(p50)}, p95 {seconds(p95)}, max {seconds(s[-1])} settle; "
        f"server CPU {cpu:.2f} core; RSS {room.rss / 2**30:.1f} GiB; "
        f"trainings finished {len(room.finished)}/{n} in {done}; inspect {room.inspect_ok}/{n} ok; "
        f"tensorflow in server: {'yes' if room.tensorflow else 'no'}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", default="10,30,60", help="room sizes, comma-separated, run one after another")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per room")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    failed = False
    for n in (int(x) for x in args.attendees.split(",")):
        port = args.port or free_port()
        with tempfile.TemporaryDirectory(prefix="room_capacity_") as home:
            proc = start_server(home, port)
            try:
                room, episode, timed_out = asyncio.run(run_room(n, port, proc.pid, args.epochs, args.timeout))
                died = proc.poll() is not None
            finally:
                stop_server(proc)
        print(line(n, room, episode), flush=True)
        for problem in room.problems:
            print(f"  {problem}", flush=True)
        if died:
            print(f"  the server exited (code {proc.returncode}) during the room", flush=True)
        elif timed_out:
            print(f"  the room did not finish within {args.timeout:g} s", flush=True)
        failed = failed or timed_out or died
    print(
        f"machine: {os.cpu_count()} cores. Method: one fresh `streamlit run app.py` per room, N websocket sessions "
        "speaking Streamlit's protobuf protocol (fragment timers driven as the frontend drives them) plus one idle "
        "session timing its reruns, with the server's CPU, RSS and maps read from /proc."
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
