"""Pilot tests of the monitor at its least size (100×30) and wide: what the header, the panes, the right column,
the footer and replay show, read from the screen as drawn. Every app is fed a run made on the virtual clock."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache

import msgspec
import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime
from teamtui.launch import run_events
from teamtui.ui import render
from teamtui.ui.app import TeamApp
from teamtui.ui.replay import ReplayApp
from teamtui.ui.screens.monitor import PANE_MIN_ROWS, RIGHT_COLUMN
from teamtui.ui.view import LiveView
from teamtui.ui.widgets.panes import AgentPane

from ..conftest import scenario_from
from .conftest import KILL_BOB, LIVE, _subtasks, until

SMALL, WIDE = (100, 30), (160, 48)
FAULTS = KILL_BOB + """
[[faults]]
at = 10
action = "delay"
agent = "dee"
factor = 3.0
seconds = 30
[[faults]]
at = 20
action = "partition"
groups = [["ada", "bob"], ["cy", "dee"]]
seconds = 10
"""


@cache
def _run(size: int = 4, architecture: str = "decentralized", extra: str = FAULTS) -> tuple[ev.Event, ...]:
    src = (LIVE.replace("{subtasks}", _subtasks(24)).replace("size = 4", f"size = {size}")
           .replace('architecture = "decentralized"', f'architecture = "{architecture}"'))
    return tuple(run_events(scenario_from(src + extra)))


@pytest.fixture
def faulty() -> list[ev.Event]:
    """A run on the virtual clock: bob killed at 9 s, dee delayed ×3 from 10 s (holding a subtask), {ada,bob} | {cy,dee} from 20 s
    (made outside any event loop)."""
    return list(_run())


@pytest.fixture
def faulty12() -> list[ev.Event]:
    """The same with twelve agents."""
    return list(_run(12))


def first(events: list[ev.Event], cond: Callable[[LiveView], bool]) -> int:
    """How many events it takes until `cond` holds of the view (the moment a test wants to look at)."""
    view = LiveView()
    for i, e in enumerate(events, 1):
        view.apply(e)
        if cond(view):
            return i
    raise AssertionError("the run never reached the moment the test wants")


def waiting(view: LiveView) -> list[str]:
    """Whom the round's barrier waits on: agents of the round still thinking."""
    return [n for n in view.state.waiting_on if view.agent_state(n) == "thinking"]


def cut_at(events: list[ev.Event], t: float) -> list[ev.Event]:
    return [e for e in events if e.t <= t]


def screen(app: TeamApp) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def shown(app: TeamApp, widget: Static) -> str:
    """The part of the screen a widget occupies, row by row: what of it is visible, cut where the screen cuts it."""
    r = widget.region
    return "\n".join(row[r.x:r.right] for row in screen(app)[r.y:r.bottom])


async def settle(app: TeamApp, pilot: Pilot[int]) -> None:
    """Let the app fold every event it was given and draw them."""
    await until(pilot, lambda: bool(app.panes) and not app.pending and app.main.w_board.size.width > 0)
    await pilot.app.workers.wait_for_complete()  # a replay's seek
    await pilot.pause()
    app.frame()
    await pilot.pause()


def drawn(widget: Static, width: int) -> list[str]:
    """A Static's whole content drawn at `width` columns (also the part a scrolling box has below the fold)."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text().splitlines()


# -- the header ------------------------------------------------------------------------------------------------


async def test_at_100_columns_the_header_keeps_clock_round_speed_and_state(faulty: list[ev.Event]) -> None:
    app = TeamApp(events=cut_at(faulty, 21.0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        head = screen(app)[0]
        assert "t = 21.0s" in head or f"t = {app.view.now:.1f}s" in head
        assert f"round {app.view.state.round}" in head and "speed ×1" in head and "running" in head
        await pilot.press("space")
        await until(pilot, lambda: app.clock.paused)
        app.frame()
        await pilot.pause()
        assert "PAUSED" in screen(app)[0] and "speed ×1" in screen(app)[0]
        await pilot.press("space")


async def test_after_the_end_the_header_says_completed_at_100_and_140_columns(faulty: list[ev.Event]) -> None:
    for size in (SMALL, (140, 40)):
        app = TeamApp(events=faulty)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            head = screen(app)[0]
            assert " completed " in head and "t = " in head and "speed ×1" in head, (size, head)


async def test_at_140_columns_the_header_names_whom_the_barrier_waits_on(faulty: list[ev.Event]) -> None:
    events = faulty
    at = first(events, lambda v: v.now > 5 and bool(waiting(v)))  # some agents replied, others are thinking
    long_name = msgspec.structs.replace(events[0], scenario="quickstart: 4 peers, one killed, one slowed")
    app = TeamApp(events=[long_name, *events[1:at]])  # the quickstart's name, as long as names get
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        thinking = waiting(app.view)
        assert thinking
        assert f"barrier waits on {', '.join(thinking)}" in screen(app)[0]


# -- the columns and the panes ---------------------------------------------------------------------------------


async def test_narrowing_takes_columns_from_the_right_column_before_the_panes(faulty: list[ev.Event]) -> None:
    widths = {}
    for w in (100, 105, 109, 160):
        app = TeamApp(events=cut_at(faulty, 21.0))
        async with app.run_test(size=(w, 30)) as pilot:
            await settle(app, pilot)
            widths[w] = (app.query_one("#left").region.width, app.main.w_right.region.width)
    assert widths[100][1] == RIGHT_COLUMN[0] and widths[109][1] == widths[160][1] == RIGHT_COLUMN[1]
    assert widths[100][0] == widths[105][0] == widths[109][0]  # the panes keep their width while the column gives
    assert widths[160][0] > widths[109][0]


async def test_pane_titles_show_the_markers_before_the_subtask_at_100_columns(faulty: list[ev.Event]) -> None:
    at = first(faulty, lambda v: v.agents["dee"].delay is not None and bool(v.agents["dee"].task))
    app = TeamApp(events=faulty[:at])
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        dee = app.query_one("#agent-dee", AgentPane)
        title = shown(app, dee.title_line)
        assert "delayed" in title, title  # visible on screen, not only in the title's text
        plain = render.agent_title(app.view, "dee", 4).plain
        assert "▸" in plain and plain.index("delayed") < plain.index("▸"), plain
    at = first(faulty, lambda v: bool(v.agents["ada"].task) and any("ada" in g for g in v.state.partitioned))
    app = TeamApp(events=faulty[:at])
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        ada = shown(app, app.query_one("#agent-ada", AgentPane).title_line)
        assert "cut off" in ada, ada
        plain = render.agent_title(app.view, "ada", 1).plain
        assert plain.index("cut off") < plain.index("▸"), plain


async def test_after_the_end_no_agent_reads_acting_or_thinking(faulty: list[ev.Event]) -> None:
    app = TeamApp(events=faulty)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert app.view.finished is not None and app.view.finished.status == "completed"
        badges = {p.agent: app.view.agent_state(p.agent) for p in app.panes}  # the badge each title shows
        assert badges == {"ada": "done", "bob": "killed", "cy": "done", "dee": "done"}
        for pane in app.panes:
            title = shown(app, pane.title_line)
            assert not any(w in title for w in ("acting", "thinking", "waiting", "idle")), title
        line = app.main.w_status.render().plain  # the status line no longer offers fault keys that do nothing
        assert "run has ended" in line and "k kill" not in line, line


async def test_twelve_agents_keep_usable_panes_and_a_whole_message_matrix_at_100x30(faulty12: list[ev.Event]) -> None:
    app = TeamApp(events=cut_at(faulty12, 21.0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert len(app.panes) == 12
        assert all(p.region.height >= PANE_MIN_ROWS for p in app.panes)  # border, title and three stream lines
        width = app.main.w_metrics.region.width
        assert width <= app.query_one("#metrics-box").region.width
        lines = drawn(app.main.w_metrics, width)
        rows = [line for line in lines if line[:2].strip().isdigit()]
        assert [int(r[:2]) for r in rows] == list(range(1, 13)), lines  # every sender's row, numbered as its pane
        assert all(len(r.rstrip()) <= width for r in rows) and not any("…" in r for r in rows)
        assert all(len(r.split()[2:]) == 12 for r in rows), rows  # and a cell for every receiver
        # the last pane is below the fold: tab brings it into view
        last = app.panes[-1]
        assert not app.main.w_agents.region.contains_region(last.region)
        app.panes[0].focus()
        await pilot.pause()
        await pilot.press(*["tab"] * 11)
        await until(pilot, lambda: app.focused is last)
        await until(pilot, lambda: app.main.w_agents.region.contains_region(last.region))  # focus scrolled it into view


# -- the footer ------------------------------------------------------------------------------------------------


async def test_the_footer_fits_at_100_columns_live_and_after_the_end(faulty: list[ev.Event]) -> None:
    app = TeamApp(events=cut_at(faulty, 21.0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        foot = screen(app)[-1]
        for key in ("k Kill", "d Delay", "s Stall", "x Isolate", "h Heal", "space Pause", "? Help", "q Quit"):
            assert key in foot, foot
        assert "Summary" not in foot
    app = TeamApp(events=faulty)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        foot = screen(app)[-1]
        assert "m Summary" in foot and "q Quit" in foot and "Kill" not in foot and "Pause" not in foot, foot


async def test_the_replay_footer_shows_the_players_keys_whole_at_100_columns(faulty: list[ev.Event]) -> None:
    app = ReplayApp(faulty, run_id="20261125-000000-ml", speed=1, ticker=ManualTime())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: bool(app.panes) and "q Quit" in screen(app)[-1])  # the footer drawn
        foot = screen(app)[-1]
        for key in ("space Play/pause", "← Back", "→ Step", "t Seek…", "n Next fault", "m Summary", "? Help",
                    "q Quit"):
            assert key in foot, foot
        assert "Kill" not in foot and "Heal" not in foot


# -- replay ----------------------------------------------------------------------------------------------------


async def test_replay_home_resets_the_header_and_the_screen_to_the_first_event(faulty: list[ev.Event]) -> None:
    events = faulty
    app = ReplayApp(events, run_id="20261125-000000-ml", speed=1, ticker=ManualTime())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "end")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: app.pos == len(events) and bool(app.panes))
        app.frame()
        await pilot.pause()
        assert f"event {len(events)}/{len(events)}" in screen(app)[1] and "completed" in screen(app)[1]
        await pilot.press("home")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: app.pos == 1)
        app.frame()
        await pilot.pause()
        head = screen(app)[1]  # the timeline is above the header
        assert f"event 1/{len(events)}" in head and "t = 0.0s" in head, head
        assert "completed" not in head and "PAUSED" in head
        assert all(p.stream.lines == [] for p in app.panes)  # the streams and the header tell the same moment
        assert app.view.seq == events[0].seq
        await pilot.press("right")
        await until(pilot, lambda: app.pos == 2)
        assert f"event 2/{len(events)}" in screen(app)[1]
