"""Predictive intervals for held-out figures, from simulated runs, and whether the observed figure falls inside.

A held-out figure (say, mean replies of decentralized teams of 3 over the held-out runs) is a statistic of k
runs spread over sub-cells (pack × p) with counts k_c. Its 95 % predictive interval under the fitted sim is
the 2.5–97.5 % quantiles of the same statistic over `B` simulated replicates, each built per sub-cell in two
stages: resample the M simulated runs of that sub-cell with replacement (the simulation's own Monte Carlo
error), then draw k_c runs from that resample (the sampling error of a mean of k_c runs). So the interval is as
wide as a held-out figure of that many runs can vary, if the sim is right; the composition over packs and p is
the held-out runs' own. Per-run means, the success rate, concurrent writes over successful runs, the pooled
straggler gap (Σ gaps / Σ rounds of the drawn runs) and the paper-rule speedup are all computed per replicate.

Predicting a pack the fit never saw, the interval must also carry how much packs differ from each other (and
from the sim) beyond what the sim knows of them (their DAGs): with a `spread` (`calibrate.between`, estimated on
the training packs alone), each replicate is moved by a normal draw of that size on the figure's own scale
(log or logit, `between.scale`) before the quantiles are taken. Both intervals are kept: `sim_low`/`sim_high`,
the sim's alone, and `low`/`high`, with the spread between packs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from teamtui.experiments.calibrate.figures import Key
from teamtui.experiments.calibrate.scales import scale
from teamtui.experiments.calibrate.simulate import RunRecord
from teamtui.experiments.paper_table import TEAM_SIZES

B = 2000
Arr = npt.NDArray[np.float64]
Sub = tuple[str, int, str, float]


@dataclass(frozen=True)
class Interval:
    key: Key
    observed: float
    low: float
    high: float
    predicted: float
    """The median of the replicates."""
    sim_low: float = math.nan
    sim_high: float = math.nan
    """The interval of the sim alone, without the spread between packs (equal to low/high without one)."""

    @property
    def inside(self) -> bool:
        return self.low <= self.observed <= self.high

    @property
    def inside_sim(self) -> bool:
        return self.sim_low <= self.observed <= self.sim_high


class _Draws:
    """Two-stage resampled run indices per sub-cell (shared by every figure, so they agree with each other)."""

    def __init__(self, sims: dict[Sub, list[RunRecord]], counts: Counter[Sub], rng: np.random.Generator) -> None:
        self.sims, self.idx = sims, {}
        for sub, k in counts.items():
            m = len(sims.get(sub, []))
            if m:
                stage1 = rng.integers(m, size=(B, m))
                self.idx[sub] = np.take_along_axis(stage1, rng.integers(m, size=(B, k)), axis=1)

    def values(self, subs: Sequence[Sub], field: str) -> Arr:
        cols = [np.array([float(getattr(r, field)) for r in self.sims[s]])[self.idx[s]] for s in subs
                if s in self.idx]
        return np.concatenate(cols, axis=1) if cols else np.zeros((B, 0))

    def gaps(self, subs: Sequence[Sub]) -> tuple[Arr, Arr]:
        sums, counts = [], []
        for s in subs:
            if s in self.idx:
                sums.append(np.array([sum(r.gaps) for r in self.sims[s]])[self.idx[s]])
                counts.append(np.array([float(len(r.gaps)) for r in self.sims[s]])[self.idx[s]])
        if not sums:
            return np.zeros((B, 0)), np.zeros((B, 0))
        return np.concatenate(sums, axis=1), np.concatenate(counts, axis=1)


def _ratio(num: Arr, den: Arr) -> Arr:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)  # type: ignore[no-any-return]


def _replicates(key: Key, draws: _Draws, subs: dict[tuple[str, int], list[Sub]],
                p_subs: dict[tuple[str, float], list[Sub]]) -> Arr | None:
    fig, arch, x = key
    if fig == "speedup":
        return _speedup(draws, p_subs.get((arch, x), []))
    cell = subs.get((arch, int(x)), [])
    if fig == "straggler_gap_s":
        s, c = draws.gaps(cell)
        return _ratio(s.sum(axis=1), c.sum(axis=1)) if s.size else None
    if fig == "concurrent_writes":
        v, ok = draws.values(cell, "concurrent_writes"), draws.values(cell, "success")
        return _ratio((v * ok).sum(axis=1), ok.sum(axis=1)) if v.size else None
    if fig == "idle_share":
        v = draws.values(cell, "idle_rounds")
        return (v > 0).mean(axis=1) if v.size else None  # type: ignore[no-any-return]
    name = {"success": "success", "replies": "replies", "idle_rounds": "idle_rounds"}[fig]
    v = draws.values(cell, name)
    return v.mean(axis=1) if v.size else None


def _speedup(draws: _Draws, subs: Sequence[Sub]) -> Arr | None:
    """Per replicate: the mean over n = 2–5 of the mean over packs of mean(T1) / mean(Tn), successful runs."""
    per_n: dict[int, list[Arr]] = defaultdict(list)
    for s in subs:
        arch, n, pack, p = s
        base = (arch, 1, pack, p)
        if n not in TEAM_SIZES or base not in draws.idx or s not in draws.idx:
            continue
        t1, ok1 = draws.values([base], "makespan"), draws.values([base], "success")
        tn, okn = draws.values([s], "makespan"), draws.values([s], "success")
        per_n[n].append(_ratio((t1 * ok1).sum(1), ok1.sum(1)) / _ratio((tn * okn).sum(1), okn.sum(1)))
    if not per_n:
        return None
    return np.mean([np.mean(v, axis=0) for _, v in sorted(per_n.items())], axis=0)  # type: ignore[no-any-return]


def replicates(keys: Sequence[Key], held_out: Sequence[RunRecord], simulated: Sequence[RunRecord],
               seed: int = 7) -> dict[Key, Arr]:
    """The finite replicates of every figure in `keys` that the simulated runs of the held-out sub-cells give."""
    sims: dict[Sub, list[RunRecord]] = defaultdict(list)
    for r in simulated:
        sims[(r.architecture, r.size, r.pack, r.p)].append(r)
    counts = Counter((r.architecture, r.size, r.pack, r.p) for r in held_out)
    subs: dict[tuple[str, int], list[Sub]] = defaultdict(list)
    p_subs: dict[tuple[str, float], list[Sub]] = defaultdict(list)
    for s in sorted(counts):
        subs[(s[0], s[1])].append(s)
        p_subs[(s[0], s[3])].append(s)
    draws = _Draws(sims, counts, np.random.default_rng(seed))
    out = {}
    for key in sorted(keys):
        reps = _replicates(key, draws, subs, p_subs)
        if reps is not None and len(finite := reps[np.isfinite(reps)]):
            out[key] = finite
    return out


def intervals(observed: dict[Key, float], held_out: Sequence[RunRecord], simulated: Sequence[RunRecord],
              seed: int = 7, spread: Mapping[tuple[str, str], float] | None = None) -> list[Interval]:
    """The predictive interval of every observed held-out figure, widened by `spread` (per figure and
    architecture, on the figure's scale) where one is given (see the module docstring)."""
    reps = replicates([k for k, v in observed.items() if math.isfinite(v)], held_out, simulated, seed)
    rng = np.random.default_rng(seed + 1)
    out = []
    for key, finite in reps.items():
        lo, mid, hi = (float(x) for x in np.quantile(finite, [0.025, 0.5, 0.975]))
        tau = (spread or {}).get((key[0], key[1]), 0.0)
        if tau > 0:
            to, back = scale(key[0], _runs(key, held_out))
            wide = back(to(finite) + rng.normal(0.0, tau, size=finite.shape))
            wlo, whi = (float(x) for x in np.quantile(wide, [0.025, 0.975]))
            out.append(Interval(key, observed[key], min(wlo, lo), max(whi, hi), mid, lo, hi))
        else:
            out.append(Interval(key, observed[key], lo, hi, mid, lo, hi))
    return out


def _runs(key: Key, held_out: Sequence[RunRecord]) -> int:
    """How many held-out runs a per-size figure is a mean over (its share's k; the speedup is not a share)."""
    fig, arch, x = key
    return sum(1 for r in held_out if r.architecture == arch and (fig == "speedup" or r.size == int(x)))


def widening(ivs: Sequence[Interval]) -> float | None:
    """The median of how many times wider each interval is than the sim's own (None: none has a width)."""
    ratios = [(i.high - i.low) / (i.sim_high - i.sim_low) for i in ivs if i.sim_high > i.sim_low]
    return float(np.median(ratios)) if ratios else None


def coverage(ivs: Sequence[Interval], sim_only: bool = False) -> tuple[int, int]:
    """How many intervals hold their observed figure, of how many (`sim_only`: the sim's own intervals)."""
    return sum(1 for i in ivs if (i.inside_sim if sim_only else i.inside)), len(ivs)
