"""`b` in replay forks the recorded run after the event on screen; the monitor opens on the child, paused there."""

from __future__ import annotations

from pathlib import Path

import pytest

from teamtui.cli.forking import fork_app, link_watched
from teamtui.core import events as ev
from teamtui.store.reader import list_runs, load_events
from teamtui.store.recording import open_recording
from teamtui.store.writer import record_run
from teamtui.ui.replay import ReplayApp

from .conftest import KILL_BOB, live_scenario, notices, until

SIZE = (140, 44)


def _parent(db: Path, events: list[ev.Event]) -> tuple[str, list[ev.Event]]:
    """The `recorded` run (made outside any loop), stored as a run to fork."""
    return record_run(db, live_scenario(KILL_BOB), events, None), events


async def test_b_in_replay_asks_to_fork_after_the_event_on_screen(tmp_path: Path, recorded: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    run_id, events = _parent(db, recorded)
    app = ReplayApp(open_recording(db, run_id), run_id=run_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("end", "b")  # at the end there is nothing left to change: it says so and stays
        assert app.fork_at is None and app.return_code is None
        await pilot.press("home", "right", "right", "right")
        await until(pilot, lambda: not app.playing and app.pos == 4)
        await pilot.press("b")
        await until(pilot, lambda: app.return_code is not None)
    assert app.fork_at == 3 and len(events) > 3


async def test_b_in_a_replay_served_to_a_browser_says_to_fork_in_a_terminal(
        tmp_path: Path, recorded: list[ev.Event], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "runs.db"
    run_id, _ = _parent(db, recorded)
    monkeypatch.setattr(ReplayApp, "is_web", property(lambda self: True))  # as under `teamtui serve --replay`
    app = ReplayApp(open_recording(db, run_id), run_id=run_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("home", "right", "right", "b")
        await until(pilot, lambda: any("forks in a terminal" in n for n in notices(app)))
        assert app.fork_at is None and app.return_code is None


async def test_the_monitor_on_a_fork_replays_the_prefix_then_pauses_for_the_users_keys(
        tmp_path: Path, recorded: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    parent, events = _parent(db, recorded)
    at = next(e.seq for e in events if isinstance(e, ev.FaultInjected)) - 10
    watched = fork_app(db, parent, at, speed=1.0)
    app, run = watched.app, watched.app.run_handle
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: watched.point.landed_seq is not None and run.parked, timeout=60)
        shared = watched.point.landed_seq
        assert shared is not None and shared >= at
        assert [ev.encode(e) for e in run.engine.events[:shared + 1]] == [ev.encode(e) for e in events[:shared + 1]]
        t = round(watched.point.landed_t or 0.0, 6)
        assert run.speed == 1.0 and all(e.t == t for e in run.engine.events[shared:])  # paused at the fork's instant
        app.target = "ada"
        await pilot.press("k")  # the user's change: kill ada there
        await until(pilot, lambda: any(isinstance(e, ev.AgentKilled) and e.agent == "ada" for e in run.engine.events))
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, timeout=60)
    child = link_watched(db, watched)
    assert child is not None
    row = next(r for r in list_runs(db) if r.id == child)
    assert (row.parent, row.fork_at) == (parent, shared)
    stored = load_events(db, child)
    assert [ev.encode(e) for e in stored[:shared + 1]] == [ev.encode(e) for e in events[:shared + 1]]
    pressed = next(e for e in stored if isinstance(e, ev.FaultInjected) and e.source == "user")
    assert pressed.agent == "ada" and pressed.seq > shared and pressed.t == t  # the key landed at the fork point


def test_a_rerun_of_a_fork_watched_in_the_monitor_replays_the_keys_pressed_in_it(tmp_path: Path) -> None:
    """The fork made in the monitor above, with a key pressed at the fork point, made again by `teamtui rerun`."""
    import asyncio

    from ..conftest import run_cli

    db = tmp_path / "runs.db"
    sc = live_scenario(KILL_BOB)
    from teamtui.launch import run_events

    events = run_events(sc)
    parent = record_run(db, sc, events, None)
    at = next(e.seq for e in events if isinstance(e, ev.FaultInjected)) - 10
    watched = fork_app(db, parent, at, speed=1.0)
    app, run = watched.app, watched.app.run_handle

    async def watch() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: watched.point.landed_seq is not None and run.parked, timeout=60)
            app.target = "cy"
            await pilot.press("s")  # stall cy at the fork point
            await until(pilot, lambda: any(isinstance(e, ev.AgentStallInjected) for e in run.engine.events))
            await pilot.press(*["plus"] * 6, "space")  # and let the run go on to its end, at 64x
            await until(pilot, lambda: run.done.is_set(), timeout=120)
            await pilot.press("q")
            await until(pilot, lambda: app.return_code is not None, timeout=60)

    asyncio.run(watch())
    child = link_watched(db, watched)
    assert child is not None
    again = run_cli("rerun", child, db=db)
    assert again.returncode == 0, again.stderr
    redone = list_runs(db)[0]
    assert redone.parent == parent
    assert [ev.encode(e) for e in load_events(db, redone.id)] == [ev.encode(e) for e in load_events(db, child)]
