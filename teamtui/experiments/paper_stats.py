"""Small rank statistics without scipy: means with SEM, Wilcoxon signed-rank, Kruskal–Wallis.

They follow scipy's defaults (`scipy.stats.wilcoxon`: zero differences dropped, exact distribution up to
50 pairs without ties, else the normal approximation with the tie correction and no continuity
correction; `scipy.stats.kruskal`: H with the tie correction, p from the chi-square distribution).
"""

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


def ranks(xs: Sequence[float]) -> tuple[list[float], list[int]]:
    """Average ranks (1-based) and the sizes of the tie groups."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        ties.append(j - i + 1)
        i = j + 1
    return out, ties


@dataclass(frozen=True)
class Test:
    statistic: float
    p: float
    n: int


def wilcoxon(x: Sequence[float], y: Sequence[float]) -> Test:
    """Two-sided Wilcoxon signed-rank test of x against y (paired)."""
    d = [a - b for a, b in zip(x, y, strict=True) if a != b]
    n = len(d)
    if n == 0:
        return Test(0.0, 1.0, 0)
    r, ties = ranks([abs(v) for v in d])
    plus = math.fsum(rk for rk, v in zip(r, d, strict=True) if v > 0)
    t = min(plus, n * (n + 1) / 2 - plus)
    if n <= 50 and all(g == 1 for g in ties):
        counts = [1] + [0] * (n * (n + 1) // 2)  # counts[s]: subsets of 1..n summing to s
        for k in range(1, n + 1):
            for s in range(len(counts) - 1, k - 1, -1):
                counts[s] += counts[s - k]
        below = sum(counts[: int(t) + 1])
        return Test(t, min(1.0, 2 * below / 2**n), n)
    mu = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(g**3 - g for g in ties) / 48
    z = (t - mu) / math.sqrt(var)
    return Test(t, math.erfc(abs(z) / math.sqrt(2)), n)


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for a chi-square variable with df degrees of freedom."""
    if x <= 0:
        return 1.0
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= (x / 2) / i
            total += term
        return math.exp(-x / 2) * total
    total, term = 0.0, math.sqrt(x) * math.sqrt(2 / math.pi) * math.exp(-x / 2)
    for i in range(1, (df - 1) // 2 + 1):
        total += term
        term *= x / (2 * i + 1)
    return math.erfc(math.sqrt(x / 2)) + total


def kruskal(*groups: Sequence[float]) -> Test:
    """Kruskal–Wallis H test across groups (empty groups are left out)."""
    groups = tuple(g for g in groups if len(g))
    pooled = [v for g in groups for v in g]
    big_n = len(pooled)
    if len(groups) < 2:
        return Test(0.0, 1.0, big_n)
    r, ties = ranks(pooled)
    h, start = 0.0, 0
    for g in groups:
        h += math.fsum(r[start:start + len(g)]) ** 2 / len(g)
        start += len(g)
    h = 12 / (big_n * (big_n + 1)) * h - 3 * (big_n + 1)
    h /= 1 - sum(g**3 - g for g in ties) / (big_n**3 - big_n)
    return Test(h, chi2_sf(h, len(groups) - 1), big_n)
