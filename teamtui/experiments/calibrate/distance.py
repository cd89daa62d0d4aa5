"""Distances between the held-out runs' distributions and the sim's: per-round latency and replies per run.

Per-round latency is each round's slowest reply latency (what the round's barrier waited for). The simulated
runs are weighted so that each held-out sub-cell (architecture × n × pack × p) weighs as much as it does among
the held-out runs (a simulated run of a sub-cell with k held-out runs and M simulated ones weighs k / M, and
so does each of its rounds). Two distances: Kolmogorov–Smirnov's D (the largest gap between the two
cumulative distributions, weighted) and the Wasserstein-1 distance (`scipy.stats.wasserstein_distance`, in
the variable's units; also divided by the held-out mean, to compare across variables). No p-value is given:
rounds of one run are not independent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from teamtui.experiments.calibrate.simulate import RunRecord

Arr = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Distance:
    variable: str
    ks: float
    wasserstein: float
    relative: float
    """Wasserstein / the held-out mean."""
    observed: int
    simulated: int


def weighted_ks(a: Arr, b: Arr, wb: Arr) -> float:
    """sup |F_a − F_b| with b's values weighted by `wb` (a's equally)."""
    grid = np.sort(np.concatenate([a, b]))
    fa = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    order = np.argsort(b)
    cum = np.concatenate([[0.0], np.cumsum(wb[order])]) / wb.sum()
    fb = cum[np.searchsorted(b[order], grid, side="right")]
    return float(np.max(np.abs(fa - fb)))


def _distance(name: str, obs: Arr, sim: Arr, w: Arr) -> Distance | None:
    if not len(obs) or not len(sim) or w.sum() <= 0:
        return None
    wd = float(sps.wasserstein_distance(obs, sim, v_weights=w))
    mean = float(np.mean(obs))
    return Distance(name, weighted_ks(obs, sim, w), wd, wd / mean if mean else float("nan"), len(obs), len(sim))


def distances(held_out: Sequence[RunRecord], simulated: Sequence[RunRecord]) -> list[Distance]:
    """Both distances (held-out records need `slowest`, as `calls.RunCalls.round_slowest` gives)."""
    def sub(r: RunRecord) -> tuple[str, int, str, float]:
        return r.architecture, r.size, r.pack, r.p

    k, m = Counter(sub(r) for r in held_out), Counter(sub(r) for r in simulated)
    sims = [r for r in simulated if k[sub(r)]]
    weight = np.array([k[sub(r)] / m[sub(r)] for r in sims])
    out = [_distance("replies per run", np.array([r.replies for r in held_out]),
                     np.array([r.replies for r in sims]), weight),
           _distance("per-round latency (s)", np.array([x for r in held_out for x in r.slowest]),
                     np.array([x for r in sims for x in r.slowest]),
                     np.array([w for r, w in zip(sims, weight, strict=True) for _ in r.slowest]))]
    return [d for d in out if d is not None]
