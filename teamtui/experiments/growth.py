"""Growth exponents of a per-run count with team size (value ∝ n^b), by two estimators that answer different questions.

* **per-run fit**: least squares of log(value) on log(n) over the runs (`scipy.stats.linregress`); runs with
  a value of 0 have no logarithm and are left out, so it describes the typical (geometric-mean) run;
* **ratio of means**: least squares of log(mean value at n) on log(n), the means over every run (zeros
  included), so it describes the total; its 95 % CI and SE come from a cluster bootstrap that resamples
  grid points (pack × p × execution × model: every size of one point stays together, since they share a
  task and a baseline), 2,000 resamples with a fixed seed, percentile interval.

Both read the same runs: every finished fault-free run, failed ones included (as the paper's message figure
and the replies of the paper table do; a run that hits the round limit still sent what it sent). A log-log
exponent near 2 means O(n²), near 1 linear.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from teamtui.experiments.measures import value
from teamtui.experiments.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from teamtui.experiments.table import CellRun


@dataclass(frozen=True)
class Fit:
    """The per-run log-log fit."""

    architecture: str
    metric: str
    exponent: float
    intercept: float
    r2: float
    stderr: float
    points: int
    sizes: tuple[int, ...]


@dataclass(frozen=True)
class MeansFit:
    """The ratio-of-means exponent with its cluster-bootstrap CI and SE."""

    architecture: str
    metric: str
    exponent: float
    lo: float
    hi: float
    se: float
    clusters: int
    runs: int
    sizes: tuple[int, ...]
    means: dict[int, float]


def _slope(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Least-squares slopes of y on x per row, over the columns where `mask` is True (NaN with < 2 points)."""
    w = mask.astype(float)
    k = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(mask, y, 0.0)
        mx = (w * x).sum(axis=1) / k
        my = (w * y).sum(axis=1) / k
        dx = np.where(mask, x - mx[:, None], 0.0)
        slope = (dx * (y - my[:, None])).sum(axis=1) / (dx**2).sum(axis=1)
    return np.where(k >= 2, slope, np.nan)


def _pool(rows: Sequence[CellRun], metric: str) -> dict[str, list[tuple[tuple[object, ...], int, float]]]:
    by_arch: dict[str, list[tuple[tuple[object, ...], int, float]]] = defaultdict(list)
    for r in rows:
        v = value(r, metric)
        if r.status == "done" and r.params.fault == "none" and v is not None:
            c = r.params
            by_arch[c.architecture].append(((c.pack, c.p, c.execution, c.model), c.size, v))
    return by_arch


def per_run_fits(rows: Sequence[CellRun], metric: str = "messages") -> list[Fit]:
    """Per architecture with two or more sizes, the per-run log-log fit over runs with a positive value."""
    out = []
    for arch, pts in sorted(_pool(rows, metric).items()):
        pos = [(n, v) for _, n, v in pts if v > 0]
        sizes = tuple(sorted({n for n, _ in pos}))
        if len(sizes) < 2:
            continue
        res = sps.linregress([math.log(n) for n, _ in pos], [math.log(v) for _, v in pos])
        out.append(Fit(arch, metric, float(res.slope), float(res.intercept), float(res.rvalue) ** 2,
                       float(res.stderr), len(pos), sizes))
    return out


def means_fits(rows: Sequence[CellRun], metric: str = "messages") -> list[MeansFit]:
    """Per architecture, the ratio-of-means exponent over sizes whose mean is positive (two or more)."""
    out = []
    for arch, pts in sorted(_pool(rows, metric).items()):
        clusters = sorted({c for c, _, _ in pts}, key=repr)
        sizes = sorted({n for _, n, _ in pts})
        ci, si = {c: i for i, c in enumerate(clusters)}, {n: j for j, n in enumerate(sizes)}
        sums, counts = np.zeros((len(clusters), len(sizes))), np.zeros((len(clusters), len(sizes)))
        for c, n, v in pts:
            sums[ci[c], si[n]] += v
            counts[ci[c], si[n]] += 1
        tot_s, tot_c = sums.sum(axis=0), counts.sum(axis=0)
        means = np.divide(tot_s, tot_c, out=np.zeros_like(tot_s), where=tot_c > 0)
        keep = means > 0
        if keep.sum() < 2:
            continue
        x = np.log(np.asarray(sizes, dtype=float))
        point = float(_slope(x[None, :], np.log(np.where(keep, means, 1.0))[None, :], keep[None, :])[0])
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        picks = rng.integers(0, len(clusters), size=(BOOTSTRAP_RESAMPLES, len(clusters)))
        weights = np.stack([np.bincount(p, minlength=len(clusters)) for p in picks]).astype(float)
        bs, bc = weights @ sums, weights @ counts
        bm = np.divide(bs, bc, out=np.zeros_like(bs), where=bc > 0)
        slopes = _slope(np.broadcast_to(x, bm.shape), np.log(np.where(bm > 0, bm, 1.0)), bm > 0)
        slopes = slopes[np.isfinite(slopes)]
        lo, hi = (np.percentile(slopes, [2.5, 97.5]) if len(slopes) else (math.nan, math.nan))
        out.append(MeansFit(arch, metric, point, float(lo), float(hi), float(np.std(slopes, ddof=1))
                            if len(slopes) > 1 else 0.0, len(clusters), len(pts),
                            tuple(n for n, k in zip(sizes, keep, strict=True) if k),
                            {n: float(m) for n, m, k in zip(sizes, means, keep, strict=True) if k}))
    return out
