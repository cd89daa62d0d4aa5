"""`teamtui serve` in a real browser: Debian's headless chromium loads the page, the monitor's agents appear in the
terminal, a kill typed on the keyboard reaches the run, a replay plays, and stopping the server ends the tabs'
runs and records them. Everything listens and connects on 127.0.0.1 only."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teamtui.scenario.load import load_scenario

from . import need
from .browser import ROOT, Browser, served, until

pytestmark = pytest.mark.extras

QUICKSTART = ROOT / "scenarios" / "quickstart.toml"
END = "\ue010"  # selenium's Keys.END (WebDriver's code for the End key)
NAMES = [a.name for a in load_scenario(QUICKSTART).agents]


@pytest.fixture
def browser() -> Iterator[Browser]:
    need.module("textual_serve", "web")
    need.module("selenium", "web")
    chromium = need.program("chromium", "apt-get install chromium chromium-driver")
    chromedriver = need.program("chromedriver", "apt-get install chromium chromium-driver")
    with Browser(chromium, chromedriver) as b:
        yield b


def panes_shown(screen: str) -> bool:
    """Every agent's pane is drawn: its number and name head it (`1 ada  thinking ...`)."""
    return all(re.search(rf"\b{i} {re.escape(name)}\s+\w", screen) for i, name in enumerate(NAMES, 1))


def runs(db: Path) -> list[dict[str, object]]:
    proc = subprocess.run([sys.executable, "-m", "teamtui", "runs", "--json", "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    rows: list[dict[str, object]] = json.loads(proc.stdout)
    return rows


def test_the_monitor_in_chromium_shows_the_agents_and_a_kill_typed_on_the_keyboard(browser: Browser,
                                                                                     tmp_path: Path) -> None:
    # Half speed, and the clock paused before the key: the kill typed here is the only one a user made (the
    # quickstart's own kill, at 20 s of run time, is "(schedule)"), whenever the page got going.
    with served(str(QUICKSTART), "--speed", "0.5", "--db", str(tmp_path / "runs.db"), log=tmp_path / "serve.log"
                ) as (_, url):
        assert url.startswith("http://127.0.0.1:")
        browser.open(url)
        screen = browser.wait_for(panes_shown, f"a pane for each of {NAMES}")
        assert load_scenario(QUICKSTART).name in screen  # the header names the run's scenario
        browser.press(" ")
        screen = browser.wait_for(lambda s: "PAUSED" in s, "the run paused by the space key")
        number, name = next((i, n) for i, n in enumerate(NAMES, 1) if f"kill {n}" not in screen)
        browser.press(str(number), "k")
        screen = browser.wait_for(lambda s: f"kill {name} (user)" in s, f"the kill of {name} from the keyboard")
        assert re.search(rf"\b{number} {re.escape(name)}\s+killed\b", screen), screen  # its pane says so
        assert f"target: {name} ({number})" in screen
        browser.screenshot(tmp_path / "web-monitor.png")
    png = (tmp_path / "web-monitor.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") >= 1000  # the page, full width


def test_a_recorded_run_replays_in_chromium_and_its_keys_work(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    subprocess.run([sys.executable, "-m", "teamtui", "run", str(QUICKSTART), "--headless", "--no-baseline",
                    "--db", str(db)], cwd=ROOT, check=True, capture_output=True, timeout=300)
    run_id = str(runs(db)[0]["id"])
    with served("--replay", "latest", "--db", str(db), log=tmp_path / "serve.log") as (_, url):
        browser.open(url)
        browser.wait_for(panes_shown, f"the replay's panes for {NAMES}")
        browser.press(END)  # jump to the end of the recording
        screen = browser.wait_for(lambda s: "RunFinished" in s, "the end of the recording")
        assert "☠ killed" in screen  # the quickstart's own kill, in its victim's pane
    assert run_id in (tmp_path / "serve.log").read_text()


def test_stopping_the_server_ends_each_tab_s_run_and_records_it(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with served(str(QUICKSTART), "--db", str(db), log=tmp_path / "serve.log") as (proc, url):
        browser.open(url)
        browser.wait_for(panes_shown, "the monitor's panes")
        proc.send_signal(signal.SIGINT)  # the server alone, as if it alone got Ctrl+C: it closes the sessions
        assert proc.wait(timeout=120) == 0
        ended = until(lambda: runs(db) and runs(db)[0]["status"] != "running", "the tab's run to be closed",
                      lambda: json.dumps(runs(db)))
    assert ended and runs(db)[0]["status"] == "interrupted", runs(db)


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    need.module("textual_serve", "web")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "teamtui", "serve", str(QUICKSTART), "--port", str(port),
                               "--db", str(tmp_path / "runs.db")], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, check=False)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr
