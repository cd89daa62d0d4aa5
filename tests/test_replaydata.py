"""Seekable recordings: the state at any point equals a fold from the start, from memory or from the database,
with checkpoints written when a run is recorded and made in memory where they are missing, and checkpoints of
another format (an older teamtui's) folded past, never an error."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import msgspec
import pytest

from teamtui.core import events as ev
from teamtui.core.state import FORMAT, RunState
from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario
from teamtui.store.recorder import Recorder
from teamtui.store.recording import MARKS, MemoryRecording, SqliteRecording
from teamtui.ui.view import LOG_EVENTS, LiveView, view_at

from .conftest import ROOT, scenario_from
from .test_recorder import SCENARIO

EVERY = 40


@pytest.fixture(scope="module")
def events() -> list[ev.Event]:
    return run_events(scenario_from(SCENARIO))


OLD_BLOB = (Path(__file__).parent / "data" / "liveview-checkpoint-v0.msgpack").read_bytes()
"""A replay checkpoint as teamtui wrote them before the reducer: a snapshot of the monitor's view, no version."""


def fold(events: list[ev.Event]) -> RunState:
    return RunState.of(events)


def same(a: RunState, b: RunState) -> bool:
    return a == b and a.snapshot() == b.snapshot()


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
    state = fold(events[:kill + 1])
    assert state.open_faults(), "the kill should leave the killed agent's work open"
    back = RunState.restore(state.snapshot())
    assert back is not None and same(back, state)
    rest = events[kill + 1:]
    for e in rest:  # the restored fault still learns its recovery time, in the incident it points at
        state.apply(e)
        back.apply(e)
    assert same(back, state)
    assert any(i.kind == "fault" and i.recovered_in is not None for i in back.incident_list())


@pytest.mark.parametrize("blob", [OLD_BLOB, msgspec.msgpack.encode({"format": FORMAT + 1, "state": {}}),
                                  msgspec.msgpack.encode({"format": "1"}), b"", b"\xc1 not msgpack", b"[1, 2]"])
def test_a_blob_of_another_format_restores_nothing(blob: bytes) -> None:
    assert RunState.restore(blob) is None


def test_a_newer_format_is_refused_even_when_its_fields_would_decode() -> None:
    state = fold(run_events(scenario_from(SCENARIO))[:50])
    blob = state.snapshot()
    assert RunState.restore(blob) == state
    bumped = msgspec.msgpack.encode({**msgspec.msgpack.decode(blob), "format": FORMAT + 1})
    assert RunState.restore(bumped) is None


@pytest.mark.parametrize("blob", [OLD_BLOB, msgspec.msgpack.encode({"format": FORMAT + 1, "state": {}}), b"junk"])
def test_checkpoints_that_do_not_decode_are_folded_past(events: list[ev.Event], blob: bytes) -> None:
    rec = MemoryRecording(events)
    rec.every = EVERY
    good = fold(events[:EVERY]).snapshot()
    rec.checkpoints = {EVERY: good, 2 * EVERY: blob, 3 * EVERY: blob}
    assert same(rec.state_at(3 * EVERY + 5), fold(events[:3 * EVERY + 5]))
    assert rec.checkpoints[EVERY] == good  # the good one was the start; the others were made again
    assert RunState.restore(rec.checkpoints[2 * EVERY]) == fold(events[:2 * EVERY])
    assert RunState.restore(rec.checkpoints[3 * EVERY]) == fold(events[:3 * EVERY])


@pytest.mark.parametrize("pos", [0, 1, EVERY - 1, EVERY, EVERY + 7, 3 * EVERY + 1, -1])
def test_view_at_any_point_equals_the_fold_from_the_start(events: list[ev.Event], pos: int) -> None:
    pos = len(events) if pos == -1 else pos
    rec = MemoryRecording(events)
    rec.every = EVERY
    rec.state_at(len(events))  # makes every checkpoint first, so the asked point starts from one
    assert len(rec.checkpoints) == len(events) // EVERY
    assert same(rec.state_at(pos), fold(events[:pos]))


@pytest.mark.parametrize("pos", [0, 7, LOG_EVENTS + 3, -1])
def test_the_view_replay_installs_is_the_state_plus_the_display_of_the_last_events(events: list[ev.Event],
                                                                                  pos: int) -> None:
    long = _long(events, LOG_EVENTS + 500)
    pos = len(long) if pos == -1 else pos
    rec = MemoryRecording(long)
    rec.every = 1_000
    view = view_at(rec, pos)
    straight = LiveView()
    for e in long[:pos]:
        straight.apply(e)
    assert same(view.state, straight.state) and list(view.log) == list(straight.log)
    for name, lines in straight.lines.items():  # the panes show the last lines the rebuilt window holds
        shown = list(view.lines_of(name).stream)
        assert shown == (list(lines.stream)[-len(shown):] if shown else [])
        if pos <= LOG_EVENTS:
            assert shown == list(lines.stream)


def _long(events: list[ev.Event], n: int) -> list[ev.Event]:
    """The run's body repeated (fresh seq and t) until it is n events long, as the bench streams are."""
    body = events[1:-1]
    out, k, span = [events[0]], 0, events[-1].t + 1.0
    while len(out) < n:
        for e in body[: n - len(out)]:
            out.append(msgspec.structs.replace(e, seq=len(out), t=e.t + k * span))
        k += 1
    return out


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
            assert same(rec.state_at(pos), fold(events[:pos]))
    finally:
        rec.close()


def test_a_run_without_stored_checkpoints_gets_them_in_memory(tmp_path: Path, events: list[ev.Event]) -> None:
    db = tmp_path / "runs.db"
    run_id = record(db, events, every=10 ** 9)  # too short a run for checkpoints at this spacing
    rec = SqliteRecording(db, run_id)
    rec.every = EVERY
    try:
        assert rec.checkpoints == {}
        assert same(rec.state_at(len(events)), fold(events))
        assert sorted(rec.checkpoints) == [EVERY * k for k in range(1, len(events) // EVERY + 1)]
    finally:
        rec.close()


def test_a_database_with_checkpoints_of_an_older_teamtui_replays_from_the_log(tmp_path: Path,
                                                                             events: list[ev.Event]) -> None:
    """A run recorded before the reducer keeps LiveView snapshots as checkpoints: they are folded past."""
    db = tmp_path / "runs.db"
    run_id = record(db, events)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE checkpoints SET state=? WHERE run_id=? AND seq>0", (OLD_BLOB, run_id))
    rec = SqliteRecording(db, run_id)
    rec.every = EVERY
    try:
        for pos in (EVERY + 1, len(events)):
            assert same(rec.state_at(pos), fold(events[:pos]))
        assert RunState.restore(rec.checkpoints[EVERY]) == fold(events[:EVERY])  # made again in memory
    finally:
        rec.close()
