"""Shared UI fixtures: a small live scenario, a deterministic event log, a wait-for-condition helper, and the one
clock a test advances: a live run on a manual `Pace` (`manual_app`, `advance`, `step_until`), a replay on a
`ManualTime` ticker (`replay_app`, `play`), so that no test races the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from textual.pilot import Pilot

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime, Pace
from teamtui.launch import run_events
from teamtui.scenario.spec import Scenario
from teamtui.ui.app import TeamApp
from teamtui.ui.replay import ReplayApp

from ..conftest import scenario_from

LIVE = """
[scenario]
name = "ui test team"
seed = 11
[team]
size = 4
architecture = "decentralized"
[team.sim]
think_time = { dist = "lognormal", median_s = 2.0, sigma = 0.2 }
[task]
{subtasks}
[limits]
lease_s = 8
stall_after_s = 10
"""


def _subtasks(n: int) -> str:
    return "\n".join(
        f'[[task.subtasks]]\nid = "t{i:02d}"\nwork = 2' + (f'\ndepends_on = ["t{i - 1:02d}"]' if i % 4 == 1 else "")
        for i in range(n))


def live_scenario(extra: str = "", subtasks: int = 16) -> Scenario:
    return scenario_from(LIVE.replace("{subtasks}", _subtasks(subtasks)) + extra)


KILL_BOB = '\n[[faults]]\nat = 9\naction = "kill"\nagent = "bob"\n'


@cache
def _recorded() -> tuple[ev.Event, ...]:
    return tuple(run_events(live_scenario(KILL_BOB)))


@cache
def _recorded_baseline() -> tuple[ev.Event, ...]:
    from teamtui.launch import baseline_of

    return tuple(run_events(baseline_of(live_scenario(KILL_BOB))))


@pytest.fixture
def recorded() -> list[ev.Event]:
    """A deterministic run on the virtual clock, with a scheduled kill of bob at 9 s (made outside any loop)."""
    return list(_recorded())


@pytest.fixture
def recorded_baseline() -> list[ev.Event]:
    """The 1-agent run of the same task and seed as `recorded` (its T1)."""
    return list(_recorded_baseline())


async def until(pilot: Pilot[object], cond: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until `cond()` holds (a generous bound on a condition, not a timing assertion)."""
    waited = 0.0
    while not cond():
        if waited > timeout:
            raise AssertionError("the condition did not come true while the app ran")
        await pilot.pause(0.05)
        waited += 0.05


def manual_app(scenario: Scenario | None = None) -> TeamApp:
    """The monitor on a live run whose virtual clock moves only when the test says (`advance`), never with the
    wall clock: what a test sees cannot depend on how busy the machine is."""
    app = TeamApp(scenario or live_scenario(), speed=1.0, summary_at_end=False)
    stepped(app)
    return app


async def advance(pilot: Pilot[object], app: TeamApp, t: float) -> None:
    """Move the run's clock to run time `t` (at once), wait until its loop has parked there, and draw a frame."""
    run = app.run_handle
    assert run is not None and run.pace is not None
    run.pace.advance_to(run.clock.origin + t)
    await until(pilot, run.pace.reached.is_set)
    await until(pilot, lambda: not app.pending and (app.view.started is None or bool(app.panes)), timeout=10)
    app.frame()
    await pilot.pause()


def notices(app: TeamApp) -> list[str]:
    """The messages of the notifications the app has shown (and not yet timed out)."""
    return [n.message for n in app._notifications]


def stepped(app: TeamApp) -> Pace:
    """Put a live `TeamApp`'s run on a manual pace (before the app starts it): run time moves only when the test
    grants it (`step_until`, `advance`)."""
    assert app.run_handle is not None and app.run_handle.pace is not None
    app.run_handle.pace.manual = True
    return app.run_handle.pace


async def step_until(pilot: Pilot[object], pace: Pace, cond: Callable[[], bool], step: float = 0.5,
                     limit: float = 900.0) -> None:
    """Advance the run `step` run-seconds at a time until `cond()` holds (after the app folded what happened),
    failing after `limit` run seconds. The wall clock only bounds how long a step may take to be run."""
    granted = 0.0
    app: Any = pilot.app
    while True:
        app.frame()
        if cond():
            return
        if granted >= limit or app.run_handle.done.is_set():
            raise AssertionError(f"the condition did not come true in {granted:g} s of run time")
        pace.grant(step)
        granted += step
        await until(pilot, lambda: pace.reached.is_set() or app.run_handle.done.is_set())


def replay_app(events: Any, run_id: str = "r1", speed: float = 1.0) -> ReplayApp:
    """A replay whose player moves only when the test says (`play`), never with the wall clock."""
    return ReplayApp(events, run_id=run_id, speed=speed, ticker=ManualTime())


async def play(pilot: Pilot[object], app: ReplayApp, seconds: float) -> None:
    """Let `seconds` of the player's time pass (times its speed in run time), hand what it reached over and draw it."""
    ticker = app.player.ticker
    assert isinstance(ticker, ManualTime)
    ticker.advance(seconds)
    app.main.tick()
    app.frame()
    await pilot.pause()


async def settled(pilot: Pilot[object]) -> None:
    """Wait until every worker (a replay's seek, the summary's fold) is done, then let the app draw."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.frame()  # type: ignore[attr-defined]
