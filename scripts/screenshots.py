"""Regenerate the README's screenshots from the real app: SVG always, PNG too when cairosvg is installed.

    python scripts/screenshots.py            # writes screenshots/*.svg (and *.png)

The app is fed a recorded run of the quickstart scenario on the virtual clock (deterministic), cut at
the moments worth showing, at a fixed terminal size; the summary uses a 1-agent baseline run.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZE = (160, 48)


async def _snap(app: Any, name: str, setup: Callable[[Any, Any], Awaitable[None]]) -> Path:
    """Run `app` at SIZE, let `setup` bring it where the picture is, draw a frame and save it as SVG."""
    async with app.run_test(size=SIZE) as pilot:
        await setup(app, pilot)
        app.frame()
        await pilot.pause(0.2)
        out = ROOT / "screenshots" / f"{name}.svg"
        app.save_screenshot(str(out.name), str(out.parent))
    return out


async def shoot(name: str, events: list, keys: tuple[str, ...] = (), baseline: list | None = None) -> Path:
    from teamtui.ui.app import TeamApp

    async def press(app: Any, pilot: Any) -> None:
        await pilot.pause(0.3)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.5)

    return await _snap(TeamApp(events=events, baseline=baseline), name, press)


async def shoot_replay(name: str, events: list, at: int) -> Path:
    from teamtui.core.clock import ManualTime
    from teamtui.ui.replay import ReplayApp

    async def seek(app: Any, pilot: Any) -> None:
        await pilot.press("space")  # pause, then seek where the picture should be
        app.seek(at)
        await app.workers.wait_for_complete()  # a far seek folds in a worker
        await pilot.pause(0.5)

    return await _snap(ReplayApp(events, run_id="20261125-091500-a1b2", speed=4, ticker=ManualTime()), name, seek)


def main() -> None:
    from teamtui.core import events as ev
    from teamtui.launch import baseline_of, run_events
    from teamtui.scenario.load import load_scenario

    s = load_scenario(ROOT / "scenarios" / "quickstart.toml")
    events = run_events(s)
    base = run_events(baseline_of(s))
    kill = next(i for i, e in enumerate(events) if isinstance(e, ev.AgentKilled))
    recovered = next(i for i, e in enumerate(events) if isinstance(e, ev.TaskClaimed)
                     and e.reclaimed_from == events[kill].agent)
    start = events[0]
    assert isinstance(start, ev.RunStarted)
    victim = str(start.agents.index(events[kill].agent) + 1)  # the quickstart kills whoever holds the most work
    shots = [
        ("running", events[: next(i for i, e in enumerate(events) if e.t >= 18)], ()),
        ("killed-agent", events[: kill + 6], (victim,)),
        ("recovered", events[: recovered + 4], (victim,)),
        ("summary", events, ("m",)),
        ("help", events[: kill + 6], ("question_mark",)),
    ]
    (ROOT / "screenshots").mkdir(exist_ok=True)
    jobs = [(name, lambda n=name, e=evs, k=keys: shoot(n, e, k, base if n == "summary" else None))
            for name, evs, keys in shots]
    jobs.append(("replay", lambda: shoot_replay("replay", events, recovered + 4)))
    for _name, job in jobs:
        svg = asyncio.run(job())
        print(f"wrote {svg.relative_to(ROOT)}")
        try:
            import cairosvg
        except ImportError:
            continue
        cairosvg.svg2png(url=str(svg), write_to=str(svg.with_suffix(".png")), output_width=1600)
        print(f"wrote {svg.with_suffix('.png').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
