"""Effect sizes for the rank tests, and a warning when a sample is too small for the test to say anything.

* Kruskal–Wallis: ε² = H / (n − 1) (Tomczak & Tomczak 2014: H / ((n² − 1) / (n + 1))), n the observations;
  0 = no separation of the groups' ranks, 1 = complete.
* Mann–Whitney U: the rank-biserial correlation r = 2 U_a / (n_a n_b) − 1 = P(a > b) − P(a < b), with U_a
  scipy's statistic for the first sample; r > 0: a's values tend to be the larger.
* Wilcoxon signed-rank (x against y, paired): the matched-pairs rank-biserial correlation
  r = (R⁺ − R⁻) / (R⁺ + R⁻), R± the rank sums of the positive and negative differences x − y (zero
  differences dropped and ties given average ranks, as scipy's default); r > 0: x tends to be above y.

A warning says why a test on a small sample cannot be trusted: the smallest two-sided p-value its exact
null distribution can give (2 / 2ⁿ for n pairs; 2 / C(n_a + n_b, n_a) for Mann–Whitney) when it is not
below α, fewer than `MIN_PAIRS` pairs or `MIN_GROUP` values per group (low power; for Kruskal–Wallis the χ²
approximation of H is then unreliable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats as sps

ALPHA = 0.05
MIN_PAIRS = 10
MIN_GROUP = 5


def epsilon_squared(h: float, n: int) -> float | None:
    return h / (n - 1) if n > 1 else None


def rank_biserial(u_a: float, n_a: int, n_b: int) -> float | None:
    return 2.0 * u_a / (n_a * n_b) - 1.0 if n_a and n_b else None


def matched_pairs_r(x: Sequence[float], y: Sequence[float]) -> float | None:
    d = [a - b for a, b in zip(x, y, strict=True) if a != b]
    if not d:
        return None
    ranks = sps.rankdata([abs(v) for v in d])
    plus = float(sum(r for r, v in zip(ranks, d, strict=True) if v > 0))
    minus = float(sum(r for r, v in zip(ranks, d, strict=True) if v < 0))
    return (plus - minus) / (plus + minus)


def wilcoxon_warning(pairs: int) -> str | None:
    """Why `pairs` non-zero differences are too few, or None."""
    floor = 2.0 / 2**pairs if pairs < 64 else 0.0
    if floor >= ALPHA:
        return f"too small for the test: with {pairs} pairs the smallest possible p is {floor:.3g}"
    if pairs < MIN_PAIRS:
        return f"small sample ({pairs} pairs, fewer than {MIN_PAIRS}): low power"
    return None


def mann_whitney_warning(n_a: int, n_b: int) -> str | None:
    floor = 2.0 / math.comb(n_a + n_b, n_a) if n_a + n_b < 1000 else 0.0
    if floor >= ALPHA:
        return f"too small for the test: with {n_a} and {n_b} runs the smallest possible p is {floor:.3g}"
    if min(n_a, n_b) < MIN_GROUP:
        return f"small sample ({n_a} vs {n_b} runs, fewer than {MIN_GROUP} in a group): low power"
    return None


def kruskal_warning(sizes: Sequence[int]) -> str | None:
    small = [k for k in sizes if k < MIN_GROUP]
    if small:
        return (f"small groups ({', '.join(map(str, sizes))} values; fewer than {MIN_GROUP} in "
                f"{len(small)} of them): the χ² approximation of H is unreliable")
    return None
