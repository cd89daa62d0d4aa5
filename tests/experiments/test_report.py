"""The report on hand-built run tables: every figure when the sweep has the data, a sentence instead of a
figure when it lacks a dimension, and the statistics section saying what could not be tested."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teamtui.experiments.analysis import analyze
from teamtui.experiments.markdown import render
from teamtui.experiments.plots import all_plots
from teamtui.experiments.table import CellParams, CellRun


def run(size: int, arch: str, p: float, trial: int, fault: str = "none", **m: Any) -> CellRun:
    metrics = {"success": True, "makespan": 100.0 / (1 + 0.3 * (size - 1)) + trial, "speedup": 1 + 0.3 * (size - 1),
               "messages_sent": 5 * size * size if arch == "decentralized" else 0, "claim_conflicts": size,
               "idle_fraction": 0.1 * size, "paper": {"messages": 10 * size, "tokens_in": 1000, "tokens_out": 100},
               **m}
    return CellRun(CellParams("math_utils", p, size, arch, "rounds", "sim", fault, trial, trial), f"r{trial}", "done",
                   metrics)


def full_table() -> list[CellRun]:
    rows = [run(n, a, p, t) for n in (1, 2, 3) for a in ("preassigned", "decentralized") for p in (0.2, 0.9)
            for t in range(3)]
    rows += [run(n, a, 0.9, t, "stall:1@40+60", fault_cost=10.0 * t + (50 if a == "preassigned" else 0),
                 recoveries=[{"held": ["t1"], "reclaim_s": None if a == "preassigned" else 20.0 + t}])
             for n in (2, 3) for a in ("preassigned", "decentralized") for t in range(3)]
    return rows


def test_a_full_table_gets_every_figure_and_every_test(tmp_path: Path) -> None:
    rows = full_table()
    a = analyze(rows, {"id": "sw-x", "name": "hand-built"})
    plots = all_plots(a, rows, tmp_path)
    assert all(path is not None and path.stat().st_size > 5000 for _, path, _ in plots), plots
    assert {f.architecture for f in a.fits} == {"decentralized"}
    assert a.fits[0].exponent > 1.9  # messages = 5 n²
    measures = {c.measure: c for c in a.mann_whitney}
    assert measures["recovery_censored"].median_a == float("inf")  # preassigned never recovered
    md = render(a, rows, plots, {"id": "sw-x", "name": "hand-built"})
    for words in ("Wilcoxon", "Kruskal–Wallis", "n^", "| recovery_censored | never", "![recovery](recovery.png)"):
        assert words in md, words


def test_a_sweep_without_team_sizes_or_faults_says_what_it_cannot_show(tmp_path: Path) -> None:
    rows = [run(1, "preassigned", 0.5, t) for t in range(3)]
    a = analyze(rows)
    plots = {name: (path, sentence) for name, path, sentence in all_plots(a, rows, tmp_path)}
    assert plots["speedup"][0] is None and "no team sizes above 1" in plots["speedup"][1]
    assert plots["recovery"][0] is None and "no fault conditions" in plots["recovery"][1]
    assert plots["messages"][0] is None and plots["conflicts"][0] is None
    assert list(tmp_path.glob("*.png")) == []
    md = render(a, rows, list(all_plots(a, rows, tmp_path)), {})
    assert "Speedup vs Amdahl's bound: not tested" in md and "Dependency structure: not tested" in md
    assert "not compared (the sweep has one architecture)" in md
    assert a.wilcoxon is None and a.kruskal is None and a.mann_whitney == [] and a.mean_speedup is None


def test_architectures_are_compared_among_those_with_teams_not_the_baselines() -> None:
    rows = [run(1, "preassigned", 0.5, t) for t in range(3)]
    rows += [run(n, a, 0.5, t) for n in (1, 2, 3) for a in ("lead", "decentralized") for t in range(3) if n > 1 or a != "lead"]
    a = analyze(rows)
    assert a.mann_whitney and {(c.a, c.b) for c in a.mann_whitney} == {("decentralized", "lead")}
