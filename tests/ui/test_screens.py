"""The monitor as a Textual app: widgets post messages their screen handles, a long seek folds in a worker while
keys still act, and colours follow the app's theme."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Input

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime
from teamtui.core.state import RunState
from teamtui.store.recording import MemoryRecording
from teamtui.ui.app import TeamApp
from teamtui.ui.palette import palette_of
from teamtui.ui.replay import ReplayApp
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.monitor import MonitorScreen
from teamtui.ui.screens.replay import ReplayScreen
from teamtui.ui.screens.run import RunScreen
from teamtui.ui.widgets.panes import AgentPane, EventLog
from teamtui.ui.widgets.scrubber import Scrubber

from .conftest import settled, until

SIZE = (140, 44)


def styles(text: Any) -> set[str]:
    assert isinstance(text, Text)
    return {str(span.style) for span in text.spans} | {str(text.style)}


async def test_widgets_post_messages_that_the_screen_handles(recorded: list[ev.Event],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    app = TeamApp(events=recorded)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        assert isinstance(app.main, RunScreen) and app.screen is app.main
        cy = app.panes[2]
        cy.post_message(AgentPane.Targeted(cy.agent))  # what a pane says when it gets the focus
        await until(pilot, lambda: app.main.target == "cy")
        assert app.main.w_status.target == "cy" and app.main.w_status.index == 3  # the status line is bound to it
        seen: list[EventLog.FilterChanged] = []
        real = MonitorScreen.on_event_log_filter_changed
        monkeypatch.setattr(MonitorScreen, "on_event_log_filter_changed", lambda self, m: (seen.append(m), real(self, m)))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"agent:zed")
        await until(pilot, lambda: bool(seen) and seen[-1].words == ["agent:zed"])
        assert "zed" in str(app.main.w_log.border_subtitle)  # the screen, which knows the agents, says why


async def test_a_click_on_the_timeline_is_a_message_the_replay_screen_seeks_on(recorded: list[ev.Event]) -> None:
    app = ReplayApp(recorded, run_id="r1", ticker=ManualTime())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.pos >= 1)
        assert isinstance(app.main, ReplayScreen)
        app.main.w_scrubber.post_message(Scrubber.Seek(0.5))
        await until(pilot, lambda: app.pos == round(len(recorded) * 0.5))
        await settled(pilot)
        assert app.view.seq == recorded[app.pos - 1].seq and not app.playing


class SlowRecording(MemoryRecording):
    """A recording whose checkpoint restore waits until the test lets it go (a long seek in a big run)."""

    def __init__(self, events: list[ev.Event]) -> None:
        super().__init__(events, "slow")
        self.gate = threading.Event()
        self.folded = False

    def state_near(self, pos: int, floor: int) -> tuple[int, RunState]:
        self.gate.wait(10)  # a bound, so that a fold on the UI's thread (the bug) ends and the test fails
        self.folded = True
        return super().state_near(pos, floor)


async def test_a_long_seek_folds_in_a_worker_while_keys_still_act(recorded: list[ev.Event]) -> None:
    rec = SlowRecording(recorded)
    app = ReplayApp(rec, ticker=ManualTime())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.pos >= 1)
        await pilot.press("end")  # a short way ahead: folded at once
        await until(pilot, lambda: app.pos == len(recorded))
        await pilot.press("home")  # backwards: the view is folded again from a checkpoint, in a thread
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert not rec.folded and app.pos == len(recorded)  # the help opened while the fold was still under way
        await pilot.press("escape")
        rec.gate.set()
        await settled(pilot)
        assert rec.folded and app.pos == 1 and app.view.seq == recorded[0].seq


async def test_a_theme_switch_recolours_the_panes_the_header_and_the_log(recorded: list[ev.Event]) -> None:
    app = TeamApp(events=recorded[:200])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes) and app.main.w_board.size.width > 0)
        app.frame()
        nord = palette_of({**app.get_css_variables(), "text-success": "#C2D4B3", "text-warning": "#F1DCB2"})
        assert nord.success not in " ".join(styles(app.main.w_header.content))
        app.theme = "nord"
        await pilot.pause()
        assert app.main.palette == palette_of(app.get_css_variables()) and app.main.palette.success == nord.success
        await until(pilot, lambda: nord.success in " ".join(styles(app.main.w_header.content)))  # "running"
        titles = " ".join(s for p in app.panes for s in styles(p.title_line.content))
        assert app.main.palette.warning in titles or app.main.palette.primary in titles or \
            app.main.palette.success in titles  # the badges
        log = app.query_one("#log")
        line_styles = {str(seg.style) for strip in log.lines for seg in strip}  # type: ignore[attr-defined]
        assert any(app.main.palette.primary.lower() in s.lower() for s in line_styles)  # the model calls' kind
