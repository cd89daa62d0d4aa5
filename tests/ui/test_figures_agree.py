"""The monitor's metrics panel at the end of a run and the summary screen show the same figures (Pilot tests on
the rendered text of both), and `m` in the replay of a long recording shows the recording's summary."""

from __future__ import annotations

import asyncio
import io
import re
from functools import cache
from pathlib import Path

import msgspec
import pytest
from rich.console import Console
from textual.widgets import Static

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime
from teamtui.core.state import RunState
from teamtui.launch import baseline_of, run_events
from teamtui.metrics import text
from teamtui.metrics.summary import makespan_of, metrics_of
from teamtui.scenario.load import load_scenario
from teamtui.store.recorder import Recorder
from teamtui.store.recording import CHECKPOINT_EVERY, open_recording
from teamtui.store.writer import set_metrics
from teamtui.ui.app import TeamApp
from teamtui.ui.replay import ReplayApp
from teamtui.ui.screens.summary import SummaryScreen

from ..conftest import ROOT
from .conftest import live_scenario, step_until, stepped, until

SIZE = (140, 44)


def text_of(widget: Static) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def value(screen_text: str, label: str) -> str:
    """The value beside `label` on the first line that has it (rows are `label  value`)."""
    line = next(line for line in screen_text.splitlines() if label in line)
    return " ".join(line.split(label, 1)[1].split())


def reclaimed(screen_text: str, fault: str) -> str:
    line = next(line for line in screen_text.splitlines() if fault in line)
    found = re.search(r"reclaimed after \S+ s|not all reclaimed", line)
    assert found, line
    return found.group(0)


async def summary_of(app: TeamApp, pilot: object) -> str:
    """The summary screen's text, once it is drawn."""
    def shown() -> str:
        return "\n".join(text_of(w) for w in app.screen.query(Static)) if isinstance(app.screen, SummaryScreen) else ""

    await until(pilot, lambda: "idle fraction" in shown(), timeout=60)  # type: ignore[arg-type]
    return shown()


def figures(panel: str, summary: str) -> list[tuple[str, str]]:
    """(panel, summary) pairs of the figures both show: idle fraction, straggler gap, speedup, recovery."""
    return [
        (value(panel, "idle fraction"), value(summary, "idle fraction")),
        (value(panel, "straggler gap"), value(summary, "straggler gap")),
        (value(panel, "speedup/bound").split()[0], value(summary, "speedup").split()[0]),
        (reclaimed(panel, "kill dee @ 20s"), reclaimed(summary, "kill dee @ 20s")),
    ]


@cache
def _quickstart() -> tuple[tuple[ev.Event, ...], tuple[ev.Event, ...]]:
    s = load_scenario(ROOT / "scenarios" / "quickstart.toml")  # bob is delayed at 10 s; dee, the holder at 20 s, is killed
    return tuple(run_events(s)), tuple(run_events(baseline_of(s)))


@pytest.fixture
def quickstart() -> tuple[list[ev.Event], list[ev.Event]]:
    """The quickstart run and its 1-agent baseline (made outside any event loop)."""
    run, base = _quickstart()
    return list(run), list(base)


@pytest.mark.parametrize("with_baseline", [True, False])
async def test_the_panel_at_the_end_and_the_summary_show_the_same_figures(
        quickstart: tuple[list[ev.Event], list[ev.Event]], with_baseline: bool) -> None:
    recorded, recorded_baseline = quickstart
    app = TeamApp(events=recorded, baseline=recorded_baseline if with_baseline else None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes) and app.view.finished is not None)
        app.frame()
        panel = text_of(app.main.w_metrics)
        await pilot.press("m")
        summary = await summary_of(app, pilot)
    pairs = figures(panel, summary)
    assert all(p == s for p, s in pairs), pairs
    state = RunState.of(recorded)
    t1 = makespan_of(recorded_baseline) if with_baseline else None
    expected = [text.pct(state.idle_fraction()), text.secs(state.straggler_gap()), text.times(state.speedup(t1)),
                text.reclaim(*next((r.held, r.reclaim_s) for r in state.recoveries if r.held))]
    assert [p for p, _ in pairs] == expected
    assert (expected[2] == "n/a") is not with_baseline and expected[3].startswith("reclaimed after")
    assert "est." not in value(panel, "speedup/bound")


async def test_the_live_monitor_shows_the_summary_speedup_in_its_panel_once_the_summary_is_shown() -> None:
    app = TeamApp(live_scenario(), speed=1)
    pace = stepped(app)
    async with app.run_test(size=SIZE) as pilot:
        await step_until(pilot, pace, lambda: app.view.state.done_work > 0)  # the run then stands still
        assert app.view.finished is None
        assert value(text_of(app.main.w_metrics), "speedup/bound").split()[1] == "est."  # while it runs: an estimate
        await step_until(pilot, pace, lambda: app.run_handle is not None and app.run_handle.done.is_set(), step=20.0)
        summary = await summary_of(app, pilot)
        speedup = value(summary, "speedup").split()[0]
        assert speedup.endswith("×")  # the sim's 1-agent baseline was run for the summary
        app.frame()
        assert value(text_of(app.main.w_metrics), "speedup/bound").split()[0] == speedup
        await pilot.press("q")


def _long_run(events: list[ev.Event], n: int) -> list[ev.Event]:
    """A recorded run's body repeated (fresh seq and t) until n events, then its end (as the bench streams are)."""
    body, end = events[1:-1], events[-1]
    out, k, span = [events[0]], 0, events[-1].t + 1.0
    while len(out) < n:
        for e in body:
            out.append(msgspec.structs.replace(e, seq=len(out), t=round(e.t + k * span, 6)))
        k += 1
    return [*out, msgspec.structs.replace(end, seq=len(out), t=out[-1].t, makespan=out[-1].t)]


@pytest.fixture
def long_recording(tmp_path: Path, recorded: list[ev.Event]) -> tuple[Path, str, list[ev.Event]]:
    events = _long_run(recorded, 20_500)

    async def record() -> str:
        rec = Recorder(tmp_path / "runs.db")
        await rec.open()
        run_id = await rec.begin(live_scenario())
        for e in events:
            rec.listener(e)
        await rec.end("finished")
        await rec.close()
        return run_id

    run_id = asyncio.run(record())
    stored = metrics_of(RunState.of(events), baseline_makespan=events[-1].t / 2, fault_free_makespan=events[-1].t - 3)
    set_metrics(tmp_path / "runs.db", run_id, stored.to_dict())
    return tmp_path / "runs.db", run_id, events


async def test_m_in_the_replay_of_a_long_recording_shows_its_summary(
        long_recording: tuple[Path, str, list[ev.Event]]) -> None:
    db, run_id, events = long_recording
    assert len(events) > 20_000 >= CHECKPOINT_EVERY
    recording = open_recording(db, run_id)
    assert recording.checkpoints, "the recorder writes checkpoints for a run this long"
    app = ReplayApp(recording, run_id=run_id, speed=1, ticker=ManualTime())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("m")
        summary = await summary_of(app, pilot)
        assert app.pos < len(events)  # the display is near the start: the summary is the whole recording's
    assert value(summary, "speedup").split()[0] == "0.50×"  # the stored baseline (T1) is half the makespan
    assert value(summary, "fault cost").startswith("+3.0 s")
    assert value(summary, "subtasks done").startswith(f"{RunState.of(events).done}/")
