"""Effect sizes against hand-computed values, small-sample warnings, and both growth-exponent estimators on
synthetic data with a known exponent."""

from __future__ import annotations

import math
from typing import Any

import pytest

from teamtui.experiments import effects
from teamtui.experiments.growth import means_fits, per_run_fits
from teamtui.experiments.hypotheses import kruskal_by_p, mann_whitney, wilcoxon_vs_amdahl
from teamtui.experiments.measures import amdahl
from teamtui.experiments.table import CellParams, CellRun


def row(size: int, arch: str, trial: int, p: float = 0.5, pack: str = "a", success: bool = True,
        **m: Any) -> CellRun:
    return CellRun(CellParams(pack, p, size, arch, "rounds", "sim", "none", trial, trial), f"r{trial}", "done",
                   {"makespan": 1.0, "success": success, **m})


def test_rank_biserial_r_of_mann_whitney_by_hand() -> None:
    pre, dec = [1.0, 2.0, 3.0, 4.0], [2.5, 5.0, 6.0]
    rows = [row(3, "preassigned", t, speedup=v) for t, v in enumerate(pre)]
    rows += [row(3, "decentralized", t, speedup=v) for t, v in enumerate(dec)]
    c = {c.measure: c for c in mann_whitney(rows)}["speedup"]
    # pairs where preassigned > decentralized: 3 > 2.5 and 4 > 2.5, so U = 2 of 12 and r = 2 · 2 / 12 − 1
    assert c.statistic == 2.0 and c.effect_r == pytest.approx(-2 / 3)
    # 4 and 3 runs: the most extreme ranking has p = 2 / C(7, 3) = 0.057, never below 0.05
    assert c.warning is not None and "too small" in c.warning and "0.0571" in c.warning


def test_matched_pairs_rank_biserial_r_of_wilcoxon_by_hand() -> None:
    d = [2.0, -1.0, 4.0, 3.0, -0.5, 6.0, 5.0, 7.0, 8.0, 9.0]
    # |d| ranks 1..10 in order 0.5, 1, 2, ...: negative ranks 1 + 2 = 3, positive 52: r = (52 − 3) / 55
    assert effects.matched_pairs_r([x + 10 for x in d], [10.0] * 10) == pytest.approx(49 / 55)
    # zeros dropped, ties averaged: |d| = 1, 1, 2 → ranks 1.5, 1.5, 3; R+ = 4.5, R− = 1.5
    assert effects.matched_pairs_r([1.0, 2.0, 0.0, 3.0], [1.0, 1.0, 1.0, 1.0]) == pytest.approx(0.5)
    bound = amdahl(0.5, 2)
    rows = [row(2, "preassigned", t, speedup=bound + x) for t, x in enumerate(d)]
    w = wilcoxon_vs_amdahl(rows)
    assert w is not None and w.effect_r == pytest.approx(49 / 55) and w.warning is None
    few = wilcoxon_vs_amdahl(rows[:5])
    assert few is not None and few.warning is not None and "smallest possible p is 0.0625" in few.warning


def test_epsilon_squared_of_kruskal_wallis_by_hand() -> None:
    groups = {0.2: [1.0, 2.0, 3.0], 0.5: [4.0, 5.0, 6.0], 0.9: [7.0, 8.0, 9.0]}
    rows = [row(3, "preassigned", t, p=p, speedup=v) for p, xs in groups.items() for t, v in enumerate(xs)]
    k = kruskal_by_p(rows)
    # rank sums 6, 15, 24 of N = 9: H = 12 / (9 · 10) · (36 + 225 + 576) / 3 − 3 · 10 = 7.2; ε² = H / (N − 1)
    assert k is not None and k.statistic == pytest.approx(7.2) and k.epsilon2 == pytest.approx(0.9)
    assert k.warning is not None and "χ²" in k.warning


def test_no_warning_for_samples_big_enough() -> None:
    assert effects.mann_whitney_warning(12, 15) is None and effects.wilcoxon_warning(30) is None
    assert effects.kruskal_warning([6, 7, 5]) is None
    eight = effects.wilcoxon_warning(8)
    assert eight is not None and "low power" in eight


def power_law(exponents: dict[str, float], scale: dict[str, float], trials: int = 2) -> list[CellRun]:
    """Replies = scale · n^b · e^(±0.3) per pack (a grid point): the noise is symmetric in log and balanced, so
    both estimators recover b exactly."""
    rows = []
    for pack, b in exponents.items():
        for n in range(1, 6):
            for t in range(trials):
                noise = math.exp(0.3 if t % 2 else -0.3)
                rows.append(row(n, "decentralized", t, pack=pack, paper={"messages": scale[pack] * n**b * noise}))
    return rows


def test_both_estimators_recover_a_known_exponent() -> None:
    rows = power_law({"a": 1.5, "b": 1.5, "c": 1.5}, {"a": 2.0, "b": 5.0, "c": 9.0})
    (fit,) = per_run_fits(rows, "replies")
    (means,) = means_fits(rows, "replies")
    assert fit.exponent == pytest.approx(1.5) and means.exponent == pytest.approx(1.5)
    # every resample of grid points has means ∝ n^1.5: the bootstrap CI collapses onto the exponent
    assert (means.lo, means.hi) == pytest.approx((1.5, 1.5)) and means.se == pytest.approx(0.0, abs=1e-12)
    assert (means.clusters, means.runs, means.sizes) == (3, 30, (1, 2, 3, 4, 5))


def test_the_estimators_differ_where_they_should_and_the_ci_spans_the_grid_points() -> None:
    rows = power_law({"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 1.0, "b": 1.0, "c": 1.0})
    (fit,) = per_run_fits(rows, "replies")
    (means,) = means_fits(rows, "replies")
    assert fit.exponent == pytest.approx(2.0)  # per run: the mean of the log slopes
    assert means.exponent > 2.0  # the mean is dominated by the steepest grid point
    assert 1.0 <= means.lo < means.exponent < means.hi <= 3.0  # a mean of power laws grows between them
    zeros = [*rows, row(1, "decentralized", 9, pack="a", paper={"messages": 0.0})]
    assert per_run_fits(zeros, "replies")[0].points == len(rows)  # a zero has no logarithm: left out
    assert means_fits(zeros, "replies")[0].runs == len(rows) + 1  # but it counts in the mean
    assert means_fits(zeros, "replies")[0].means[1] < means.means[1]


def test_failed_runs_count_in_both_estimators() -> None:
    rows = power_law({"a": 1.0}, {"a": 1.0})
    failed = [row(5, "decentralized", 7, pack="a", success=False, paper={"messages": 50.0})]
    assert means_fits(rows + failed, "replies")[0].runs == len(rows) + 1
    assert per_run_fits(rows + failed, "replies")[0].points == len(rows) + 1
