"""A figure a run's source does not record is None (not measured), never 0: imported-like rows, the tests that
would otherwise compare 0 with 0, and what `teamtui import` marks for each kind of source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teamtui.experiments.analysis import analyze
from teamtui.experiments.hypotheses import mann_whitney, not_measured
from teamtui.experiments.measures import value
from teamtui.experiments.paper.importer import import_paper
from teamtui.experiments.table import CellParams, CellRun, connect, load_table

from .harness_files import write_parquet, write_run_tree


def imported(arch: str, trial: int, tokens: tuple[int, int] | None, replies: int, **extra: Any) -> CellRun:
    """A row as an import before `not_measured` existed stored it: zeros where the events had nothing."""
    paper_run: dict[str, Any] = {"messages": replies, "idle_rounds": 2, "concurrent_writes": 3 if arch == "x" else 9}
    if tokens is not None:
        paper_run.update(total_input_tokens=tokens[0], total_output_tokens=tokens[1])
    metrics = {"makespan": 10.0, "success": True, "idle_fraction": 0.5, "messages_sent": 0, "claim_conflicts": 0, "write_conflicts": 0,
               "lock_denied": 0, "paper": {"messages": replies, "tokens_in": 0, "tokens_out": 0},
               "paper_run": paper_run, **extra}
    return CellRun(CellParams("s", 0.5, 3, arch, "rounds", "m", "none", trial, 0), f"r{arch}{trial}", "done", metrics)


def test_an_imported_row_without_tokens_has_none_not_zero() -> None:
    assert value(imported("x", 0, None, 5), "tokens") is None
    assert value(imported("x", 0, (0, 0), 5), "tokens") is None  # the harness wrote 0: it recorded none
    assert value(imported("x", 0, (1000, 200), 5), "tokens") == 1200  # the run totals
    for name in ("messages", "conflicts", "messages_per_subtask", "message_density"):
        assert value(imported("x", 0, None, 5), name) is None, name
    sim = CellRun(CellParams("s", 0.5, 3, "x", "rounds", "sim"), "r", "done",
                  {"paper": {"tokens_in": 0, "tokens_out": 0}, "messages_sent": 0, "claim_conflicts": 0})
    assert value(sim, "tokens") == 0 and value(sim, "messages") == 0 and value(sim, "conflicts") == 0  # measured: 0


def test_a_listed_not_measured_wins_and_a_source_may_measure_messages() -> None:
    run_dir = imported("x", 0, (10, 1), 5, messages_sent=4, not_measured=["conflicts"])
    assert value(run_dir, "messages") == 4 and value(run_dir, "message_density") == pytest.approx(4 / 5)
    assert value(run_dir, "conflicts") is None


def test_architectures_are_not_compared_on_what_was_not_measured() -> None:
    rows = [imported(a, t, (1000 * (t + 1), 100), 5 + t if a == "x" else 40 + t) for a in ("x", "y") for t in range(6)]
    res = {c.measure: c for c in mann_whitney(rows, "x", "y")}
    assert "messages" not in res and "conflicts" not in res  # no "0 vs 0, no significant difference"
    # and no 1-agent run, so no speedup, nor any round gaps, so no straggler gap either
    assert set(not_measured(rows, "x", "y")) == {"messages", "conflicts", "speedup", "straggler_gap"}
    assert res["replies"].median_a < res["replies"].median_b and res["tokens"].n_a == 6
    assert res["concurrent_writes"].median_b == 9  # the paper's own per-run number
    a = analyze(rows)
    assert a.not_measured == ["speedup", "messages", "conflicts", "straggler_gap"]  # x and y: the two architectures
    assert all(k["message_density"] is None for k in a.kim.values())


def _metrics(db: Path) -> dict[str, Any]:
    with connect(db) as conn:
        sweep = conn.execute("SELECT id FROM sweeps").fetchone()[0]
        (row,) = load_table(conn, sweep)
    assert row.metrics is not None
    return row.metrics


def test_the_parquet_import_marks_messages_locks_conflicts_and_tokens_not_measured(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    write_parquet(tmp_path / "data")
    import_paper(tmp_path / "data", tmp_path / "runs.db")
    m = _metrics(tmp_path / "runs.db")
    assert m["not_measured"] == ["messages", "messages_per_subtask", "message_density", "conflicts"]
    assert m["messages_sent"] is None and m["message_matrix"] is None and m["lock_denied"] is None
    assert m["claim_conflicts"] is None and (m["paper"]["tokens_in"], m["paper"]["tokens_out"]) == (None, None)
    assert m["kim"]["message_density"] is None and m["kim"]["turns"] == 4
    assert m["paper_run"]["round_gaps"] == [5.0, 3.0]


def test_a_run_directory_import_keeps_its_messages_and_lock_denials(tmp_path: Path) -> None:
    import_paper(write_run_tree(tmp_path), tmp_path / "runs.db")
    m = _metrics(tmp_path / "runs.db")
    assert m["not_measured"] == ["conflicts"]
    assert m["messages_sent"] == 1 and m["lock_denied"] == 1  # Dev2's broadcast; Dev2's denied lock
    assert m["claim_conflicts"] is None and m["paper"]["tokens_in"] is None
