"""The paper's statistical claims, tested on a sweep with scipy, each with its effect size and small-sample warning.

* observed speedup vs its Amdahl bound: Wilcoxon signed-rank over paired runs (`wilcoxon`);
* speedup across dependency variants (p): Kruskal–Wallis (`kruskal`);
* preassigned vs decentralized: Mann–Whitney U (`mannwhitneyu`) for speedup, replies, messages,
  conflicts, concurrent writes, idle rounds, idle fraction, the per-run straggler gap and tokens
  (fault-free runs of two or more agents) and for straggler recovery (fault cost and recovery time of
  fault runs, a run whose held work was never reclaimed ranking last).

Every test is two-sided, returns None when the sweep lacks the data for it, and carries the effect size and
warning of `teamtui.experiments.effects`. The speedups it reads are the rule's (`teamtui.experiments.speedup`);
growth exponents are in `teamtui.experiments.growth`.
"""

from __future__ import annotations

import statistics
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import stats as sps

from teamtui.experiments import effects
from teamtui.experiments.measures import succeeded, value
from teamtui.experiments.table import CellRun


def team_runs(rows: Sequence[CellRun]) -> list[CellRun]:
    """Successful fault-free runs of two or more agents: the runs speedup claims are about."""
    return [r for r in rows if succeeded(r) and r.params.fault == "none" and r.params.size >= 2]


def fault_runs(rows: Sequence[CellRun]) -> list[CellRun]:
    return [r for r in rows if r.status == "done" and r.metrics is not None and r.params.fault != "none"]


def _quiet(fn: Callable[[], Any]) -> Any:
    """Call a scipy test; small samples make some warn (e.g. about normal approximations) — the result
    stands, and a sample scipy cannot test (all values equal, ...) gives None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn()
        except ValueError:
            return None


@dataclass(frozen=True)
class Paired:
    """Wilcoxon signed-rank of observed speedup against its Amdahl bound."""

    statistic: float
    pvalue: float
    n: int
    below: int
    median_speedup: float
    median_bound: float
    effect_r: float | None = None
    """Matched-pairs rank-biserial r of speedup − bound (< 0: below the bound)."""
    warning: str | None = None


def wilcoxon_vs_amdahl(rows: Sequence[CellRun]) -> Paired | None:
    pairs = [(s, b) for r in team_runs(rows)
             if (s := value(r, "speedup")) is not None and (b := value(r, "amdahl_bound")) is not None]
    if len(pairs) < 2:
        return None
    xs, bs = [p[0] for p in pairs], [p[1] for p in pairs]
    res = _quiet(lambda: sps.wilcoxon(xs, bs))
    if res is None:
        return None
    nonzero = sum(1 for s, b in pairs if s != b)
    return Paired(float(res.statistic), float(res.pvalue), len(pairs), sum(1 for s, b in pairs if s < b),
                  statistics.median(xs), statistics.median(bs), effects.matched_pairs_r(xs, bs),
                  effects.wilcoxon_warning(nonzero))


@dataclass(frozen=True)
class Groups:
    """Kruskal–Wallis H across groups."""

    statistic: float
    pvalue: float
    groups: dict[str, int]
    medians: dict[str, float]
    epsilon2: float | None = None
    """ε² = H / (n − 1)."""
    warning: str | None = None


def kruskal_by_p(rows: Sequence[CellRun], metric: str = "speedup", architecture: str | None = None) -> Groups | None:
    """Kruskal–Wallis of a metric across dependency variants (p), over team runs (of one architecture if given)."""
    by_p: dict[str, list[float]] = defaultdict(list)
    for r in team_runs(rows):
        v = value(r, metric)
        if v is not None and (architecture is None or r.params.architecture == architecture):
            by_p[f"{r.params.p:g}"].append(v)
    if len(by_p) < 2:
        return None
    keys = sorted(by_p)
    res = _quiet(lambda: sps.kruskal(*(by_p[k] for k in keys)))
    if res is None:
        return None
    sizes = [len(by_p[k]) for k in keys]
    return Groups(float(res.statistic), float(res.pvalue), dict(zip(keys, sizes, strict=True)),
                  {k: statistics.median(by_p[k]) for k in keys}, effects.epsilon_squared(float(res.statistic),
                                                                                       sum(sizes)),
                  effects.kruskal_warning(sizes))


@dataclass(frozen=True)
class Compared:
    """Mann–Whitney U of one measure between two architectures."""

    measure: str
    a: str
    b: str
    statistic: float
    pvalue: float
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    effect_r: float | None = None
    """Rank-biserial r = P(a > b) − P(a < b)."""
    warning: str | None = None


COMPARED = (("speedup", "team"), ("replies", "team"), ("messages", "team"), ("conflicts", "team"),
            ("concurrent_writes", "team"), ("idle_rounds", "team"), ("idle_fraction", "team"),
            ("straggler_gap", "team"), ("tokens", "team"), ("fault_cost", "fault"),
            ("recovery_censored", "fault"))
"""Measures compared between architectures, and which runs they are compared over."""


def _mwu(xa: list[float], xb: list[float]) -> Callable[[], Any]:
    return lambda: sps.mannwhitneyu(xa, xb, alternative="two-sided")


def not_measured(rows: Sequence[CellRun], a: str = "preassigned", b: str = "decentralized") -> list[str]:
    """Measures `mann_whitney` leaves out because the runs it would compare do not measure them."""
    out = []
    for measure, kind in COMPARED:
        pool = [r for r in (team_runs(rows) if kind == "team" else fault_runs(rows)) if r.params.architecture in (a, b)]
        if kind == "team" and pool and all(value(r, measure) is None for r in pool):
            out.append(measure)
    return out


def mann_whitney(rows: Sequence[CellRun], a: str = "preassigned", b: str = "decentralized") -> list[Compared]:
    out = []
    for measure, kind in COMPARED:
        pool = team_runs(rows) if kind == "team" else fault_runs(rows)
        xa = [v for r in pool if r.params.architecture == a and (v := value(r, measure)) is not None]
        xb = [v for r in pool if r.params.architecture == b and (v := value(r, measure)) is not None]
        if not xa or not xb:
            continue
        res = _quiet(_mwu(xa, xb))
        if res is None:
            continue
        out.append(Compared(measure, a, b, float(res.statistic), float(res.pvalue), len(xa), len(xb),
                            statistics.median(xa), statistics.median(xb),
                            effects.rank_biserial(float(res.statistic), len(xa), len(xb)),
                            effects.mann_whitney_warning(len(xa), len(xb))))
    return out
