"""Small statistics for the paper's figures: means with SEM, and scipy's Wilcoxon signed-rank and Kruskal–Wallis."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def sem(xs: Sequence[float]) -> float:
    """Standard error of the mean (sample standard deviation / sqrt(n)); 0 for fewer than two values."""
    return math.sqrt(statistics.variance(xs) / len(xs)) if len(xs) > 1 else 0.0


def var1(xs: Sequence[float]) -> float:
    """Sample variance (ddof = 1); 0 for fewer than two values."""
    return statistics.variance(xs) if len(xs) > 1 else 0.0


@dataclass(frozen=True)
class Test:
    statistic: float
    p: float
    n: int


def wilcoxon(x: Sequence[float], y: Sequence[float]) -> Test:
    """Two-sided Wilcoxon signed-rank test of x against y (paired), scipy's defaults (zero differences dropped)."""
    from scipy import stats

    d = [a - b for a, b in zip(x, y, strict=True) if a != b]
    if not d:
        return Test(0.0, 1.0, 0)
    res = stats.wilcoxon(d)
    return Test(float(res.statistic), float(res.pvalue), len(d))


def kruskal(*groups: Sequence[float]) -> Test:
    """Kruskal–Wallis H test across groups (empty groups are left out), as `scipy.stats.kruskal`."""
    from scipy import stats

    groups = tuple(g for g in groups if len(g))
    n = sum(len(g) for g in groups)
    if len(groups) < 2 or len({v for g in groups for v in g}) < 2:
        return Test(0.0, 1.0, n)
    res = stats.kruskal(*groups)
    return Test(float(res.statistic), float(res.pvalue), n)
