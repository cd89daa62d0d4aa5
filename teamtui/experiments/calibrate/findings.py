"""The paper's qualitative findings as signed differences of cell figures, to compare the sim's signs with the data's.

Decentralized against pre-assigned teams: the mean over p of the speedup difference, and the mean over team
sizes (present in both) of the differences in replies, idle rounds, the straggler gap (n ≥ 2) and concurrent
writes; and, per architecture, the least-squares slope of replies and of idle rounds against n. A finding
agrees when the sim's value has the sign of the held-out data's (a difference of exactly 0 has sign 0).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from teamtui.experiments.calibrate.figures import Key, Stat

DEC, PRE = "decentralized", "preassigned"


@dataclass(frozen=True)
class Finding:
    name: str
    observed: float
    simulated: float

    @property
    def agrees(self) -> bool:
        return _sign(self.observed) == _sign(self.simulated)


def _sign(x: float) -> int:
    return 0 if x == 0 else 1 if x > 0 else -1


def _difference(fig: str) -> Callable[[Mapping[Key, Stat]], float]:
    def f(stats: Mapping[Key, Stat]) -> float:
        xs = sorted({k[2] for k in stats if k[0] == fig})
        diffs = [stats[(fig, DEC, x)].mean - stats[(fig, PRE, x)].mean for x in xs
                 if (fig, DEC, x) in stats and (fig, PRE, x) in stats]
        return statistics.fmean(diffs) if diffs else math.nan
    return f


def _slope(fig: str, arch: str) -> Callable[[Mapping[Key, Stat]], float]:
    def f(stats: Mapping[Key, Stat]) -> float:
        pts = sorted((k[2], s.mean) for k, s in stats.items() if k[0] == fig and k[1] == arch)
        if len(pts) < 2:
            return math.nan
        return float(np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)[0])
    return f


FINDINGS: dict[str, Callable[[Mapping[Key, Stat]], float]] = {
    "speedup, decentralized − pre-assigned": _difference("speedup"),
    "replies, decentralized − pre-assigned": _difference("replies"),
    "idle rounds, decentralized − pre-assigned": _difference("idle_rounds"),
    "straggler gap, decentralized − pre-assigned": _difference("straggler_gap_s"),
    "concurrent writes, decentralized − pre-assigned": _difference("concurrent_writes"),
    "replies vs n, decentralized (slope)": _slope("replies", DEC),
    "replies vs n, pre-assigned (slope)": _slope("replies", PRE),
    "idle rounds vs n, decentralized (slope)": _slope("idle_rounds", DEC),
    "idle rounds vs n, pre-assigned (slope)": _slope("idle_rounds", PRE),
}


def findings(observed: Mapping[Key, Stat], simulated: Mapping[Key, Stat]) -> list[Finding]:
    """Each finding the held-out data can tell (a finite value on both sides)."""
    out = []
    for name, f in FINDINGS.items():
        o, s = f(observed), f(simulated)
        if math.isfinite(o) and math.isfinite(s):
            out.append(Finding(name, o, s))
    return out
