"""`teamtui replay A --with B`: two runs in lockstep by run time, the first divergence marked in both columns."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import RichLog, Static

from teamtui.core import events as ev
from teamtui.core.faults import Kill
from teamtui.core.state import RunState
from teamtui.experiments.rundiff import first_divergence
from teamtui.store.recording import open_recording
from teamtui.store.writer import record_run
from teamtui.ui.split import SplitReplayApp

from .conftest import KILL_BOB, live_scenario, until


def _text(widget: Static) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_two_runs_play_in_lockstep_and_the_divergence_is_marked(tmp_path: Path,
                                                                      recorded: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    sc = live_scenario(KILL_BOB)
    k = next(e.seq for e in recorded if isinstance(e, ev.AgentKilled))
    other = [*recorded[:k], ev.FaultInjected(seq=k, t=recorded[k].t, agent="ada", fault=Kill.action, source="fork")]
    a = record_run(db, sc, recorded, None)
    b = record_run(db, sc, other, None)
    split = first_divergence(recorded, other)
    assert split is not None and split.seq == k
    app = SplitReplayApp(open_recording(db, a), a, open_recording(db, b), b, split.seq)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("space")  # pause, then move the shared clock by hand
        await until(pilot, lambda: not app.playing)
        t = recorded[k].t
        app.move_to(t - 0.5)
        assert [s.pos for s in app.sides] == [sum(e.t <= t - 0.5 for e in recorded)] * 2  # the same moment in both
        app.move_to(t)  # past the divergence: marked in both columns
        logs = [app.query_one(f"#log-{s}", RichLog) for s in "ab"]
        marked = ["the two runs differ from here" in "".join(seg.text for line in log.lines for seg in line)
                  for log in logs]
        assert marked == [True, True]
        await pilot.press("end")
        await until(pilot, lambda: app.t == app.end_t)
        assert app.sides[0].pos == len(recorded) and app.sides[1].pos == len(other)
        done = RunState.of(recorded)
        status = _text(app.query_one("#status-a", Static))
        assert f"{sum(x.state == 'done' for x in done.tasks.values())}/{len(done.tasks)} done" in status
        assert "dead: bob" in status
        await pilot.press("home")
        await until(pilot, lambda: app.t == 0.0)
        at_zero = sum(e.t <= 0 for e in recorded)
        assert [(s.pos, s.state.seq) for s in app.sides] == [(at_zero, at_zero - 1)] * 2  # refolded back there
        assert "first divergence: event" in _text(app.query_one("#split-header", Static))


def test_split_screen_at_ten_seconds(snap_compare: Any, recorded: list[ev.Event]) -> None:
    from teamtui.store.recording import MemoryRecording

    k = next(e.seq for e in recorded if isinstance(e, ev.FaultInjected))
    other = [*recorded[:k], ev.FaultInjected(seq=k, t=recorded[k].t, agent="ada", fault=Kill.action, source="fork")]
    app = SplitReplayApp(MemoryRecording(recorded), "20261125-000000-snapa", MemoryRecording(other),
                         "20261125-000000-snapb", k)
    # pause, back to the start, then ten 1-second steps: the same moment whatever the timing
    assert snap_compare(app, press=["space", "home", *["right"] * 10], terminal_size=(140, 36))
