"""How much packs differ beyond what the fitted sim knows of them, estimated on the training packs alone.

A held-out pack is a new draw from the population of packs: its figures differ from the sim fitted on the
other packs by a pack effect (and by whatever the sim gets wrong for every pack), not only by the sampling
error of its few runs. For each training pack q and figure k, the residual r = h(observed) − mean h(replicates)
on the figure's scale h (`scales`), with the sampling variance s² = var h(replicates) of a figure of that many
runs (`predict.replicates`). Per figure and architecture, the spread τ² = Q/(Q−1) · mean(r² − s²), floored at
0: the residuals' excess over sampling noise, scaled up because the fit saw these Q packs and sits among them
(for Q packs that all differ by τ, the in-sample residual has variance τ²(Q−1)/Q). It needs Q ≥ 2.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from teamtui.experiments.calibrate.figures import figures
from teamtui.experiments.calibrate.predict import replicates
from teamtui.experiments.calibrate.scales import scale
from teamtui.experiments.calibrate.simulate import RunRecord

Spread = dict[tuple[str, str], float]
"""τ per (figure, architecture), on the figure's scale."""


def residuals(records: Sequence[RunRecord], sims: Sequence[RunRecord],
              seed: int = 11) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Per (figure, architecture): (r, s²) of every figure of each pack in `records` (see the docstring)."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for pack in sorted({r.pack for r in records}):
        mine = [r for r in records if r.pack == pack]
        stats = {k: s for k, s in figures(mine).items() if math.isfinite(s.mean)}
        reps = replicates(list(stats), mine, [r for r in sims if r.pack == pack], seed)
        for key, values in reps.items():
            to, _ = scale(key[0], stats[key].runs)
            h = to(values)
            r = float(to(np.array([stats[key].mean]))[0] - h.mean())
            out[(key[0], key[1])].append((r, float(h.var(ddof=1)) if len(h) > 1 else 0.0))
    return out


def pack_spread(records: Sequence[RunRecord], sims: Sequence[RunRecord]) -> Spread | None:
    """τ per figure and architecture from the training packs' runs and their simulated twins; None with fewer
    than two packs (nothing to estimate a spread between)."""
    packs = len({r.pack for r in records})
    if packs < 2:
        return None
    out: Spread = {}
    for group, pairs in sorted(residuals(records, sims).items()):
        excess = sum(r * r - s2 for r, s2 in pairs) / len(pairs)
        out[group] = math.sqrt(max(0.0, excess * packs / (packs - 1)))
    return out
