"""`teamtui serve` in a subprocess and Debian's headless chromium (through its chromedriver) reading the page's terminal.

textual-serve's page draws the terminal with xterm.js on a WebGL or canvas renderer, so the text is not in the
DOM. A script run before the page's own (`HOOK`) catches the xterm `Terminal` as the page's client stores it
(`this.terminal = new Terminal(...)`), and `Browser.screen()` reads its buffer, row by row, as the user sees it.
Chromium resolves no host name but 127.0.0.1 (the page links a web font): nothing leaves the machine.
Used by tests/extras/test_serve_browser.py and scripts/screenshot_web.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
DEADLINE = 120.0
"""Seconds to wait for a real process (the server, the app behind the page) to show something: generous, as
the machine may be loaded; a test polls for content and never asserts on how fast it came."""

HOOK = """
window.__teamtuiTerminals = [];
Object.defineProperty(Object.prototype, 'terminal', {configurable: true, set(value) {
  Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
  if (value && value.buffer) window.__teamtuiTerminals.push(value);
}});
"""
READ = """
const t = window.__teamtuiTerminals[0];
if (!t) return '';
const buffer = t.buffer.active, rows = [];
for (let y = 0; y < t.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def served(*args: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`teamtui serve ARGS --port FREE` in a session of its own, and the URL it announced; on leaving, the whole
    process group (the server and the app of every browser tab) is stopped: SIGTERM, then SIGKILL."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "teamtui", "serve", *args, "--port", str(port)], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = until(lambda: _announced(log), f"the server to announce its URL in {log}",
                    lambda: log.read_text(errors="replace"), alive=proc)
        yield proc, url
    finally:
        stop_group(proc)


def _announced(log: Path) -> str | None:
    found = re.search(r"teamtui: serving .* at (http://\S+) \(Ctrl\+C stops\)", log.read_text(errors="replace"))
    return found.group(1) if found else None


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (the server and each tab's app, which then records its run as
    interrupted), up to 30 s for all of them to end, then SIGKILL to whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(AssertionError):
        until(lambda: proc.poll() is not None and not _group_alive(proc.pid), "the process group to end", str,
              deadline=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def until(probe: Callable[[], Any], what: str, shown: Callable[[], str],
          alive: subprocess.Popen[bytes] | None = None, deadline: float = DEADLINE) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` and showing `shown()` if it never does
    (or the process `alive` ends first)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        got = probe()
        if got:
            return got
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"the process ended ({alive.returncode}) while waiting for {what}:\n{shown()}")
        time.sleep(0.25)
    raise AssertionError(f"no {what} within {deadline:.0f} s; last seen:\n{shown()}")


class Browser:
    """Headless chromium on one page; `screen()` is the terminal's text."""

    def __init__(self, chromium: str, chromedriver: str, size: tuple[int, int] = (1600, 1000)) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = chromium  # with the driver's path below, Selenium Manager is never asked
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    f"--window-size={size[0]},{size[1]}",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.driver.quit()

    def open(self, url: str) -> None:
        """Load the page and start the app: textual-serve starts it at once, or behind a Start button."""
        from selenium.webdriver.common.by import By

        self.driver.get(url)
        for button in self.driver.find_elements(By.CSS_SELECTOR, "#start"):
            if button.is_displayed():
                button.click()

    def screen(self) -> str:
        text: str = self.driver.execute_script(READ) or ""
        return text

    def size(self) -> tuple[int, int]:
        """The terminal's columns and rows (what the app was told), or (0, 0) before the page made it."""
        cols, rows = self.driver.execute_script(
            "const t = window.__teamtuiTerminals[0]; return t ? [t.cols, t.rows] : [0, 0];")
        return int(cols), int(rows)

    def wait_for(self, predicate: Callable[[str], Any], what: str) -> str:
        """The screen once `predicate(screen)` holds (polled; see DEADLINE)."""
        return str(until(lambda: (lambda s: s if predicate(s) else None)(self.screen()), what, self.screen))

    def press(self, *keys: str) -> None:
        """Type keys into the terminal, one at a time, as a user would (no mouse: a click would move the focus)."""
        from selenium.webdriver.common.by import By

        typing = self.driver.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")  # xterm's keyboard input
        for key in keys:
            typing.send_keys(key)

    def screenshot(self, path: Path) -> None:
        assert self.driver.save_screenshot(str(path)), f"chromium saved no screenshot to {path}"
