"""No stored run becomes unreadable: a run holding every kind of event with extreme but finite values exports and
replays whole; with one stored event corrupted by SQL, export keeps the rest and says which one in one line (exit 2),
and replay shows everything before it, says so, and exits 2 instead of dying with a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from teamtui.core import events as ev
from teamtui.core.clock import ManualTime
from teamtui.store.recording import open_recording
from teamtui.store.writer import record_run
from teamtui.ui.replay import ReplayApp
from teamtui.ui.screens.summary import SummaryScreen

from ..conftest import run_cli
from .conftest import live_scenario, notices, settled, until

BIG = 1e300
HUGE_INT = 2**62
TEXT = "x\x1b[31m\u202eé" * 500 + "\n" + "long " * 2000
AGENTS = ("ada", "bob")
TASKS = (ev.TaskSpec(id="t1", file="t1.py", depends_on=(), work=BIG),
         ev.TaskSpec(id="t2", file="t2.py", depends_on=("t1",), work=1e-300))
NAMED = {"agent": "bob", "task": "t1", "to": AGENTS, "sender": "ada", "holder": "ada", "slowest": "bob",
         "last_writer": "ada", "reclaimed_from": "ada", "previous": "ada", "waiting_on": AGENTS, "tasks": ("t2",),
         "held": ("t1",), "missing": ("t1",), "groups": (("ada",), ("bob",)), "path": "t1.py", "fault": "delay",
         "source": "user", "status": "completed", "outcome": "rejected", "topic": "claim", "action": "write",
         "params": {"factor": 1000.0, "seconds": BIG, "latency_s": BIG}, "drop": 1.0, "duplicate": 1.0,
         "factor": 1000.0, "passed": True, "tests_pass": True, "round": HUGE_INT, "done": 2, "total": 2,
         "incarnation": HUGE_INT}


def _value(name: str, tp: object) -> object:
    if name == "to" and tp is str:
        return "bob"
    if name in NAMED:
        return NAMED[name]
    if tp is float or str(tp) == "float | None":
        return BIG
    if tp is int:
        return HUGE_INT
    if tp is str:
        return TEXT
    if tp is bool or str(tp) == "bool | None":
        return True
    raise AssertionError(f"no extreme value for {name}: {tp}")


def every_event(t_end: float = 1e9) -> list[ev.Event]:
    start = ev.RunStarted(seq=0, t=0.0, agent="", scenario=TEXT, seed=HUGE_INT, architecture="decentralized",
                          execution="rounds", consistency="locking", model="sim", agents=AGENTS,
                          roles=("worker", "worker"), tasks=TASKS, p=0.5, pack=TEXT, sandbox=TEXT)
    out: list[ev.Event] = [start]
    kinds = [c for n, c in ev.EVENT_TYPES.items() if n not in ("RunStarted", "RunFinished")]
    for i, cls in enumerate(kinds, 1):
        kw = {f.name: _value(f.name, f.type) for f in msgspec.structs.fields(cls) if f.name not in ("seq", "t")}
        out.append(cls(seq=i, t=t_end * i / (len(kinds) + 1), **kw))
    out.append(ev.RunFinished(seq=len(out), t=t_end, status="completed", reason=TEXT, makespan=t_end,
                              rounds=HUGE_INT, done=2, total=2, tests_pass=True))
    return out


BAD_SEQ = 20
BAD_PAYLOAD = b'{"type":"AgentDelayed","factor":null,"extra_s":0,"duration":null,"seq":20,"t":1.0,"agent":"bob"}'
"""What the monitor stored before its prompts refused nan: a delay whose factor JSON could only write as null."""


@pytest.fixture(params=[1e3, 1e300], ids=["t-1e3", "t-1e300"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, str, list[ev.Event]]:
    """A database with two runs of every kind of event: one sound, one with event BAD_SEQ replaced by SQL."""
    events = every_event(request.param)
    assert {type(e) for e in events} == set(ev.EVENT_TYPES.values())
    db = tmp_path / "runs.db"
    good = record_run(db, live_scenario(), events, None)
    bad = record_run(db, live_scenario(), events, None)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM events WHERE run_id=? AND seq=?", (bad, BAD_SEQ))
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", (bad, BAD_SEQ, 1.0, "bob", "AgentDelayed",
                                                                       BAD_PAYLOAD))
    conn.close()
    return db, good, bad, events


def test_export_of_every_kind_of_event_reads_back_whole(stored: tuple[Path, str, str, list[ev.Event]]) -> None:
    db, good, _, events = stored
    out = run_cli("export", good, db=db)
    assert out.returncode == 0, out.stderr
    assert [ev.decode(line) for line in out.stdout.splitlines()] == events


def test_export_of_a_corrupted_run_keeps_the_rest_and_names_the_event(
        stored: tuple[Path, str, str, list[ev.Event]]) -> None:
    db, _, bad, events = stored
    out = run_cli("export", bad, db=db)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f"event {BAD_SEQ}" in lines[0] and "left out" in lines[0], out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    assert [ev.decode(line) for line in out.stdout.splitlines()] == [e for e in events if e.seq != BAD_SEQ]
    csv = run_cli("export", bad, "--format", "csv", db=db)  # no metrics stored: one line, exit 2, no traceback
    assert csv.returncode == 2 and len(csv.stderr.strip().splitlines()) == 1


async def test_replay_of_every_kind_of_event_plays_to_the_end(stored: tuple[Path, str, str, list[ev.Event]]) -> None:
    db, good, _, events = stored
    app = ReplayApp(open_recording(db, good), run_id=good, ticker=ManualTime())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("end")
        await settled(pilot)
        assert app.pos == len(events) and app.view.finished is not None
        await pilot.press("home", "right", "n", "p", "left")
        await pilot.press("end", "m")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("escape", "q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0 and not app.error_line


async def test_replay_of_a_corrupted_run_stops_before_the_event_and_exits_2(
        stored: tuple[Path, str, str, list[ev.Event]]) -> None:
    db, _, bad, _ = stored
    app = ReplayApp(open_recording(db, bad), run_id=bad, ticker=ManualTime())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.panes))
        await pilot.press("end")
        await until(pilot, lambda: bool(app.error_line))
        await settled(pilot)
        assert app.pos == BAD_SEQ == len(app.recording) and app.view.seq == BAD_SEQ - 1
        assert f"event {BAD_SEQ} cannot be read back" in app.error_line and "\n" not in app.error_line
        assert any(f"event {BAD_SEQ}" in m for m in notices(app))
        await pilot.press("home", "end", "t")  # seeking again stays before it; the seek prompt is bounded by it
        assert app.pos == BAD_SEQ
        await pilot.press("escape", "m")  # the recording has no end to sum up: said, not a crash
        await until(pilot, lambda: any(m.startswith("no summary:") for m in notices(app)))
        assert not isinstance(app.screen, SummaryScreen)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2


def test_the_replay_command_prints_the_line_and_exits_2(stored: tuple[Path, str, str, list[ev.Event]],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`teamtui replay` itself, its app run headless by a pilot that jumps to the end and quits."""
    from teamtui.cli import main

    db, _, bad, _ = stored
    real_run = ReplayApp.run

    async def pilot_script(pilot: object) -> None:
        await pilot.press("end")  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]  # the seek to the end
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press("q")  # type: ignore[attr-defined]

    monkeypatch.setattr(ReplayApp, "run", lambda self, **kw: real_run(self, headless=True, size=(100, 30),
                                                                      auto_pilot=pilot_script))
    result = CliRunner().invoke(main, ["replay", bad, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert f"event {BAD_SEQ} cannot be read back" in result.output
    assert "Traceback" not in result.output


def test_the_bad_payload_is_the_one_the_issue_stored() -> None:
    with pytest.raises(msgspec.ValidationError, match="null"):
        ev.decode(BAD_PAYLOAD)
    assert json.loads(BAD_PAYLOAD)["factor"] is None
