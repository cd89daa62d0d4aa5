"""The monitor served to a browser (`teamtui serve`) against the monitor in a terminal, in one run.

    python bench/serve_web.py                 # needs the web extra and apt's chromium + chromium-driver
    python bench/serve_web.py --seconds 30 --tabs 3

first frame: from asking headless chromium for the page to every agent's pane drawn in its terminal (a new
app process per tab: Python start-up, the scenario, the run's first events, the websocket relay), over
`--tabs` fresh tabs, one after another.

cpu: the quickstart at speed 1 for `--seconds` after a 4 s warm-up, CPU time per wall second (1.0 = one core,
from /proc) of the app behind the tab (the UI, engine and recorder: textual's web driver at 60 fps), of the
textual-serve server relaying it, and of chromium (every process of the browser, drawing with xterm.js);
then, interleaved, `bench/ui_throughput.py`'s measure of the same monitor in a 160x48 pseudo-terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ui_throughput import cpu_seconds, live_cpu_share  # noqa: E402 -- after the path is set

from teamtui.scenario.load import load_scenario  # noqa: E402
from tests.extras.browser import Browser, served  # noqa: E402

QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")
NAMES = [a.name for a in load_scenario(QUICKSTART).agents]


def descendants(pid: int) -> list[int]:
    """`pid`'s children, their children, and so on (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # ended meanwhile
            total += cpu_seconds(pid)
    return total


def panes(screen: str) -> bool:
    return all(f"{i} {name} " in screen for i, name in enumerate(NAMES, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0, help="cpu: wall seconds measured (after 4 s)")
    ap.add_argument("--tabs", type=int, default=3, help="first frame: fresh tabs timed")
    args = ap.parse_args()
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        sys.exit("serve_web: apt-get install chromium chromium-driver first")
    with tempfile.TemporaryDirectory() as tmp, Browser(chromium, chromedriver) as browser, served(
            QUICKSTART, "--db", str(Path(tmp) / "runs.db"), log=Path(tmp) / "serve.log") as (server, url):
        firsts = []
        for _ in range(args.tabs):
            t0 = time.monotonic()
            browser.open(url)
            browser.wait_for(panes, "the panes")
            firsts.append(time.monotonic() - t0)
        cols, rows = browser.size()
        print(f"first frame: {' '.join(f'{s:.2f}' for s in firsts)} s over {args.tabs} fresh tabs "
              f"(median {sorted(firsts)[len(firsts) // 2]:.2f} s)")
        time.sleep(4.0)  # warm-up of the last tab's run
        apps = descendants(server.pid)
        browser_pids = [browser.driver.service.process.pid, *descendants(browser.driver.service.process.pid)]
        t0 = time.monotonic()
        before = cpu(apps), cpu([server.pid]), cpu(browser_pids)
        time.sleep(args.seconds)
        wall = time.monotonic() - t0
        after = cpu(apps), cpu([server.pid]), cpu(browser_pids)
        app, relay, chrome = ((a - b) / wall for a, b in zip(after, before, strict=True))
        print(f"cpu, served at speed 1, {cols}x{rows}: app {app:.1%}, server {relay:.1%}, chromium {chrome:.1%} "
              f"of a core over {wall:.0f} s")
    share, _ = live_cpu_share(args.seconds)
    print(f"cpu, the same monitor in a 160x48 pseudo-terminal: {share:.1%} of a core over {args.seconds:g} s "
          f"(app/terminal: {app / share:.1f}x)")


if __name__ == "__main__":
    main()
