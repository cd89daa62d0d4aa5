"""Regenerate screenshots/web-monitor.png: the monitor served by `teamtui serve`, in Debian's headless chromium.

    python scripts/screenshot_web.py          # needs the web extra and apt's chromium + chromium-driver

The quickstart runs at speed 4 (recorded in a throw-away database) until its first scheduled fault (the
slowdown at 10 s); then the clock is paused and agent 2 killed from the keyboard, as in
tests/extras/test_serve_browser.py, whose browser kit this uses. The run is paced on the wall clock, so two
pictures differ in detail.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from tests.extras.browser import Browser, served

    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        sys.exit("screenshot_web: apt-get install chromium chromium-driver first")
    out = ROOT / "screenshots" / "web-monitor.png"
    with tempfile.TemporaryDirectory() as tmp, Browser(chromium, chromedriver) as browser, served(
            str(ROOT / "scenarios" / "quickstart.toml"), "--speed", "4", "--db", str(Path(tmp) / "runs.db"),
            log=Path(tmp) / "serve.log") as (_, url):
        browser.open(url)
        browser.wait_for(lambda s: "(schedule)" in s, "the quickstart's first scheduled fault")
        browser.press(" ")
        browser.wait_for(lambda s: "PAUSED" in s, "the paused clock")
        browser.press("2", "k")
        browser.wait_for(lambda s: "(user)" in s, "the kill of agent 2 from the keyboard")
        browser.screenshot(out)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
