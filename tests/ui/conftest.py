"""Shared UI fixtures: a small live scenario, a deterministic event log, a wait-for-condition helper, and a run
clock the test advances (`Stepped`), so that no test races the wall clock."""

from __future__ import annotations

import contextlib
import selectors
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from textual.pilot import Pilot

from teamtui.core import events as ev
from teamtui.core.clock import Pace, VirtualEventLoop
from teamtui.launch import run_events
from teamtui.scenario.spec import Scenario
from teamtui.ui.app import TeamApp

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
    assert app.run_handle is not None and app.run_handle.pace is not None
    app.run_handle.pace.manual = True
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


class Stepped(Pace):
    """A run clock the test advances: run time passes only up to the horizon the test has granted (`grant`), as
    fast as the run goes, and there the run stands still (`at_horizon`) until the next grant. Keys, prompts and
    injected faults act while it stands still, so nothing the test does races the run."""

    def __init__(self) -> None:
        super().__init__(1.0)
        self.horizon = 0.0
        self.at = 0.0
        """The run loop's time when it last waited."""
        self.at_horizon = threading.Event()

    def grant(self, seconds: float) -> None:
        """Let `seconds` more of run time pass (from where the run stands)."""
        with self._lock:
            self.horizon = max(self.horizon, self.at) + seconds
            self.at_horizon.clear()
            loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lambda: None)

    def wait(self, loop: VirtualEventLoop, inner: selectors.BaseSelector,
             timeout: float | None) -> list[tuple[selectors.SelectorKey, Any]]:
        with self._lock:
            self._loop, self._waiting, self.at = loop, None, loop.time()
            room, paused = self.horizon - loop.time(), self.paused
        if paused or room <= 0 or timeout is None:
            self.parked = True
            if room <= 0:
                self.at_horizon.set()
            try:
                return inner.select(None)  # a grant, a fault, a pause or real work moves things on
            finally:
                self.parked = False
        if timeout <= room:
            loop.advance(timeout)
        else:
            loop.advance_by(room)
        return []


def stepped(app: Any) -> Stepped:
    """Put a live `TeamApp`'s run on a clock the test advances (before the app starts it)."""
    pace = Stepped()
    app.run_handle.pace = pace
    return pace


async def step_until(pilot: Pilot[object], pace: Stepped, cond: Callable[[], bool], step: float = 0.5,
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
        await until(pilot, lambda: pace.at_horizon.is_set() or app.run_handle.done.is_set())
