"""The monitor's breakpoints (`b`, `[[breakpoints]]`) and faults aimed by role (`K`, the palette), with real keys
on a run clock the test advances."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.pilot import Pilot
from textual.widgets import RichLog

from teamtui.core import events as ev
from teamtui.core.clock import Pace
from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario
from teamtui.ui.aimbreak import parse_breaks
from teamtui.ui.app import TeamApp
from teamtui.ui.widgets.panes import AgentPane

from ..conftest import ROOT
from .conftest import live_scenario, step_until, stepped, until

SIZE = (140, 44)
CONFLICTS = ROOT / "tests" / "data" / "conflicts.toml"
CONFLICT_KINDS = ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied


async def run_until_break(pilot: Pilot[object], app: TeamApp, pace: Pace, limit: float = 120.0) -> None:
    """Grant run time half a second at a time until a breakpoint has paused the run and the app has shown it."""
    granted = 0.0
    while app.breaks.last is None:
        assert granted < limit and app.run_handle is not None and not app.run_handle.done.is_set(), "no break came"
        pace.grant(0.5)
        granted += 0.5
        await until(pilot, pace.reached.is_set)
        await until(pilot, lambda: not app.pending)
        app.frame()


def highlighted(app: TeamApp) -> list[str]:
    """The event log's lines shown highlighted (reverse video)."""
    log = app.query_one("#log", RichLog)
    return [strip.text for strip in log.lines if any(seg.style is not None and seg.style.reverse for seg in strip)]


@pytest.fixture
def first_conflict() -> ev.Event:
    """The first conflict of the conflicts scenario's seed on the virtual clock (computed outside any loop)."""
    return next(e for e in run_events(load_scenario(CONFLICTS)) if isinstance(e, CONFLICT_KINDS))


async def test_b_sets_a_breakpoint_and_the_run_pauses_at_the_first_conflict_with_it_focused(
        first_conflict: ev.Event) -> None:
    scenario = replace(load_scenario(CONFLICTS), breakpoints=())  # no breakpoint in the file: the key sets it
    first = first_conflict
    app = TeamApp(scenario, speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("b")
        await pilot.press(*"conflict", "enter")
        await until(pilot, lambda: [str(b) for b in app.breaks.breakpoints] == ["conflict"])
        await run_until_break(pilot, app, pace)
        hit = app.breaks.last
        assert hit is not None and hit.event == first  # the first conflict of this seed, on the virtual clock
        assert app.clock.paused and pace.parked
        assert app.engine is not None and app.engine.events[-1].t == first.t  # the run stands at the event
        await pilot.pause()
        marked = highlighted(app)
        assert len(marked) == 1 and f" {first.seq} " in marked[0] and first.kind in marked[0]
        assert "breakpoint conflict" in app.main.w_status.note
        assert any("paused at breakpoint conflict" in n.message for n in app._notifications)
        pace.grant(3.0)  # granting time changes nothing while paused...
        await pilot.pause(0.2)
        assert app.engine.events[-1].t == first.t
        app.breaks.last = None
        await pilot.press("space")  # ...until space resumes the run, which stops again at a later conflict
        await run_until_break(pilot, app, pace)
        again = app.breaks.last
        assert again is not None and isinstance(again.event, CONFLICT_KINDS) and again.event.t > first.t
        assert app.clock.paused and f"{again.event.agent} {again.event.kind}" in app.main.w_status.note
        await pilot.press("q")


async def test_a_scenario_breakpoint_pauses_the_monitor() -> None:
    app = TeamApp(load_scenario(CONFLICTS), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await run_until_break(pilot, app, pace)
        assert app.breaks.last is not None and isinstance(app.breaks.last.event, CONFLICT_KINDS)
        assert app.clock.paused and app.main.w_status.note.startswith("breakpoint conflict: ")
        await pilot.press("space")  # going on clears the note (the run stands at the horizon the test granted)
        await until(pilot, lambda: not app.clock.paused and app.main.w_status.note == "")
        await pilot.press("q")


async def test_a_bad_breakpoint_is_refused_in_the_prompt() -> None:
    app = TeamApp(live_scenario(), speed=1, summary_at_end=False)
    stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("b")
        await pilot.press(*"message:/(x/", "enter")
        await pilot.pause()
        assert app.breaks.breakpoints == []
        assert "does not compile" in str(app.screen.query_one("#prompt-hint").render())
        await pilot.press("escape")
        await pilot.press("q")


def test_parse_breaks() -> None:
    assert [str(b) for b in parse_breaks("conflict  message:/dead/i")] == ["conflict", "message:/dead/i"]
    assert parse_breaks("clear") is None


async def test_shift_k_kills_whoever_holds_the_most_work_and_the_log_says_why() -> None:
    app = TeamApp(live_scenario(), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        engine = app.engine
        assert engine is not None
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("1")  # the target is ada: the aimed kill does not care
        await step_until(pilot, pace, lambda: any(engine.board.held_by(n) for n in engine.agents if n != "ada"))
        await pilot.press("K")
        await until(pilot, lambda: any(isinstance(e, ev.AgentKilled) for e in engine.events))
        fired = next(e for e in engine.events if isinstance(e, ev.FaultInjected))
        killed = next(e for e in engine.events if isinstance(e, ev.AgentKilled))
        assert (fired.aim, fired.source, fired.agent) == ("holder", "user", killed.agent)
        assert killed.held and fired.why.startswith(f"holder: {killed.agent} holds")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Fault: kill whoever holds the most work" in titles and "Run: set breakpoints" in titles
        await pilot.press("q")
