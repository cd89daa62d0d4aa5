"""`paper_figures` on a hand-built table: speedups and delta-method SEM, conflicts, straggler gaps, extra
messages, cost-speedup and the rank tests, each against values computed by hand in the test."""

from __future__ import annotations

import math
from typing import Any

import pytest

from teamtui.experiments.paper.figures import run_speedups, tables
from teamtui.experiments.paper.stats import kruskal, wilcoxon
from teamtui.experiments.table import CellParams, CellRun

M = "anthropic_claude-sonnet-4-6"


def run(suite: str, n: int, wall: float, mode: str = "preassign_nolead", success: bool = True,
        **more: Any) -> CellRun:
    paper = {"model_dir": M, "mode": mode, "suite": suite, "p_label": "p05", "p_true": 0.5, "n_teammates": n,
             "success": success, "wall_clock_seconds": wall, "concurrent_writes": 0, "rewrites": 0,
             "claims_blocked": 0, "test_failures": 0, "messages": 0, "idle_rounds": 0, "round_gaps": [],
             "total_input_tokens": 0, "total_output_tokens": 0} | more
    arch = "decentralized" if mode == "decentralized" else "preassigned"
    return CellRun(CellParams(suite, 0.5, n, arch, "rounds", M), "paper-x", "done", {"paper_run": paper})


def test_speedup_is_the_mean_over_suites_with_a_delta_method_sem() -> None:
    rows = [
        run("A", 1, 100.0), run("A", 1, 120.0), run("A", 2, 50.0), run("A", 2, 60.0),
        run("B", 1, 90.0), run("B", 2, 50.0), run("B", 2, 70.0),
        run("B", 2, 5.0, success=False),  # failed runs are left out
        run("A", 2, 500.0, mode="decentralized"),  # another condition
        CellRun(CellParams("A", 0.5, 2, "lead", "rounds", "sim"), "r", "done", {"speedup": 9.0}),  # not a paper run
    ]
    t = tables(rows)
    assert t["runs"] == 9
    cell = t["speedup"]["preassign"][M]["p05"]
    assert cell[1] == {"mean": 1.0, "sem": 0.0, "k": 0}
    # suite A: 110 / 55 = 2.0; var(base) = 200, var(team) = 50 -> 2.0^2 (200 / (2 * 110^2) + 50 / (2 * 55^2))
    # suite B: 90 / 60 = 1.5; one base run (variance 0), var(team) = 200 -> 1.5^2 (200 / (2 * 60^2))
    var_a = 4.0 * (200 / (2 * 110**2) + 50 / (2 * 55**2))
    var_b = 2.25 * (200 / (2 * 60**2))
    assert cell[2]["mean"] == pytest.approx(1.75)
    assert cell[2]["sem"] == pytest.approx(math.sqrt(var_a + var_b) / 2)
    assert cell[2]["k"] == 2
    assert t["speedup"]["decentralized"][M]["p05"][2] is None  # no successful decentralized n = 1 run


def test_conflicts_straggler_gaps_and_extra_messages_follow_the_notebook() -> None:
    rows = [
        run("A", 2, 50.0, mode="decentralized", concurrent_writes=1, rewrites=4, round_gaps=[1.0, 3.0], messages=10),
        run("A", 2, 60.0, mode="decentralized", concurrent_writes=3, rewrites=4, round_gaps=[2.0], messages=14,
            idle_rounds=2),
        run("A", 2, 70.0, mode="decentralized", success=False, concurrent_writes=100, messages=30),
        run("A", 2, 40.0, messages=6, round_gaps=[9.0]),
    ]
    t = tables(rows)
    conflict = t["conflicts"][M]
    assert conflict["concurrent_writes"] == {"mean": 2.0, "sem": 1.0, "n": 2}  # sd sqrt(2) / sqrt(2)
    assert conflict["rewrites"]["sem"] == 0.0
    gap = t["straggler"][M]["decentralized"]["p05"][2]
    assert gap["mean"] == pytest.approx(2.0) and gap["sem"] == pytest.approx(math.sqrt(1.0 / 3))  # all 3 rounds
    assert "preassign_nolead" not in t["straggler"][M]  # one round is not enough for a point
    msgs = t["messages"][M][2]  # all runs, failed ones too: mean(10, 14, 30) - 6, SEM sqrt(var / 3 + 0)
    assert msgs["diff"] == pytest.approx(18 - 6) and msgs["sem"] == pytest.approx(math.sqrt(112 / 3))
    assert t["idle_rounds"][M][2]["diff"] == pytest.approx(2 / 3)


def test_cost_speedup_averages_ratios_over_suites() -> None:
    tok = {"total_input_tokens": 900, "total_output_tokens": 100}
    rows = [run("A", 1, 100.0, **tok), run("A", 2, 50.0, total_input_tokens=2500, total_output_tokens=500),
            run("B", 1, 90.0, **tok), run("B", 2, 60.0, total_input_tokens=1500, total_output_tokens=500)]
    cell = tables(rows)["cost_speedup"]["preassign"][M]["p05"][2]
    # A: speedup 2.0, tokens 3.0x, efficiency 2/3; B: speedup 1.5, tokens 2.0x, efficiency 0.75
    assert cell["speedup"] == pytest.approx(1.75)
    assert cell["token_cost"] == pytest.approx(2.5)
    assert cell["efficiency"] == pytest.approx((2 / 3 + 0.75) / 2)


def test_headline_per_run_speedups_and_rank_tests() -> None:
    rows = [run("A", 1, 100.0), run("A", 2, 50.0), run("A", 2, 80.0), run("A", 3, 200.0)]
    pairs = run_speedups([r.metrics["paper_run"] for r in rows if r.metrics], "preassign")
    assert [round(s, 6) for _, s in pairs] == [2.0, 1.25, 0.5]
    h = tables(rows)["headline"]["preassign"]
    assert h["runs"] == 3 and h["mean_speedup"] == pytest.approx(3.75 / 3)
    assert h["below_amdahl"] == 2  # bounds 1.333, 1.333, 1.5
    # Wilcoxon by hand: differences 1, -2, 3, 4 -> ranks 1, 2, 3, 4; W = min(8, 2) = 2;
    # exact: 3 of the 16 sign patterns have a rank sum <= 2 -> p = 2 * 3 / 16
    w = wilcoxon([2.0, 1.0, 5.0, 6.0], [1.0, 3.0, 2.0, 2.0])
    assert (w.statistic, w.p) == (2.0, 0.375)
    # Kruskal–Wallis by hand: ranks 1-3 and 4-6; H = 12 / (6 * 7) * (6^2 / 3 + 15^2 / 3) - 3 * 7
    k = kruskal([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert k.statistic == pytest.approx(12 / 42 * (12 + 75) - 21)
    assert k.p == pytest.approx(math.erfc(math.sqrt(k.statistic / 2)))  # chi-square, 1 degree of freedom


def test_a_table_without_paper_runs_has_no_figures() -> None:
    assert tables([CellRun(CellParams("A", 0.5, 2, "lead", "rounds", "sim"), "r", "done", {"speedup": 1.0})]) == {
        "runs": 0}
