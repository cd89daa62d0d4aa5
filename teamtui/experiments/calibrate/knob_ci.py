"""Approximate 95 % intervals of the fitted behavioural knobs, from a quadratic surface fitted to the loss.

The loss is a sum of squared standardised differences, so near its minimum it is roughly L̂ + ½ dᵀHd in the knobs'
search space u, and the fitted knobs' covariance is about 2·H⁻¹ (for L = Σ zᵢ², H/2 is the Fisher information). H
is estimated by weighted least squares of a full quadratic in d = u − û over the evaluations near the fitted point
û: those the search made (from the cache) within `RADIUS`, and a design added here, ±`STEP` and ±`FAR` along every
knob and twice as many points at distance `FAR` in random directions (fixed seed), all in one batch. The far points
matter: with fixed seeds the loss is piecewise constant with steps of a few units, so curvature seen only within
`STEP` is mostly that noise (a knob would then look flat, or sharper than it is). Weights fall off with distance
(Gaussian, scale `RADIUS` / 2), a little ridge keeps the fit stable, and H is made positive semi-definite by
clipping its eigenvalues. A knob's interval is ûᵢ ± 1.96 √(2 (H⁻¹)ᵢᵢ), clipped to its range and mapped back: on a
quadratic surface this is the profile interval Δloss ≤ 3.84 with the other knobs re-fitted, so knobs that trade off
against each other widen each other's intervals. The fit averages over the loss's small-scale steps (fixed seeds
make it piecewise constant), which a minimum found on them would otherwise make look sharper than it is.

With many knobs the full surface often has a direction it cannot see curving up (the loss is flat or noisy along
it), and every knob that leans on that direction then has no profile interval. Such a knob gets, instead, the
*conditional* interval from the curvature along its own axis alone (a quadratic through the fitted point and
its four axis points, the other knobs held at their fitted values): narrower than a profile interval where knobs
trade off, and labelled as such (`KINDS`). A knob whose own axis does not curve up either gets its whole range
("unbounded").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from teamtui.experiments.calibrate.knobs import Knob
from teamtui.experiments.calibrate.search import Objective

STEP = 0.1
FAR = 0.3
RADIUS = 0.5
Z95 = 1.959963984540054
Arr = npt.NDArray[np.float64]
KINDS = ("profile", "conditional", "unbounded")
"""How each knob's interval was found (see the module docstring)."""


def design(knobs: Sequence[Knob], best: Mapping[str, float], seed: int = 3) -> list[dict[str, float]]:
    """The extra points: ±STEP and ±FAR along each knob and 2·len(knobs) random directions at FAR (in u)."""
    u0 = np.array([k.to_u(best[k.name]) for k in knobs])
    dirs = [r * s * np.eye(len(knobs))[i] for i in range(len(knobs)) for r in (STEP, FAR) for s in (1.0, -1.0)]
    rng = np.random.default_rng(seed)
    for _ in range(2 * len(knobs)):
        d = rng.normal(size=len(knobs))
        dirs.append(FAR * d / np.linalg.norm(d))
    out = []
    for d in dirs:
        u = u0 + d
        out.append({k.name: k.from_u(float(min(k.u_span, max(0.0, x)))) for k, x in zip(knobs, u, strict=True)})
    return out


def _features(d: Arr) -> Arr:
    """Columns 1, dᵢ, and ½dᵢ² / dᵢdⱼ (i < j), so the coefficients are c, g and H's entries."""
    p = d.shape[1]
    cols = [np.ones(len(d)), *(d[:, i] for i in range(p))]
    cols += [0.5 * d[:, i] ** 2 for i in range(p)]
    cols += [d[:, i] * d[:, j] for i, j in itertools.combinations(range(p), 2)]
    return np.column_stack(cols)


def hessian(points: Arr, losses: Arr, centre: Arr) -> Arr:
    """H of the weighted least-squares quadratic through `points` (rows in u) around `centre`."""
    d = points - centre
    w = np.exp(-0.5 * (np.linalg.norm(d, axis=1) / (RADIUS / 2)) ** 2)
    x = _features(d)
    sw = np.sqrt(w)
    xw = x * sw[:, None]
    xtx = xw.T @ xw
    coef = np.linalg.solve(xtx + 1e-6 * np.trace(xtx) / len(xtx) * np.eye(len(xtx)), xw.T @ (losses * sw))
    p = points.shape[1]
    h = np.zeros((p, p))
    h[np.diag_indices(p)] = coef[1 + p: 1 + 2 * p]
    for k, (i, j) in enumerate(itertools.combinations(range(p), 2)):
        h[i, j] = h[j, i] = coef[1 + 2 * p + k]
    return h


def _interval(k: Knob, u0: float, var: float) -> tuple[float, float]:
    half = Z95 * math.sqrt(var) if math.isfinite(var) and var >= 0 else math.inf
    lo, hi = max(0.0, u0 - half), min(k.u_span, u0 + half)
    return k.from_u(lo), k.from_u(hi)


def intervals_from(knobs: Sequence[Knob], best: Mapping[str, float], h: Arr) -> dict[str, tuple[float, float]]:
    """Profile intervals from H (a knob leaning on a direction H does not see curve up gets its whole range)."""
    vals, vecs = np.linalg.eigh(h)
    floor = 1e-9 * max(1.0, float(np.max(np.abs(vals))))
    inv_vals = np.where(vals > floor, 1.0 / np.maximum(vals, floor), math.inf)
    out = {}
    for i, k in enumerate(knobs):
        var = 2.0 * float(np.sum(vecs[i] ** 2 * inv_vals, where=vecs[i] ** 2 > 1e-12, initial=0.0))
        out[k.name] = _interval(k, k.to_u(best[k.name]), var)
    return out


def axis_curvature(offsets: Sequence[float], losses: Sequence[float]) -> float:
    """h of the least-squares quadratic c + g·d + ½h·d² through (offset, loss) points along one knob's axis."""
    d = np.asarray(offsets, dtype=float)
    x = np.column_stack([np.ones(len(d)), d, 0.5 * d ** 2])
    coef = np.linalg.lstsq(x, np.asarray(losses, dtype=float), rcond=None)[0]
    return float(coef[2])


def _unbounded(k: Knob, ci: tuple[float, float]) -> bool:
    return ci[0] <= k.low and ci[1] >= min(k.high, k.from_u(k.u_span))


Evaluated = Iterable[tuple[Mapping[str, float], float]]


def knob_intervals(objective: Objective, knobs: Sequence[Knob], best: Mapping[str, float], evaluated: Evaluated,
                   best_loss: float) -> tuple[dict[str, tuple[float, float]], dict[str, str], int]:
    """Each knob's interval and how it was found (see the module docstring), and the evaluations the design took;
    `evaluated` are the search's (knob values, loss) pairs, `best_loss` the loss at `best`."""
    if not knobs:
        return {}, {}, 0
    extra = design(knobs, best)
    losses = objective(extra)
    centre = np.array([k.to_u(best[k.name]) for k in knobs])
    pts, ls = [], []
    for x, f in [*evaluated, *zip(extra, losses, strict=True)]:
        if all(k.name in x for k in knobs) and math.isfinite(f):
            u = np.array([k.to_u(x[k.name]) for k in knobs])
            if np.linalg.norm(u - centre) <= RADIUS:
                pts.append(u)
                ls.append(f)
    h = hessian(np.array(pts), np.array(ls), centre)
    out, kinds = intervals_from(knobs, best, h), {}
    for i, k in enumerate(knobs):
        kinds[k.name] = "profile"
        if not _unbounded(k, out[k.name]):
            continue
        c = float(centre[i])
        axis = [(0.0, best_loss)]  # the design's first 4·len(knobs) points: ±STEP, ±FAR along each axis in turn
        for j, (r, sgn) in enumerate((r, sgn) for r in (STEP, FAR) for sgn in (1.0, -1.0)):
            at = min(k.u_span, max(0.0, c + sgn * r))
            if at != c and math.isfinite(losses[4 * i + j]):
                axis.append((at - c, float(losses[4 * i + j])))
        curv = axis_curvature(*zip(*axis, strict=True)) if len(axis) >= 3 else 0.0
        if curv > 1e-9 * max(1.0, abs(best_loss)):
            out[k.name] = _interval(k, c, 2.0 / curv)
        kinds[k.name] = "unbounded" if _unbounded(k, out[k.name]) else "conditional"
    return out, kinds, len(extra)
