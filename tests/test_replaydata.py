"""Seekable recordings: the view at any point equals a fold from the start, from memory or from the database,
with checkpoints written when a run is recorded and made in memory where they are missing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario
from teamtui.store.recorder import Recorder
from teamtui.store.recording import MARKS, MemoryRecording, SqliteRecording, restore, snapshot
from teamtui.ui.view import LiveView

from .conftest import ROOT, scenario_from
from .test_recorder import SCENARIO

EVERY = 40


@pytest.fixture(scope="module")
def events() -> list[ev.Event]:
    return run_events(scenario_from(SCENARIO))


def fold(events: list[ev.Event]) -> LiveView:
    view = LiveView()
    for e in events:
        view.apply(e)
    return view


def same(a: LiveView, b: LiveView) -> bool:
    return snapshot(a) == snapshot(b) and list(a.log) == list(b.log)


def record(db: Path, events: list[ev.Event], every: int = EVERY) -> str:
    async def main() -> str:
        rec = Recorder(db, checkpoint_every=every)
        await rec.open()
        run_id = await rec.begin(scenario_from(SCENARIO))
        for e in events:
            rec.listener(e)
        await rec.end("finished")
        await rec.close()
        return run_id

    return asyncio.run(main())


def test_a_snapshot_restores_the_same_fold_including_an_open_fault() -> None:
    events = run_events(load_scenario(ROOT / "scenarios" / "quickstart.toml"))  # bob is killed holding work
    kill = next(i for i, e in enumerate(events) if isinstance(e, ev.AgentKilled))
    view = fold(events[:kill + 1])
    assert view.open_faults, "the kill should leave the killed agent's work open"
    back = restore(snapshot(view))
    assert snapshot(back) == snapshot(view)
    rest = events[kill + 1:]
    for e in rest:  # the restored fault still learns its recovery time, in the incident it points at
        view.apply(e)
        back.apply(e)
    assert snapshot(back) == snapshot(view)
    assert any("recovered in" in i.text for i in back.incidents)


@pytest.mark.parametrize("pos", [0, 1, EVERY - 1, EVERY, EVERY + 7, 3 * EVERY + 1, -1])
def test_view_at_any_point_equals_the_fold_from_the_start(events: list[ev.Event], pos: int) -> None:
    pos = len(events) if pos == -1 else pos
    rec = MemoryRecording(events)
    rec.every = EVERY
    rec.view_at(len(events))  # makes every checkpoint first, so the asked point starts from one
    assert len(rec.checkpoints) == len(events) // EVERY
    assert same(rec.view_at(pos), fold(events[:pos]))


def test_the_database_recording_reads_what_was_recorded_with_its_checkpoints(tmp_path: Path,
                                                                              events: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    run_id = record(db, events)
    with sqlite3.connect(db) as conn:
        stored = [r[0] for r in conn.execute("SELECT seq FROM checkpoints WHERE run_id=? ORDER BY seq", (run_id,))]
    assert stored == [-1] + [EVERY * k for k in range(1, len(events) // EVERY + 1)]  # -1: the marks
    rec = SqliteRecording(db, run_id)
    assert rec._marks == [i for i, e in enumerate(events) if e.kind in MARKS]  # read with the checkpoints
    mem = MemoryRecording(events)
    try:
        assert len(rec) == len(events)
        assert rec.slice(5, 25) == events[5:25]
        assert rec.end_t == events[-1].t
        for t in (0.0, events[10].t, 33.3, events[-1].t + 1):
            assert rec.pos_at(t) == mem.pos_at(t)
        assert rec.marks() == mem.marks() == [i for i, e in enumerate(events) if e.kind in MARKS]
        assert rec.marks(), "the scenario has a kill"
        first = rec.marks()[0]
        assert rec.next_mark(0, 1) == first + 1
        assert rec.next_mark(first + 1, -1) is None
        assert rec.upto(0, events[30].t) == events[:rec.pos_at(events[30].t)]
        for pos in (EVERY * 2 + 3, len(events), 17):
            assert same(rec.view_at(pos), fold(events[:pos]))
    finally:
        rec.close()


def test_a_run_without_stored_checkpoints_gets_them_in_memory(tmp_path: Path, events: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    run_id = record(db, events, every=10 ** 9)  # too short a run for checkpoints at this spacing
    rec = SqliteRecording(db, run_id)
    rec.every = EVERY
    try:
        assert rec.checkpoints == {}
        assert same(rec.view_at(len(events)), fold(events))
        assert sorted(rec.checkpoints) == [EVERY * k for k in range(1, len(events) // EVERY + 1)]
    finally:
        rec.close()
