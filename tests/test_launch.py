"""The one run path: a paced run is the unpaced run, and the monitor stores what `teamtui run` stores."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.clock import Pace, VirtualEventLoop, run_virtual
from teamtui.launch import Run
from teamtui.store.reader import list_runs, load_events, load_metrics
from teamtui.ui.app import TeamApp

from .conftest import run_cli
from .ui.conftest import live_scenario, until

KILL_BOB = '\n[[faults]]\nat = 9\naction = "kill"\nagent = "bob"\n'


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_paced_run_is_the_same_run_as_an_unpaced_one(seed: int) -> None:
    s = live_scenario(KILL_BOB.replace("at = 9", f"at = {5 + seed}"))
    s = type(s)(**{**s.__dict__, "seed": seed})
    unpaced = Run(s).execute()
    paced = Run(s, speed=500).execute()
    assert paced.events == unpaced.events  # what happens, and when, is decided by virtual time alone
    assert paced.metrics == unpaced.metrics and paced.metrics.speedup is not None


def test_a_paused_pace_holds_virtual_time_still_and_resuming_moves_it_on() -> None:
    pace = Pace(speed=1000)
    seen: list[float] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualEventLoop)
        pace.set(paused=True)
        waiter = asyncio.ensure_future(asyncio.sleep(50))  # 50 virtual seconds: 0.05 s of wall time at this pace
        await asyncio.sleep(0)
        await asyncio.to_thread(time.sleep, 0.2)  # while paused, no virtual time passes, however long we wait
        seen.append(loop.time())
        pace.set(paused=False)
        await waiter
        seen.append(loop.time())

    run_virtual(main(), pace)
    assert seen[0] < 1.0 and seen[1] >= 50.0


async def test_a_monitor_run_is_stored_with_the_metrics_of_the_same_run_headless(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    s = live_scenario(KILL_BOB)
    app = TeamApp(s, speed=200, db=db, summary_at_end=False)
    async with app.run_test(size=(140, 44)) as pilot:
        await until(pilot, lambda: app.ended, timeout=120)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    (watched,) = list_runs(db)
    headless = await asyncio.to_thread(Run(s, db=db).execute)
    assert headless.run_id is not None and headless.run_id != watched.id
    assert load_events(db, watched.id) == load_events(db, headless.run_id)
    stored = load_metrics(db, watched.id)
    assert stored is not None and stored == load_metrics(db, headless.run_id)
    assert stored["speedup"] is not None and stored["fault_cost"] is not None
    assert watched.speedup == pytest.approx(stored["speedup"])
    listed = run_cli("runs", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if watched.id in row)
    assert f"{stored['speedup']:.2f}×" in line


def test_an_unpaced_run_with_a_database_is_recorded_once_it_ends(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    outcome = Run(live_scenario(), db=db, baselines=False).execute()
    assert outcome.run_id is not None and not outcome.record_error
    assert load_events(db, outcome.run_id) == outcome.events
    assert isinstance(outcome.events[-1], ev.RunFinished)
