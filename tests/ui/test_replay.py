"""Replay: the monitor driven by a recording; stepping and seeking show what the live screen showed."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from teamtui.core import events as ev
from teamtui.ui.app import TeamApp
from teamtui.ui.screens.run import FAULT_ACTIONS
from teamtui.ui.widgets.panes import AgentPane

from .conftest import play, replay_app, settled, until

SIZE = (140, 44)


def text_of(widget: Static) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def screen_of(app: TeamApp) -> dict[str, str]:
    """What the main panes show, apart from the header (which says replay or live)."""
    out = {"board": text_of(app.main.w_board), "metrics": text_of(app.main.w_metrics)}
    for pane in app.panes:
        out[pane.agent] = text_of(pane.title_line) + "\n".join(s.text for s in pane.stream.lines)
    return out


async def test_seeking_shows_what_the_live_screen_showed_at_that_point(recorded: list[ev.Event]) -> None:
    k = next(i for i, e in enumerate(recorded) if isinstance(e, ev.AgentKilled)) + 5
    live = TeamApp(events=recorded[:k])
    async with live.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(live.panes) and all(p.stream.size.width > 0 for p in live.panes))
        live.frame()
        await until(pilot, lambda: all(p.stream.lines for p in live.panes))  # every agent has done something
        expected = screen_of(live)
    replay = replay_app(recorded)
    async with replay.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # pause the player
        await until(pilot, lambda: not replay.playing)
        replay.seek(len(recorded))  # forwards to the end (in a worker), then back: the view is folded again
        await settled(pilot)
        assert replay.pos == len(recorded)
        replay.seek(k)
        await settled(pilot)
        assert replay.pos == k and bool(replay.panes)
        await until(pilot, lambda: all(p.stream.lines for p in replay.panes))
        assert screen_of(replay) == expected


async def test_step_back_and_forth_and_jump_between_faults(recorded: list[ev.Event]) -> None:
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.pos > 0)
        await play(pilot, app, 2.0)
        await pilot.press("right")
        await until(pilot, lambda: not app.playing)
        at = app.pos
        await pilot.press("right", "right", "left")
        await until(pilot, lambda: app.pos == at + 1)
        assert app.view.seq == recorded[at].seq
        await pilot.press("home")
        await settled(pilot)
        assert app.pos == 1  # the first event: the run's start
        await pilot.press("n")
        await settled(pilot)
        assert app.pos > 1
        assert isinstance(recorded[app.pos - 1], ev.FaultInjected | ev.ClaimConflicted | ev.LockDenied
                          | ev.WriteConflicted | ev.AgentStalled | ev.StragglerDetected | ev.LeaseExpired)
        await pilot.press("end")
        await settled(pilot)
        assert app.pos == len(recorded)
        assert app.view.finished is not None
        assert "event " + f"{len(recorded)}/{len(recorded)}" in text_of(app.main.w_header)


async def test_fault_keys_are_disabled_and_playing_reaches_the_end(recorded: list[ev.Event]) -> None:
    app = replay_app(recorded, speed=64)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "pause" in actions and not actions & FAULT_ACTIONS  # a recording cannot be changed: no fault key
        before = len(app.view.state.incident_list())
        await pilot.press("k", "x", "h")
        await pilot.pause()
        assert not [i for i in app.view.state.incident_list()[before:] if i.kind == "fault" and i.other == "user"]
        assert app.pos < len(recorded)
        await play(pilot, app, recorded[-1].t / 64 + 1)  # the whole run, at 64 run seconds a second
        assert app.pos == len(recorded) and not app.playing
        assert app.view.finished is not None and app.view.seq == recorded[-1].seq


async def test_seek_to_a_typed_run_time(recorded: list[ev.Event]) -> None:
    from textual.widgets import Input

    from teamtui.ui.screens.prompt import PromptScreen

    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen) and isinstance(app.focused, Input))
        await pilot.press(*"9999", "enter")  # past the end: explained, not applied
        await until(pilot, lambda: "the run lasted" in text_of(app.screen.query_one("#prompt-hint", Static)))
        app.screen.query_one("#prompt-input", Input).value = ""
        await pilot.press(*"12.5", "enter")
        await until(pilot, lambda: not isinstance(app.screen, PromptScreen))
        await settled(pilot)
        expected = sum(1 for e in recorded if e.t <= 12.5)
        assert app.pos == expected and not app.playing
        assert app.view.seq == recorded[expected - 1].seq and app.view.now <= 12.5


async def test_clicking_the_timeline_seeks_there_and_marks_show_faults(recorded: list[ev.Event]) -> None:
    app = replay_app(recorded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: not app.playing)
        width = app.main.w_scrubber.size.width
        assert width > 100
        await pilot.click("#scrubber", offset=(width // 2, 0))
        await settled(pilot)
        assert app.pos == round(len(recorded) * (width // 2) / (width - 1))
        assert app.view.seq == app.pos - 1
        await pilot.click("#scrubber", offset=(width - 1, 0))
        await settled(pilot)
        assert app.pos == len(recorded)
        await pilot.click("#scrubber", offset=(0, 0))
        await settled(pilot)
        assert app.pos == 1  # the run's first event: before it there is no run to show
        app.frame()
        assert "◆" in text_of(app.main.w_scrubber)  # the recorded kill is marked on the timeline
