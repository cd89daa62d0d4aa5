"""Pilot tests: the real monitor on a live engine, driven by real key presses; the run's clock moves only when the
test advances it (a manual `Pace`), so no test races the wall clock."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList, RichLog, Static

from teamtui.core import events as ev
from teamtui.core.faults import Delay, Partition
from teamtui.ui.app import TeamApp
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.prompt import PromptScreen, parse_delay, parse_groups
from teamtui.ui.screens.run import RunScreen
from teamtui.ui.screens.summary import SummaryScreen
from teamtui.ui.widgets.panes import AgentPane, EventLog

from .conftest import advance, live_scenario, manual_app, step_until, stepped, until

SIZE = (140, 44)


def of(app: TeamApp, kind: type[ev.Event], agent: str | None = None) -> list[ev.Event]:
    assert app.engine is not None
    return [e for e in app.engine.events if isinstance(e, kind) and (agent is None or e.agent == agent)]


def text_of(widget: Static) -> str:
    """The plain text a Static shows (its content is a rich renderable or a string)."""
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_focus_agent_two_and_kill_it() -> None:
    app = TeamApp(live_scenario(), speed=1)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.now > 1.0 and isinstance(app.focused, AgentPane))
        await pilot.press("2", "k")
        await until(pilot, lambda: bool(of(app, ev.AgentKilled)))
        killed = of(app, ev.AgentKilled)
        assert [e.agent for e in killed] == ["bob"]
        assert [(e.fault, e.source) for e in of(app, ev.FaultInjected)] == [("kill", "user")]
        await pilot.pause()
        app.frame()
        pane = app.query_one("#agent-bob", AgentPane)
        assert pane.has_class("-killed")
        assert "killed" in text_of(pane.title_line)
        await pilot.press("q")
        await until(pilot, lambda: app.engine is not None and app.engine.finished)


async def test_killing_an_agent_that_holds_work_shows_the_recovery_time() -> None:
    app = TeamApp(live_scenario(), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        assert app.engine is not None
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("2")
        await step_until(pilot, pace, lambda: bool(app.engine.board.held_by("bob")))  # type: ignore[union-attr]
        await pilot.press("k")  # the run stands still until the test advances it: bob still holds the work
        await until(pilot, lambda: bool(of(app, ev.AgentKilled)))
        killed = of(app, ev.AgentKilled, "bob")
        assert len(killed) == 1, (of(app, ev.AgentKilled), app.target, app.focused, app.engine.finished)
        held = killed[0].held  # type: ignore[attr-defined]
        assert held, "bob held nothing when the key was pressed"
        await step_until(pilot, pace, lambda: any(i.kind == "recovery" for i in app.view.state.incident_list()))
        reclaimed = [e for e in app.engine.events if isinstance(e, ev.TaskClaimed) and e.task in held
                     and e.seq > killed[0].seq]  # type: ignore[union-attr]
        assert reclaimed and all(e.agent != "bob" for e in reclaimed)
        app.frame()
        prompts = [str(o.prompt) for o in app.query_one("#incidents", OptionList).options]
        assert any("kill bob" in p and "recovered in" in p for p in prompts), prompts
        await pilot.press("q")


async def test_delay_prompt_then_the_agent_becomes_a_straggler() -> None:
    app = TeamApp(live_scenario(subtasks=48), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.now > 0.5 and isinstance(app.focused, AgentPane))
        await pilot.press("3", "d")  # the run stands still while we type: it moves only when advanced
        await until(pilot, lambda: isinstance(app.screen, PromptScreen) and isinstance(app.focused, Input))
        await pilot.press(*"nonsense", "enter")  # a bad value is explained, not applied
        await until(pilot, lambda: "not a delay" in text_of(app.screen.query_one("#prompt-hint", Static)))
        assert isinstance(app.screen, PromptScreen)
        assert not of(app, ev.AgentDelayed)
        box = app.screen.query_one("#prompt-input")
        box.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"6x 2000s", "enter")
        await until(pilot, lambda: bool(of(app, ev.AgentDelayed)))
        delayed = of(app, ev.AgentDelayed, "cy")
        assert len(delayed) == 1 and delayed[0].factor == 6 and delayed[0].duration == 2000  # type: ignore[attr-defined]
        await step_until(pilot, pace, lambda: bool(of(app, ev.StragglerDetected, "cy")), step=2.0)
        app.frame()
        pane = app.query_one("#agent-cy", AgentPane)
        title = text_of(pane.title_line)
        assert "delayed ×6 for 2000s" in title
        assert pane.has_class("-straggler") and app.view.agent_state("cy") == "straggler"
        await pilot.press("q")


async def test_isolate_then_heal() -> None:
    app = TeamApp(live_scenario(), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.now > 0.5 and isinstance(app.focused, AgentPane))
        await pilot.press("4", "x")
        await until(pilot, lambda: bool(of(app, ev.NetworkPartitioned)))
        parts = of(app, ev.NetworkPartitioned)
        assert [p.groups for p in parts] == [(("dee",), ("ada", "bob", "cy"))]  # type: ignore[attr-defined]
        app.frame()
        assert "cut off" in text_of(app.query_one("#agent-dee", AgentPane).title_line)
        await pilot.press("h")
        await until(pilot, lambda: bool(of(app, ev.NetworkHealed)))
        assert len(of(app, ev.NetworkHealed)) == 1
        app.frame()
        assert "cut off" not in text_of(app.query_one("#agent-dee", AgentPane).title_line)
        await pilot.press("q")


async def test_pause_stops_the_clock_and_resume_restarts_it() -> None:
    app = manual_app()
    run = app.run_handle
    assert run is not None and run.pace is not None
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, app, 1.0)
        await pilot.press("space")
        await until(pilot, lambda: run.paused)
        run.pace.advance_to(run.clock.origin + 5.0)  # time granted, but the run is paused: it stands still
        await until(pilot, lambda: run.parked and run.pace.reached.is_set())  # type: ignore[union-attr]
        t0, n0 = app.clock.now(), len(app.engine.events)  # type: ignore[union-attr]
        assert t0 < 5.0
        app.frame()
        assert "PAUSED" in text_of(app.query_one("#header", Static))
        await pilot.press("space")  # resumed: it goes on to the time granted, and stops there
        await until(pilot, lambda: run.pace.reached.is_set() and app.clock.now() == pytest.approx(5.0))  # type: ignore[union-attr]
        assert len(app.engine.events) > n0  # type: ignore[union-attr]
        await pilot.press("plus")
        await until(pilot, lambda: app.clock.speed == 2)
        await pilot.press("minus", "minus")
        await until(pilot, lambda: app.clock.speed == 0.5)
        await pilot.press("q")


async def test_the_palette_runs_a_fault() -> None:
    app = TeamApp(live_scenario(), speed=1, summary_at_end=False)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.now > 0.3 and isinstance(app.focused, AgentPane))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"kill cy")
        await until(pilot, lambda: "kill cy" in str(app.screen.query("CommandList").first().get_option_at_index(0).prompt))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: bool(of(app, ev.AgentKilled, "cy")))
        assert [e.source for e in of(app, ev.FaultInjected)] == ["user"]  # type: ignore[attr-defined]
        await pilot.press("q")


async def test_help_lists_every_binding(recorded: list[ev.Event]) -> None:
    app = TeamApp(events=recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "".join(text_of(s) for s in app.screen.query(Static))
        for b in RunScreen.BINDINGS:
            assert b.description in text and b.tooltip in text, b  # type: ignore[union-attr]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_quit_stops_the_run_cleanly_with_a_final_event() -> None:
    app = TeamApp(live_scenario(), speed=1)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.now > 0.5)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.engine is not None
    end = app.engine.events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "cancelled"
    assert app.return_code == 0


async def test_the_summary_opens_at_the_end_and_the_ui_stays() -> None:
    app = TeamApp(live_scenario(), speed=1)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.run_handle is not None and app.run_handle.done.is_set(), step=20.0)
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        assert app.engine is not None and app.engine.status == "completed"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SummaryScreen))
        assert app.is_running
        await pilot.press("k")  # a fault after the end is refused with a notice, not a crash
        assert not of(app, ev.AgentKilled)
        await pilot.press("q")


async def test_log_filter_and_jump_from_an_incident(recorded: list[ev.Event]) -> None:
    events = recorded
    app = TeamApp(events=events)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"kind:AgentKilled")
        await until(pilot, lambda: app.main.w_log.words == ["kind:AgentKilled"])
        await pilot.pause()
        log = app.query_one("#log", RichLog)
        lines = [s.text for s in log.lines]
        assert len(lines) == 1 and "AgentKilled" in lines[0]
        await pilot.press("escape")
        app.query_one("#incidents", OptionList).focus()
        kill = next(e for e in events if isinstance(e, ev.FaultInjected))
        inc = app.query_one("#incidents", OptionList)
        inc.highlighted = next(i for i, o in enumerate(inc.options) if "kill bob" in str(o.prompt))
        await pilot.press("enter")
        await until(pilot, lambda: len(app.query_one("#log", RichLog).lines) > 1)
        elog = app.query_one(EventLog)
        assert elog.words == []
        lines = [s.text for s in log.lines]
        assert len(lines) > 1
        assert any(f" {kill.seq} " in line and "FaultInjected" in line for line in lines)


async def test_a_too_small_terminal_gets_a_message(recorded: list[ev.Event]) -> None:
    app = TeamApp(events=recorded)
    async with app.run_test(size=(80, 24)):
        assert app.screen.has_class("-too-small")
        assert "too small" in text_of(app.query_one("#too-small", Static))
        assert not app.query_one("#body").display or app.query_one("#body").styles.display == "none"


async def test_q_on_the_summary_quits(recorded: list[ev.Event]) -> None:
    app = TeamApp(events=recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


async def test_a_frame_with_nothing_new_draws_nothing(recorded: list[ev.Event],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished run sitting on the screen must not redraw every pane ten times a second."""
    from teamtui.ui import render

    app = TeamApp(events=recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes) and app.view.finished is not None)
        await until(pilot, lambda: app.main.w_board.size.width > 0)  # the panels' first layout (a width that
        app.frame()  # changes redraws them, rightly)
        drawn: list[int] = []
        real = render.task_board
        monkeypatch.setattr(render, "task_board", lambda view, *a: drawn.append(view.seq) or real(view, *a))
        for _ in range(5):  # five frame ticks
            app.main._frame_tick()
        app.frame()
        assert drawn == []
        app.pending.append(ev.RoundStarted(seq=len(recorded), t=recorded[-1].t, round=99, waiting_on=()))
        app.frame()
        assert drawn == [len(recorded)]


def test_the_fault_prompts_build_typed_faults() -> None:
    assert parse_delay("3x 20s", "cy") == Delay("cy", factor=3.0, seconds=20.0)
    assert parse_delay("+5s", "ada") == Delay("ada", latency_s=5.0)
    with pytest.raises(ValueError, match="not a delay"):
        parse_delay("soon")
    isolate = Partition(parse_groups("", ["ada", "bob", "cy"], "bob"))
    assert (isolate.action, isolate.target, isolate.params) == ("partition", "", {"groups": [["bob"], ["ada", "cy"]]})
    assert parse_groups("ada | cy", ["ada", "bob", "cy"], "bob") == (("ada",), ("cy",), ("bob",))
