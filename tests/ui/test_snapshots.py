"""Snapshot tests at a fixed terminal size, from a deterministic recorded run (virtual clock, fixed seed)."""

from __future__ import annotations

from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime
from teamtui.ui.app import TeamApp

SIZE = (140, 44)


def upto(events: list[ev.Event], pred: Any, extra: int = 0) -> list[ev.Event]:
    """The log cut `extra` events after the first event matching `pred`."""
    i = next(i for i, e in enumerate(events) if pred(e))
    return events[: i + 1 + extra]


def test_running_screen(snap_compare: Any, recorded: list[ev.Event]) -> None:
    events = upto(recorded, lambda e: e.t >= 6.0)
    assert snap_compare(TeamApp(events=events), terminal_size=SIZE)


def test_killed_agent(snap_compare: Any, recorded: list[ev.Event]) -> None:
    events = upto(recorded, lambda e: isinstance(e, ev.AgentKilled), extra=12)
    assert snap_compare(TeamApp(events=events), press=["2"], terminal_size=SIZE)


def test_summary_screen(snap_compare: Any, recorded: list[ev.Event]) -> None:
    assert isinstance(recorded[-1], ev.RunFinished)
    assert snap_compare(TeamApp(events=recorded), press=["m"], terminal_size=SIZE)


def test_help_screen(snap_compare: Any, recorded: list[ev.Event]) -> None:
    assert snap_compare(TeamApp(events=recorded), press=["question_mark"], terminal_size=SIZE)


def test_replay_screen_at_the_first_fault(snap_compare: Any, recorded: list[ev.Event]) -> None:
    from teamtui.ui.replay import ReplayApp

    # pause, go to the start, then jump to the first fault or conflict: the same screen whatever the timing
    app = ReplayApp(recorded, run_id="20261125-000000-snap", speed=1, ticker=ManualTime())
    assert snap_compare(app, press=["space", "home", "n", "n"], terminal_size=SIZE)


# -- the least size the monitor supports (100×30) and a wide terminal (160×48): live mid-run, after the end, and
# replay after `home` (the header back at the first event). Every moment comes from the virtual-clock run.

SIZES = {"100x30": (100, 30), "160x48": (160, 48)}


@pytest.mark.parametrize("size", SIZES)
def test_live_mid_run(snap_compare: Any, recorded: list[ev.Event], size: str) -> None:
    events = upto(recorded, lambda e: e.t >= 21.0)  # bob killed at 9 s, the team going on without him
    assert snap_compare(TeamApp(events=events), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_live_after_the_end(snap_compare: Any, recorded: list[ev.Event], size: str) -> None:
    assert isinstance(recorded[-1], ev.RunFinished)
    assert snap_compare(TeamApp(events=recorded), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_replay_after_home(snap_compare: Any, recorded: list[ev.Event], size: str) -> None:
    from teamtui.ui.replay import ReplayApp

    app = ReplayApp(recorded, run_id="20261125-000000-snap", speed=1, ticker=ManualTime())
    assert snap_compare(app, press=["space", "end", "home"], terminal_size=SIZES[size])
