"""The paper's headline table on hand-built run tables (literal rows, answers computed by hand), its 44 figures on
a full grid, imported-like rows read through their `paper_run`, and the comparison of two tables."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest

from teamtui.experiments.compare import compare_tables
from teamtui.experiments.kim import kim_table
from teamtui.experiments.paper_table import figures, paper_table
from teamtui.experiments.table import CellParams, CellRun

T_2DF = 4.302652729911275  # Student's t, 97.5 % quantile, 2 degrees of freedom
T_1DF = 12.706204736174698
Z = 1.959963984540054


def row(pack: str, size: int, makespan: float, trial: int, arch: str = "preassigned", p: float = 0.5,
        success: bool = True, model: str = "m", **m: Any) -> CellRun:
    return CellRun(CellParams(pack, p, size, arch, "rounds", model, "none", trial, trial), f"{pack}{size}{trial}",
                   "done", {"makespan": makespan, "success": success, **m})


def test_the_pooled_speedup_and_its_delta_method_sem_by_hand() -> None:
    rows = [row("a", 1, 10.0, 0), row("a", 1, 12.0, 1), row("b", 1, 20.0, 0), row("b", 1, 20.0, 1),
            row("a", 2, 5.0, 0), row("a", 2, 7.0, 1), row("b", 2, 8.0, 0), row("b", 2, 12.0, 1),
            row("a", 3, 4.0, 0), row("b", 3, 9.0, 0), row("b", 3, 11.0, 1),
            row("b", 3, 99.0, 2, success=False),  # failed: not in the means
            row("a", 1, 1.0, 0, arch="decentralized")]  # another architecture's 1-agent run: not this baseline
    e = paper_table(rows)["speedup"]["preassigned|0.5"]
    # cells (n = 2, n = 3), each the mean over packs a and b of mean(T1) / mean(Tn): T1 = 11 (a), 20 (b)
    assert e["mean"] == pytest.approx((11 / 6 + 20 / 10 + 11 / 4 + 20 / 10) / 4)
    # delta method over the whole estimate, weight 1/4 per pack ratio; Var(mean) = s² / k: T1a 1, T1b 0,
    # T2a 1, T2b 4, T3a 0 (one run), T3b 1. T1a is shared by both cells: its gradient adds up.
    var = (0.25 * (1 / 6 + 1 / 4)) ** 2 * 1 + (0.25 * 11 / 36) ** 2 * 1 + (0.25 * 20 / 100) ** 2 * 4 \
        + (0.25 * 20 / 100) ** 2 * 1
    assert e["sem"] == pytest.approx(math.sqrt(var))
    assert e["ci"] == pytest.approx([e["mean"] - Z * e["sem"], e["mean"] + Z * e["sem"]])
    assert (e["team_runs"], e["baseline_runs"], e["runs"], e["cells"]) == (7, 4, 11, 2)
    # treating the cells as independent would understate it
    se_a2 = 11 / 6 * math.sqrt((1 / 11) ** 2 + (1 / 6) ** 2)
    naive = math.sqrt((se_a2**2 + 0.4**2) / 4 + (0.25**2 + 0.2**2) / 4) / 2
    assert e["sem"] > naive


def test_per_run_figures_and_the_clustered_straggler_gap_by_hand() -> None:
    rows = [row("a", 2, 10.0, 0, paper={"messages": 10, "idle_rounds": 1, "concurrent_writes": 2,
                                        "round_gaps": [1.0, 3.0]}),
            row("a", 2, 10.0, 1, paper={"messages": 20, "idle_rounds": 2, "concurrent_writes": 4,
                                        "round_gaps": [5.0]}),
            row("a", 2, 10.0, 2, success=False,  # counts for replies and idle rounds, not concurrent writes
                paper={"messages": 30, "idle_rounds": 3, "concurrent_writes": 100}),  # stored before round gaps
            row("a", 1, 10.0, 0, paper={"messages": 4, "idle_rounds": 0, "concurrent_writes": 0, "round_gaps": []})]
    t = paper_table(rows)
    r = t["replies"]["preassigned|2"]
    assert (r["mean"], r["runs"]) == (20.0, 3) and r["sem"] == pytest.approx(10 / math.sqrt(3))
    assert r["ci"] == pytest.approx([20 - T_2DF * 10 / math.sqrt(3), 20 + T_2DF * 10 / math.sqrt(3)])
    assert t["idle_rounds"]["preassigned|2"]["mean"] == 2.0
    cw = t["concurrent_writes"]["preassigned|2"]
    assert (cw["mean"], cw["runs"]) == (3.0, 2)
    g = t["straggler_gap_s"]["preassigned|2"]
    # rounds 1, 3 | 5: mean 3; by run, the deviations sum to -2 and +2: Var = G/(G-1) · (4 + 4) / N² = 16 / 9
    assert (g["mean"], g["rounds"], g["runs"], g["unmeasured"]) == (3.0, 3, 2, 1)
    assert g["sem"] == pytest.approx(4 / 3) and g["sem_rounds"] == pytest.approx(statistics.stdev([1, 3, 5]) / 3**0.5)
    assert g["ci"] == pytest.approx([3 - T_1DF * 4 / 3, 3 + T_1DF * 4 / 3])
    assert "preassigned|1" not in t["straggler_gap_s"]  # a 1-agent team has no gap
    one = t["replies"]["preassigned|1"]
    assert (one["mean"], one["sem"], one["ci"]) == (4.0, None, None)  # one run: no spread to speak of


def _full(arch: str, p: float, n: int, trial: int) -> CellRun:
    return row("a", n, 100.0 / n + trial, trial, arch=arch, p=p,
               paper={"messages": 10 * n + trial, "idle_rounds": trial, "concurrent_writes": n - 1 + trial,
                      "round_gaps": [0.5 * n, 0.7 * n] if n > 1 else []})


def test_the_papers_grid_gives_44_figures_keyed_as_the_paper_names_them() -> None:
    rows = [_full(a, p, n, t) for a in ("preassigned", "decentralized") for p in (0.2, 0.5, 0.9)
            for n in range(1, 6) for t in range(2)]
    t = paper_table(rows)
    assert figures(t) == 44
    assert set(t["speedup"]) == {f"{a}|{p}" for a in ("preassigned", "decentralized") for p in ("0.2", "0.5", "0.9")}
    sizes = {f"{a}|{n}" for a in ("preassigned", "decentralized") for n in range(1, 6)}
    assert set(t["replies"]) == set(t["idle_rounds"]) == set(t["concurrent_writes"]) == sizes
    assert set(t["straggler_gap_s"]) == {k for k in sizes if not k.endswith("|1")}


def test_imported_rows_are_read_through_their_paper_run() -> None:
    paper_run = {"messages": 40, "idle_rounds": 7, "concurrent_writes": 9, "round_gaps": [2.0, 4.0],
                 "total_input_tokens": 1000, "total_output_tokens": 200}
    rows = [row("a", 3, 10.0, t, arch="decentralized", paper={"messages": 0, "idle_rounds": 0, "concurrent_writes": 0,
                                                              "round_gaps": None}, paper_run=paper_run)
            for t in range(2)]
    t = paper_table(rows)
    assert t["replies"]["decentralized|3"]["mean"] == 40 and t["idle_rounds"]["decentralized|3"]["mean"] == 7
    assert t["concurrent_writes"]["decentralized|3"]["mean"] == 9
    assert t["straggler_gap_s"]["decentralized|3"]["mean"] == 3.0


def test_kim_figures_of_a_sweep_by_hand() -> None:
    rows = [row("a", 1, 10.0, 0, paper={"messages": 4}, messages_sent=0),
            row("a", 1, 10.0, 1, paper={"messages": 6}, messages_sent=0, success=False),
            row("a", 2, 6.0, 0, paper={"messages": 10}, messages_sent=5),
            row("a", 2, 6.0, 1, paper={"messages": 14}, messages_sent=7, success=False),
            row("a", 2, 6.0, 2, paper={"messages": 6}, messages_sent=3, success=False)]
    k = kim_table(rows)["preassigned|2"]
    ratio = 10 / 5  # mean turns 10 against the baseline's 5
    assert k["coordination_overhead"] == pytest.approx(ratio - 1)
    assert k["coordination_efficiency"] == pytest.approx((1 / 3) / ratio)
    assert (k["failure_rate"], k["baseline_failure_rate"]) == pytest.approx((2 / 3, 1 / 2))
    assert k["error_amplification"] == pytest.approx((2 / 3) / (1 / 2))
    assert k["message_density"] == pytest.approx(15 / 30)
    assert (k["runs"], k["baseline_runs"], k["baseline_failures"]) == (3, 2, 1)


def test_two_tables_compared_figure_by_figure() -> None:
    def e(mean: float, lo: float, hi: float) -> dict[str, Any]:
        return {"mean": mean, "sem": 0.1, "ci": [lo, hi], "runs": 5}

    a = {"speedup": {"x|0.5": e(1.0, 0.8, 1.2), "x|0.9": e(2.0, 1.9, 2.1)}, "replies": {"x|2": e(10, 9, 11)},
         "idle_rounds": {"x|2": e(5, 4, 6)}}
    b = {"speedup": {"x|0.5": e(1.1, 0.9, 1.3), "x|0.9": e(1.0, 0.5, 1.5)}, "replies": {"x|2": e(12, 11.5, 13)},
         "idle_rounds": {"x|2": {"mean": 5, "sem": None, "ci": None, "runs": 1}}, "concurrent_writes": {"x|2": e(1, 0, 2)}}
    res = compare_tables(a, b)
    verdicts = {(r["figure"], r["key"]): (r["ci_overlap"], r["a_mean_in_b_ci"]) for r in res["rows"]}
    assert verdicts == {("speedup", "x|0.5"): (True, True), ("speedup", "x|0.9"): (False, False),
                        ("replies", "x|2"): (False, False), ("idle_rounds", "x|2"): (None, None)}
    assert (res["compared"], res["a_inside_b_ci"], res["ci_overlap"], res["only_b"]) == (3, 1, 1, 1)
    assert res["summary"].startswith("1 of 3 figures of A inside B's 95 % CI")
