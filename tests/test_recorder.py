"""The run recorder: a run recorded and read back is the same run; runs list; bad databases; live recording."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.launch import run_events
from teamtui.metrics.summary import summarize
from teamtui.store.reader import list_runs, load_events
from teamtui.store.recorder import Recorder
from teamtui.store.schema import RecorderError
from teamtui.store.writer import record_run
from teamtui.ui.app import TeamApp

from .conftest import ROOT, run_cli, scenario_from
from .ui.conftest import live_scenario, until

SCENARIO = """
[scenario]
name = "recorded"
seed = 4
[team]
size = 3
[task]
pack = "math_utils"
p = 0.5
[[faults]]
at = 10
action = "kill"
agent = "bob"
"""


def test_a_recorded_run_reads_back_as_the_same_events_and_metrics(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    s = scenario_from(SCENARIO)
    events = run_events(s)
    metrics = summarize(events)
    run_id = record_run(db, s, events, metrics.to_dict())
    back = load_events(db, run_id)
    assert back == events
    assert summarize(back) == metrics
    (row,) = list_runs(db)
    assert (row.id, row.scenario, row.status, row.size, row.faults) == (run_id, "recorded", "finished", 3, 1)
    assert row.makespan == pytest.approx(events[-1].makespan)


def test_runs_are_listed_newest_first_and_a_dead_running_process_is_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    s = scenario_from(SCENARIO)
    first = record_run(db, s, run_events(s), None)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    with sqlite3.connect(db) as conn:  # a run whose process died mid-run, as a crash leaves it
        conn.execute("UPDATE runs SET status='running', pid=?, started='2099-01-01T00:00:00+00:00' WHERE id=?",
                     (pid, first))
    second = record_run(db, s, run_events(s), None)
    rows = list_runs(db)
    assert [r.id for r in rows] == [first, second]  # the rewritten start time sorts it first
    assert rows[0].status == "interrupted" and rows[1].status == "finished"


def _open(db: Path) -> None:
    async def main() -> None:
        rec = Recorder(db)
        try:
            await rec.open()
        finally:
            await rec.close()

    asyncio.run(main())


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    db.write_text("this is not sqlite\n" * 100)
    with pytest.raises(RecorderError, match="not a teamtui run database, or it is corrupt"):
        _open(db)
    with pytest.raises(RecorderError, match="not a teamtui run database, or it is corrupt"):
        list_runs(db)


def test_a_database_from_a_newer_teamtui_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RecorderError, match=r"newer teamtui \(schema 99"):
        _open(db)


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(RecorderError, match=r"not a teamtui run database .*invoices"):
        _open(db)


def test_the_cli_records_lists_and_refuses_bad_databases(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    cli = run_cli

    ok = cli("run", "scenarios/math_utils/preassigned_p09.toml", "--headless", "--no-baseline", "--db", str(db))
    assert ok.returncode == 0, ok.stderr
    listed = cli("runs", "--db", str(db))
    assert listed.returncode == 0 and "math_utils p=0.9 preassigned" in listed.stdout and "finished" in listed.stdout
    bad = tmp_path / "bad.db"
    bad.write_text("garbage" * 200)
    for args in (("runs", "--db", str(bad)),
                 ("run", "scenarios/quickstart.toml", "--headless", "--db", str(bad))):
        proc = cli(*args)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and "not a teamtui run database" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert cli("runs", "--db", str(tmp_path / "none.db")).stdout.startswith("no recorded runs")


async def test_the_monitor_records_its_run_live(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    app = TeamApp(live_scenario(), speed=20, db=db)
    async with app.run_test(size=(140, 44)) as pilot:
        await until(pilot, lambda: app.view.now > 1.0)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.engine is not None
    (row,) = list_runs(db)
    assert row.status == "cancelled"
    assert load_events(db, row.id) == app.engine.events
    assert app.recording_note.startswith(f"recorded as run {row.id}")


def test_export_and_rerun_by_id_prefix_and_latest(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    cli = functools.partial(run_cli, cwd=tmp_path, db=db)

    assert cli("run", str(ROOT / "scenarios/quickstart.toml"), "--headless", "--no-baseline").returncode == 0
    first = list_runs(db)[0].id
    jsonl = cli("export", first[:-2])  # a unique prefix
    assert jsonl.returncode == 0, jsonl.stderr
    assert [ev.decode(line) for line in jsonl.stdout.splitlines()] == load_events(db, first)
    again = cli("rerun", "latest", "--json")
    assert again.returncode == 0, again.stderr
    second = list_runs(db)[0].id
    assert second != first
    assert load_events(db, second) == load_events(db, first)  # same scenario and seed, same log
    metrics = cli("export", second, "--format", "csv")
    assert metrics.returncode == 0 and metrics.stdout.startswith("metric,value\n")
    assert "makespan," in metrics.stdout and "paper.messages," in metrics.stdout
    ambiguous = cli("export", "20")
    assert ambiguous.returncode == 2 and "ambiguous" in ambiguous.stderr and first in ambiguous.stderr
    unknown = cli("export", "nope")
    assert unknown.returncode == 2 and 'no run "nope"' in unknown.stderr


@pytest.mark.slow
def test_a_killed_headless_run_is_kept_and_listed_as_interrupted(tmp_path: Path) -> None:
    import os
    import signal
    import time

    db = tmp_path / "runs.db"
    for attempt in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "teamtui", "run", "scenarios/quickstart.toml", "--headless", "--speed", "10",
             "--no-baseline", "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "CI": "true"})
        seen = 0
        for _ in range(600):  # wait (up to a generous bound) until some events are on disk
            time.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                        seen = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                except sqlite3.Error:
                    continue
            if seen >= 30 * (attempt + 1):
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert seen > 0, "no events reached the database while the run went on"
    rows = list_runs(db)
    assert [r.status for r in rows] == ["interrupted"] * 3
    for r in rows:
        events = load_events(db, r.id)
        assert events and isinstance(events[0], ev.RunStarted)
        assert [e.seq for e in events] == list(range(len(events)))  # a prefix of the run, with no holes
        assert not isinstance(events[-1], ev.RunFinished)


def test_a_database_locked_by_another_writer_is_one_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    _open(db)  # create it
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing
    try:
        with pytest.raises(RecorderError, match="locked by another program"):
            _open(db)
    finally:
        holder.rollback()
        holder.close()
    _open(db)  # free again


CHILD = """
import sys, time
from pathlib import Path
from teamtui.launch import Run
from teamtui.scenario.load import load_scenario

def listener(e):
    sys.stdout.write(f"{e.seq} {time.monotonic()}\\n")
    sys.stdout.flush()

Run(load_scenario("scenarios/quickstart.toml"), speed=float(sys.argv[2]), listener=listener, db=Path(sys.argv[1]),
    baselines=False).execute()
"""


@pytest.mark.slow
def test_a_sigkilled_run_loses_only_its_last_moment_and_replays(tmp_path: Path) -> None:
    """The headless wall-clock path (what `run --headless --speed` runs) with a listener that reports each
    event's emission time on a pipe; after SIGKILL, every event missing from the database was emitted
    within the last moments before the kill. CLOCK_MONOTONIC is shared by the two processes."""
    import os
    import signal
    import time

    from teamtui.store.recording import open_recording

    db = tmp_path / "runs.db"
    windows = []
    for attempt in range(3):
        emitted: dict[int, float] = {}
        with subprocess.Popen([sys.executable, "-c", CHILD, str(db), "20"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True,
                              env={"PATH": "/usr/bin:/bin", "CI": "true"}) as proc:
            assert proc.stdout is not None
            while len(emitted) < 60 + 60 * attempt:  # let the run get going, a little further each time
                line = proc.stdout.readline()
                assert line, "the child ended early"
                seq, at = line.split()
                emitted[int(seq)] = float(at)
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            for line in proc.stdout:  # whatever it wrote before it died
                seq, at = line.split()
                emitted[int(seq)] = float(at)
        run_id = list_runs(db)[0].id
        kept = {e.seq for e in load_events(db, run_id)}
        assert kept <= set(emitted) and kept == set(range(len(kept)))  # a prefix, nothing invented
        lost = [emitted[s] for s in emitted if s not in kept]
        windows.append((len(lost), killed_at - min(lost) if lost else 0.0))
        rec = open_recording(db, run_id)  # what `teamtui replay` opens: the interrupted prefix, seekable
        try:
            assert len(rec) == len(kept) and rec.state_at(len(rec)).seq == len(kept) - 1
        finally:
            rec.close()
    assert [r.status for r in list_runs(db)] == ["interrupted"] * 3
    print("events lost per kill (count, seconds before the kill):", windows)
    # Commits are at most FLUSH_S = 50 ms apart; the bound leaves room for a loaded 2-core CI machine.
    assert all(window <= 0.25 for _, window in windows), windows


def test_the_runs_table_counts_the_faults_injected_live_too(tmp_path: Path) -> None:
    import msgspec

    db = tmp_path / "runs.db"
    s = scenario_from(SCENARIO)  # one scheduled kill
    events = run_events(s)
    k = len(events) // 2
    live = ev.FaultInjected(seq=k, t=events[k].t, agent="cy", fault="stall", source="user", params={})
    events = events[:k] + [live] + [msgspec.structs.replace(e, seq=e.seq + 1) for e in events[k:]]
    run_id = record_run(db, s, events, None)
    (row,) = list_runs(db)
    assert row.id == run_id and row.faults == 2 == sum(isinstance(e, ev.FaultInjected) for e in events)


def test_rerun_runs_what_ran_including_command_line_overrides(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"

    cli = functools.partial(run_cli, db=db)

    first = cli("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--size", "2", "--seed", "11",
                "--arch", "preassigned", "--p", "parallel")
    assert first.returncode == 0, first.stderr
    original = list_runs(db)[0]
    assert (original.size, original.architecture) == (2, "preassigned")
    again = cli("rerun", "latest")
    assert again.returncode == 0, again.stderr
    rerun = list_runs(db)[0]
    assert rerun.id != original.id and (rerun.size, rerun.architecture) == (2, "preassigned")
    events = load_events(db, rerun.id)
    assert events == load_events(db, original.id)
    start = events[0]
    assert isinstance(start, ev.RunStarted) and start.seed == 11 and start.p == 0.9
