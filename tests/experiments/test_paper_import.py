"""`teamtui import`: the paper harness's run directories and parquet files into runs + a sweep, mapped events,
the notebook's per-run numbers, malformed input skipped and reported, idempotent re-import, replay."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.experiments.paper.format import run_id
from teamtui.experiments.paper.importer import import_paper
from teamtui.experiments.paper.sources import PaperImportError
from teamtui.experiments.table import CellParams, connect, list_sweeps, load_table
from teamtui.store.reader import list_runs, load_events
from teamtui.ui.view import LiveView

from .harness_files import KEY, RECORDS, write_parquet, write_run_tree


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_a_run_directory_is_imported_as_mapped_events_metrics_and_a_sweep_cell(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path)
    db = tmp_path / "runs.db"
    result = import_paper(exp, db)
    assert (result.runs, result.imported, result.already, result.problems.count) == (1, 1, 0, 0)
    rid = run_id(KEY)
    assert rid.startswith("paper-") and [r.id for r in list_runs(db)] == [rid]

    events = load_events(db, rid)
    start, end = events[0], events[-1]
    assert isinstance(start, ev.RunStarted) and isinstance(end, ev.RunFinished)
    assert (start.architecture, start.execution, start.agents, start.p, start.pack) == (
        "decentralized", "rounds", ("Dev1", "Dev2"), 0.5, "mathutilities20")
    assert [(t.id, t.file, t.depends_on) for t in start.tasks] == [("task-1", "add.py", ()),
                                                                   ("task-2", "safe_add.py", ("task-1",))]
    assert (end.status, end.makespan, end.rounds) == ("completed", 33.0, 2)  # makespan = results' wall clock
    kinds = {e.kind for e in events}
    assert {"RoundStarted", "RoundEnded", "LLMCallStarted", "LLMCallCompleted", "TaskClaimed", "ClaimBlocked",
            "LockDenied", "FileWritten", "TestsRan", "TaskCompleted", "MessageSent"} <= kinds
    latencies = [(e.agent, e.round, e.latency) for e in events if isinstance(e, ev.LLMCallCompleted)]
    assert latencies == [("Dev1", 1, 9.5), ("Dev2", 1, 19.5), ("Dev2", 2, 4.0), ("Dev1", 2, 10.0)]
    tests = [e for e in events if isinstance(e, ev.TestsRan)]
    assert [(t.agent, t.exit_code, t.passed) for t in tests] == [("Dev1", 1, False)]
    assert [e.seq for e in events] == list(range(len(events)))
    assert all(a.t <= b.t for a, b in itertools.pairwise(events))

    with connect(db) as conn:
        (row,) = load_table(conn, result.sweep_id)
        (sweep,) = list_sweeps(conn)
    assert sweep.source == f"import:{exp.resolve()}" and sweep.status == "done"
    assert row.params == CellParams("mathutilities20", 0.5, 2, "decentralized", "rounds",
                                    "anthropic/claude-sonnet-4-6", trial=0, seed=0)
    assert (row.run_id, row.status) == (rid, "done")
    assert row.metrics is not None
    paper = row.metrics["paper_run"]
    assert (paper["messages"], paper["idle_rounds"], paper["rewrites"], paper["test_failures"]) == (4, 1, 2, 1)
    assert paper["round_gaps"] == [5.0, 3.0]
    assert (paper["concurrent_writes"], paper["claims_blocked"], paper["lock_conflicts"]) == (1, 1, 1)
    assert (paper["mode"], paper["success"], paper["wall_clock_seconds"], paper["total_input_tokens"]) == (
        "decentralized", True, 33.0, 1200)
    ours = row.metrics["paper"]  # teamtui's own checkers on the mapped events agree where they can
    assert (ours["messages"], ours["idle_rounds"], ours["rewrites"], ours["claims_blocked"]) == (4, 1, 2, 1)
    assert ours["straggler_gap"] == pytest.approx(4.0)
    assert row.metrics["lock_denied"] == 1 and row.metrics["makespan"] == 33.0


def test_importing_twice_keeps_one_copy_of_each_run_and_one_sweep(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path)
    db = tmp_path / "runs.db"
    first = import_paper(exp, db)
    events = _count(db, "SELECT COUNT(*) FROM events")
    second = import_paper(exp, db)
    assert (second.imported, second.already, second.sweep_id) == (0, 1, first.sweep_id)
    assert _count(db, "SELECT COUNT(*) FROM runs") == 1
    assert _count(db, "SELECT COUNT(*) FROM events") == events
    assert _count(db, "SELECT COUNT(*) FROM sweep_cells") == 1


def test_malformed_lines_are_counted_quoted_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path, ["this is not json", json.dumps({"type": 5}),
                                    json.dumps({"type": "round_start", "round": "two"}), json.dumps([1, 2])])
    result = import_paper(exp, tmp_path / "runs.db")
    assert result.imported == 1
    assert result.problems.count == 4
    where = [p.split(": ")[0].rsplit(":", 1)[1] for p in result.problems.first]
    assert where == ["4", "5", "6", "7"]
    assert "events.jsonl" in result.problems.first[0] and "not JSON" in result.problems.first[0]
    assert "round = 'two' is not a number" in result.problems.first[2]


def test_parquet_files_import_with_agents_inferred_and_the_same_run_id(tmp_path: Path) -> None:
    write_parquet(tmp_path / "data", bad_event_rows=2, bad_run_rows=1)
    db = tmp_path / "runs.db"
    result = import_paper(tmp_path / "data" / "runs.parquet", db)
    assert (result.runs, result.imported) == (1, 1)
    assert result.problems.count == 3
    assert any("events.parquet:row 21" in p and 'no "type"' in p for p in result.problems.first)
    assert any("runs.parquet:row 1" in p and "wall_clock_seconds = -5.0" in p for p in result.problems.first)
    events = load_events(db, run_id(KEY))  # the same id as from the run directory
    writes = [(e.agent, e.path) for e in events if isinstance(e, ev.FileWritten)]
    assert writes == [("Dev1", "add.py"), ("Dev2", "add.py"), ("Dev1", "add.py")]
    assert [e.agent for e in events if isinstance(e, ev.TaskCompleted)] == ["Dev1"]
    with connect(db) as conn:
        (row,) = load_table(conn, result.sweep_id)
    assert row.metrics is not None
    paper = row.metrics["paper_run"]
    assert (paper["messages"], paper["idle_rounds"], paper["rewrites"], paper["test_failures"]) == (4, 1, 2, 1)
    assert paper["round_gaps"] == [5.0, 3.0] and paper["concurrent_writes_events"] == 1
    assert paper["lock_conflicts_events"] == 0  # the parquet keeps no `ok`: a denied lock is not visible


@pytest.mark.parametrize("source", ["tree", "parquet"])
def test_an_imported_run_replays_through_the_live_view(tmp_path: Path, source: str) -> None:
    if source == "tree":
        path = write_run_tree(tmp_path)
    else:
        write_parquet(tmp_path / "data")
        path = tmp_path / "data"
    db = tmp_path / "runs.db"
    import_paper(path, db)
    view = LiveView()
    for e in load_events(db, run_id(KEY)):
        view.apply(e)
    assert view.finished is not None and view.finished.status == "completed"
    assert view.agents["Dev1"].calls == 2 and view.agents["Dev2"].calls == 2
    assert view.state.sent == 1 and view.state.conflicts == (1 if source == "tree" else 0)
    done = [t.id for t in view.state.tasks.values() if t.state == "done"]
    assert done == (["task-1"] if source == "tree" else [""])  # parquet runs carry no task ids


def test_paths_without_harness_data_fail_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(PaperImportError, match="no such file or directory"):
        import_paper(tmp_path / "missing", tmp_path / "runs.db")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PaperImportError, match="no paper harness data here"):
        import_paper(tmp_path / "empty", tmp_path / "runs.db")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "runs.parquet").write_text("not parquet")
    with pytest.raises(PaperImportError, match="not a readable parquet file"):
        import_paper(tmp_path / "data", tmp_path / "runs.db")


async def test_an_imported_run_plays_in_the_replay_monitor(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from teamtui.ui.replay import ReplayApp

    from ..ui.conftest import until

    db = tmp_path / "runs.db"
    import_paper(write_run_tree(tmp_path), db)
    events = load_events(db, run_id(KEY))
    app = ReplayApp(events, run_id=run_id(KEY), speed=1)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: not app.playing)
        app.seek(len(events))
        await until(pilot, lambda: bool(app.panes))
        app.frame()
        console = Console(width=400, record=True, file=io.StringIO())
        console.print(app.main.w_board.content)
        board = console.export_text()
    assert app.view.finished is not None and "task-1" in board and "task-2" in board


def test_a_log_cut_short_without_results_is_a_failed_run(tmp_path: Path) -> None:
    run = tmp_path / "lone_run"
    run.mkdir()
    cut = [r for r in RECORDS if r["type"] != "run_end"][:12]
    (run / "events.jsonl").write_text("\n".join(json.dumps(r) for r in cut) + "\n")
    db = tmp_path / "runs.db"
    result = import_paper(run, db)
    (rid,) = [r.id for r in list_runs(db)]
    end = load_events(db, rid)[-1]
    assert isinstance(end, ev.RunFinished)
    assert (end.status, end.reason) == ("failed", "the log ends without run_end")
    assert end.makespan == pytest.approx(1025.0 - 1000.0)  # no results: the log's own span
    with connect(db) as conn:
        (row,) = load_table(conn, result.sweep_id)
    assert (row.params.architecture, row.params.size, row.params.model) == ("decentralized", 2, "unknown")
    import_paper(run, db)  # again: the same cell, not a second one
    with connect(db) as conn:
        assert len(load_table(conn, result.sweep_id)) == 1


def test_one_run_directory_takes_its_metadata_from_the_experiments_results(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path)
    listed = json.loads((exp / "results.json").read_text())
    listed.append({**listed[0], "run_dir": listed[0]["run_dir"].replace("rep0", "rep1")})  # a run not imported
    (exp / "results.json").write_text(json.dumps(listed))
    db = tmp_path / "runs.db"
    result = import_paper(exp / "p05" / KEY.rsplit("/", 1)[1], db)
    assert (result.runs, result.problems.count) == (1, 0)  # the other listed run is not this import's business
    end = load_events(db, run_id(KEY))[-1]
    assert isinstance(end, ev.RunFinished) and end.makespan == 33.0  # from ../../results.json
