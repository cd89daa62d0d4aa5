"""The calibration loss: a robust sum of squared standardised differences between simulated and observed statistics.

For every statistic the runs have, z = (sim − observed) / √(SEM_obs² + SEM_sim² + floor²), the floor from
`figures.sem_floor`. Each term is z² up to |z| = `CAP` and grows linearly beyond (Huber's loss, 2·CAP·|z| −
CAP²): a statistic the mechanisms cannot reach still pulls towards itself, but cannot drown all others, as a
squared z of hundreds would. A statistic the simulation does not produce at all (no successful run for a
speedup) costs the term of |z| = `MISSING`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from teamtui.experiments.calibrate.figures import Key, Stat, label, sem_floor

CAP = 3.0
MISSING = 10.0


def huber(z: float) -> float:
    a = abs(z)
    return a * a if a <= CAP else 2 * CAP * a - CAP * CAP


@dataclass(frozen=True)
class Term:
    key: Key
    observed: float
    simulated: float | None
    z: float
    cost: float


def terms(observed: Mapping[Key, Stat], simulated: Mapping[Key, Stat]) -> list[Term]:
    out = []
    for key, o in sorted(observed.items()):
        s = simulated.get(key)
        if s is None or not math.isfinite(s.mean):
            out.append(Term(key, o.mean, None, MISSING, huber(MISSING)))
            continue
        scale = math.sqrt(o.sem ** 2 + s.sem ** 2 + sem_floor(key, o.mean) ** 2)
        z = (s.mean - o.mean) / scale
        out.append(Term(key, o.mean, s.mean, z, huber(z)))
    return out


def loss(observed: Mapping[Key, Stat], simulated: Mapping[Key, Stat]) -> float:
    return sum(t.cost for t in terms(observed, simulated))


def worst(observed: Mapping[Key, Stat], simulated: Mapping[Key, Stat], k: int = 5) -> list[str]:
    """The `k` terms that cost most, as text."""
    ts = sorted(terms(observed, simulated), key=lambda t: -t.cost)[:k]
    return [f"{label(t.key)}: sim {'none' if t.simulated is None else f'{t.simulated:.3g}'} vs {t.observed:.3g} "
            f"(z {t.z:+.1f})" for t in ts]
