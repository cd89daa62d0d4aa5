"""The paper's statistical claims, tested on a sweep with scipy: growth exponents and rank tests.

* growth exponent: least squares of log(messages) on log(team size) per architecture (`linregress`);
* observed speedup vs its Amdahl bound: Wilcoxon signed-rank over paired runs (`wilcoxon`);
* speedup across dependency variants (p): Kruskal–Wallis (`kruskal`);
* preassigned vs decentralized: Mann–Whitney U (`mannwhitneyu`) for speedup, messages, conflicts,
  idle fraction and tokens (fault-free runs of two or more agents) and for straggler recovery (fault cost
  and recovery time of fault runs, a run whose held work was never reclaimed ranking last).

Every test is two-sided, returns None when the sweep lacks the data for it, and reads the same rows as
`teamtui.experiments.stats`.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import stats as sps

from teamtui.experiments.stats import succeeded, value
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
class Fit:
    architecture: str
    metric: str
    exponent: float
    intercept: float
    r2: float
    stderr: float
    points: int
    sizes: tuple[int, ...]


def growth_exponents(rows: Sequence[CellRun], metric: str = "messages") -> list[Fit]:
    """Per architecture, the slope of log(metric) against log(team size) over fault-free successful runs with
    a positive value (a run with no messages has no logarithm), when there are two or more sizes."""
    by_arch: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for r in rows:
        v = value(r, metric)
        if succeeded(r) and r.params.fault == "none" and v is not None and v > 0:
            by_arch[r.params.architecture].append((r.params.size, v))
    out = []
    for arch in sorted(by_arch):
        pts = by_arch[arch]
        sizes = tuple(sorted({n for n, _ in pts}))
        if len(sizes) < 2:
            continue
        res = sps.linregress([math.log(n) for n, _ in pts], [math.log(v) for _, v in pts])
        out.append(Fit(arch, metric, float(res.slope), float(res.intercept), float(res.rvalue) ** 2,
                       float(res.stderr), len(pts), sizes))
    return out


@dataclass(frozen=True)
class Paired:
    """Wilcoxon signed-rank of observed speedup against its Amdahl bound."""

    statistic: float
    pvalue: float
    n: int
    below: int
    median_speedup: float
    median_bound: float


def wilcoxon_vs_amdahl(rows: Sequence[CellRun]) -> Paired | None:
    pairs = [(s, b) for r in team_runs(rows)
             if (s := value(r, "speedup")) is not None and (b := value(r, "amdahl_bound")) is not None]
    if len(pairs) < 2:
        return None
    xs, bs = [p[0] for p in pairs], [p[1] for p in pairs]
    res = _quiet(lambda: sps.wilcoxon(xs, bs))
    if res is None:
        return None
    return Paired(float(res.statistic), float(res.pvalue), len(pairs), sum(1 for s, b in pairs if s < b),
                  statistics.median(xs), statistics.median(bs))


@dataclass(frozen=True)
class Groups:
    """Kruskal–Wallis H across groups."""

    statistic: float
    pvalue: float
    groups: dict[str, int]
    medians: dict[str, float]


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
    return Groups(float(res.statistic), float(res.pvalue), {k: len(by_p[k]) for k in keys},
                  {k: statistics.median(by_p[k]) for k in keys})


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


COMPARED = (("speedup", "team"), ("replies", "team"), ("messages", "team"), ("conflicts", "team"),
            ("idle_fraction", "team"), ("tokens", "team"), ("fault_cost", "fault"),
            ("recovery_censored", "fault"))
"""Measures compared between architectures, and which runs they are compared over."""


def _mwu(xa: list[float], xb: list[float]) -> Callable[[], Any]:
    return lambda: sps.mannwhitneyu(xa, xb, alternative="two-sided")


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
                            statistics.median(xa), statistics.median(xb)))
    return out
