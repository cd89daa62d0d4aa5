"""The sweep analysis on hand-built run tables: the paper's speedup and its delta-method SEM computed by
hand, summaries and statistical tests against scipy called directly on the same numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from teamtui.experiments.growth import per_run_fits
from teamtui.experiments.hypotheses import kruskal_by_p, mann_whitney, wilcoxon_vs_amdahl
from teamtui.experiments.measures import amdahl, value
from teamtui.experiments.speedup import paper_speedups, ratio_delta, rule_speedups
from teamtui.experiments.stats import BOOTSTRAP_SEED, describe, summarize_conditions
from teamtui.experiments.table import CellParams, CellRun


def row(pack: str, p: float, size: int, arch: str, makespan: float, trial: int = 0, fault: str = "none",
        success: bool = True, **extra: Any) -> CellRun:
    metrics: dict[str, Any] = {"makespan": makespan, "success": success, **extra}
    return CellRun(CellParams(pack, p, size, arch, "rounds", "sim", fault, trial, trial), f"r{trial}", "done",
                   metrics)


def test_ratio_delta_matches_the_hand_computed_delta_method() -> None:
    s, se = ratio_delta([10.0, 12.0], [5.0, 7.0])
    # means 11 and 6; SE of each mean = stdev / sqrt(2) = sqrt(2) / sqrt(2) = 1
    assert s == pytest.approx(11 / 6)
    assert se == pytest.approx(11 / 6 * math.sqrt((1 / 11) ** 2 + (1 / 6) ** 2))


def test_paper_speedup_is_per_suite_then_averaged_with_the_sem_combined() -> None:
    rows = [
        row("a", 0.5, 1, "preassigned", 10.0, 0), row("a", 0.5, 1, "preassigned", 12.0, 1),
        row("a", 0.5, 2, "preassigned", 5.0, 0), row("a", 0.5, 2, "preassigned", 7.0, 1),
        row("b", 0.5, 1, "preassigned", 20.0, 0), row("b", 0.5, 1, "preassigned", 20.0, 1),
        row("b", 0.5, 2, "preassigned", 8.0, 0), row("b", 0.5, 2, "preassigned", 12.0, 1),
        row("b", 0.5, 2, "preassigned", 99.0, 2, success=False),  # failed runs do not count
    ]
    est = {e.size: e for e in paper_speedups(rows)}[2]
    sa = 11 / 6 * math.sqrt((1 / 11) ** 2 + (1 / 6) ** 2)
    sb = 2.0 * math.sqrt(0.0 + (2 / 10) ** 2)  # T1 = 20 (SE 0), Tn = 10 (SE stdev(8, 12) / sqrt 2 = 2)
    assert est.suites["a"] == pytest.approx((11 / 6, sa))
    assert est.suites["b"] == pytest.approx((2.0, sb))
    assert est.speedup == pytest.approx((11 / 6 + 2.0) / 2)
    assert est.sem == pytest.approx(math.sqrt(sa**2 + sb**2) / 2)
    assert est.amdahl == pytest.approx(1 / (0.5 + 0.25))
    solo = {e.size: e for e in paper_speedups(rows)}[1]
    assert (solo.speedup, solo.sem) == (1.0, 0.0)  # as the paper reports n = 1


def test_speedup_baselines_are_the_same_architecture_when_present_else_any() -> None:
    rows = [row("a", 0.9, 1, "preassigned", 10.0), row("a", 0.9, 1, "decentralized", 20.0),
            row("a", 0.9, 2, "decentralized", 10.0), row("a", 0.9, 2, "lead", 10.0)]
    est = {(e.architecture, e.size): e.speedup for e in paper_speedups(rows)}
    assert est[("decentralized", 2)] == pytest.approx(2.0)  # its own 1-agent runs
    assert est[("lead", 2)] == pytest.approx(1.5)  # none of its own: both 1-agent runs, mean 15


def test_condition_summaries_match_numpy_and_scipy_bootstrap() -> None:
    speedups = [1.2, 1.5, 1.9, 1.4, 1.1]
    rows = [row("a", 0.5, 3, "preassigned", 10.0, t, speedup=s, messages_sent=10 * t) for t, s in enumerate(speedups)]
    rows.append(row("a", 0.5, 3, "preassigned", 10.0, 9, success=False, speedup=50.0))
    (summary,) = summarize_conditions(rows)
    assert summary.runs == 6 and summary.successes == 5
    st = summary.stats["speedup"]
    assert st is not None and st.n == 5
    assert st.mean == pytest.approx(np.mean(speedups)) and st.median == pytest.approx(np.median(speedups))
    direct = sps.bootstrap((np.array(speedups),), np.mean, n_resamples=2000, method="percentile",
                           rng=np.random.default_rng(BOOTSTRAP_SEED)).confidence_interval
    assert (st.lo, st.hi) == pytest.approx((direct.low, direct.high))
    assert st.lo < st.mean < st.hi
    amd = summary.stats["amdahl_bound"]
    assert amd is not None and amd.mean == pytest.approx(amdahl(0.5, 3))  # derived from p and n when absent
    assert summary.stats["fault_cost"] is None
    assert describe([2.0]) is not None and describe([]) is None


def test_conflicts_and_tokens_add_their_parts() -> None:
    r = row("a", 0.5, 2, "decentralized", 1.0, claim_conflicts=2, write_conflicts=1, lock_denied=4,
            paper={"tokens_in": 100, "tokens_out": 20, "messages": 7})
    assert value(r, "conflicts") == 7 and value(r, "tokens") == 120 and value(r, "replies") == 7
    assert value(r, "recovery_s") is None


def test_growth_exponent_recovers_a_power_law_and_matches_linregress() -> None:
    rows = []
    for arch, k in (("preassigned", 1.0), ("decentralized", 2.0)):
        for n in (2, 3, 4, 5):
            for t, noise in enumerate((0.9, 1.1)):
                rows.append(row("a", 0.5, n, arch, 1.0, t, messages_sent=3.0 * n**k * noise))
    rows.append(row("a", 0.5, 1, "decentralized", 1.0, messages_sent=0))  # log(0): left out
    fits = {f.architecture: f for f in per_run_fits(rows)}
    assert fits["decentralized"].exponent == pytest.approx(2.0)
    assert fits["preassigned"].exponent == pytest.approx(1.0)
    pts = [(n, 3.0 * n**2 * noise) for n in (2, 3, 4, 5) for noise in (0.9, 1.1)]
    direct = sps.linregress(np.log([n for n, _ in pts]), np.log([v for _, v in pts]))
    assert fits["decentralized"].stderr == pytest.approx(direct.stderr)
    assert fits["decentralized"].points == 8


def test_wilcoxon_against_the_bound_matches_scipy() -> None:
    speedups = [1.1, 1.3, 1.25, 1.6, 1.4, 1.05, 1.7, 1.2]
    rows = [row("a", 0.5, 2 + t % 3, "preassigned", 1.0, t, speedup=s) for t, s in enumerate(speedups)]
    rows.append(row("a", 0.5, 1, "preassigned", 1.0, speedup=1.0))  # 1-agent runs are not team runs
    res = wilcoxon_vs_amdahl(rows)
    bounds = [amdahl(0.5, 2 + t % 3) for t in range(len(speedups))]
    direct = sps.wilcoxon(speedups, bounds)
    assert res is not None and res.n == len(speedups)
    assert (res.statistic, res.pvalue) == pytest.approx((direct.statistic, direct.pvalue))
    assert res.below == sum(s < b for s, b in zip(speedups, bounds, strict=True))


def test_kruskal_across_p_matches_scipy_and_needs_two_groups() -> None:
    data = {0.2: [1.1, 1.2, 1.0, 1.15], 0.5: [1.4, 1.5, 1.3], 0.9: [2.1, 1.9, 2.4, 2.2]}
    rows = [row("a", p, 3, "decentralized", 1.0, t, speedup=s) for p, xs in data.items() for t, s in enumerate(xs)]
    res = kruskal_by_p(rows)
    direct = sps.kruskal(*data.values())
    assert res is not None and (res.statistic, res.pvalue) == pytest.approx((direct.statistic, direct.pvalue))
    assert res.groups == {"0.2": 4, "0.5": 3, "0.9": 4}
    assert kruskal_by_p([r for r in rows if r.params.p == 0.5]) is None


def test_mann_whitney_compares_architectures_and_fault_runs_separately() -> None:
    pre = [1.8, 1.9, 2.0, 2.2]
    dec = [1.2, 1.5, 1.4]
    rows = [row("a", 0.5, 3, "preassigned", 1.0, t, speedup=s, messages_sent=5) for t, s in enumerate(pre)]
    rows += [row("a", 0.5, 3, "decentralized", 1.0, t, speedup=s, messages_sent=40 + t) for t, s in enumerate(dec)]
    rows += [row("a", 0.5, 3, "preassigned", 1.0, t, fault="stall:1@40+30", fault_cost=c)
             for t, c in enumerate((30.0, 35.0, 28.0))]
    rows += [row("a", 0.5, 3, "decentralized", 1.0, t, fault="stall:1@40+30", fault_cost=c)
             for t, c in enumerate((5.0, 8.0, 12.0))]
    res = {c.measure: c for c in mann_whitney(rows)}
    direct = sps.mannwhitneyu(pre, dec, alternative="two-sided")
    assert (res["speedup"].statistic, res["speedup"].pvalue) == pytest.approx((direct.statistic, direct.pvalue))
    fc = sps.mannwhitneyu([30.0, 35.0, 28.0], [5.0, 8.0, 12.0], alternative="two-sided")
    assert res["fault_cost"].pvalue == pytest.approx(fc.pvalue) and res["fault_cost"].median_a == 30.0
    assert res["messages"].median_b == 41
    assert "recovery_s" not in res  # no run has recoveries


def test_every_run_gets_its_speedup_from_the_one_baseline_rule() -> None:
    rows = [row("a", 0.5, 1, "decentralized", 10.0, 0), row("a", 0.5, 1, "decentralized", 14.0, 1),
            row("a", 0.5, 1, "decentralized", 99.0, 2, success=False),
            row("a", 0.5, 1, "preassigned", 4.0, 0),  # another architecture's 1-agent run: not its baseline
            row("a", 0.5, 3, "decentralized", 6.0, 0), row("a", 0.5, 3, "decentralized", 5.0, 1, speedup=9.0),
            row("a", 0.5, 3, "decentralized", 30.0, 2, success=False), row("a", 0.5, 2, "lead", 8.0, 0)]
    derived = rule_speedups(rows)
    assert value(derived[4], "speedup") == pytest.approx(12.0 / 6.0)
    assert value(derived[4], "efficiency") == pytest.approx(12.0 / 6.0 / 3)
    assert value(derived[5], "speedup") == pytest.approx(12.0 / 5.0)  # the rule's, not the stored same-seed 9.0
    assert derived[5].metrics is not None and derived[5].metrics["speedup_same_seed"] == 9.0
    assert value(derived[6], "speedup") is None  # failed runs get none
    assert value(derived[0], "speedup") == pytest.approx(12.0 / 10.0)
    assert value(derived[7], "speedup") == pytest.approx(((10 + 14 + 4) / 3) / 8.0)  # no lead 1-agent run: any
    assert rule_speedups(derived) == derived  # applying the rule twice changes nothing
