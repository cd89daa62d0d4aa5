"""The behavioural knobs a calibration fits by simulation, read from `SimConfig`, and the space it searches in.

The list is every numeric `[team.sim]` field except the directly estimated ones (`DIRECT`) and those only the
mechanism demonstrator reads (`DEMONSTRATOR`), so a knob added to `SimConfig` is fitted without a change here.
A knob bounded in [0, 1] is searched as u = asin(√x) (the variance-stabilising angle of a proportion: steps
near 0 and 1 are small in x, and 0 and 1 themselves are reachable); any other non-negative knob as u = √x,
clipped to √ of its upper bound. Both map 0 to 0, a value several knobs sensibly take.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotated_types import Ge, Gt, Le, Lt

from teamtui.scenario.simconfig import SimConfig

DIRECT = frozenset({"latency", "test_rate", "test_time_s", "bug_rate"})
"""Estimated from the calls (`teamtui.experiments.calibrate.direct`)."""
DEMONSTRATOR = frozenset({"think_time", "coord_factor", "chattiness", "tokens_per_work", "prefill_s_per_ktok",
                          "context_window"})
"""Read only by the mechanism demonstrator (verify = model or tests), or replaced by the latency model."""


@dataclass(frozen=True)
class Knob:
    name: str
    low: float
    high: float

    @property
    def proportion(self) -> bool:
        return self.low == 0.0 and self.high == 1.0

    def to_u(self, x: float) -> float:
        x = min(self.high, max(self.low, x))
        return math.asin(math.sqrt(x)) if self.proportion else math.sqrt(max(0.0, x))

    def from_u(self, u: float) -> float:
        if self.proportion:
            return math.sin(min(math.pi / 2, max(0.0, u))) ** 2
        return min(self.high, max(self.low, max(0.0, u) ** 2))

    @property
    def u_span(self) -> float:
        """The width of the search space in u."""
        return self.to_u(self.high) - self.to_u(self.low)


def _bounds(name: str) -> tuple[float, float]:
    low, high = 0.0, math.inf
    for m in SimConfig.model_fields[name].metadata:
        if isinstance(m, Ge | Gt):
            low = float(m.ge if isinstance(m, Ge) else m.gt)  # type: ignore[arg-type]
        elif isinstance(m, Le | Lt):
            high = float(m.le if isinstance(m, Le) else m.lt)  # type: ignore[arg-type]
    return low, high


def behavioural() -> list[Knob]:
    """Every behavioural knob of `SimConfig` (see the module docstring), in declaration order."""
    out = []
    for name, f in SimConfig.model_fields.items():
        if name in DIRECT or name in DEMONSTRATOR or f.annotation not in (float, "float"):
            continue
        low, high = _bounds(name)
        if low >= 0 and math.isfinite(high):
            out.append(Knob(name, low, high))
    return out


def chosen(names: Sequence[str] | None) -> list[Knob]:
    """The behavioural knobs named (all without names); an unknown name is an error naming the known ones."""
    every = behavioural()
    if not names:
        return every
    known = {k.name: k for k in every}
    bad = [n for n in names if n not in known]
    if bad:
        raise ValueError(f"not a behavioural knob: {', '.join(bad)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def defaults(knobs: Sequence[Knob]) -> dict[str, float]:
    """Each knob's `SimConfig` default."""
    base = SimConfig()
    return {k.name: float(getattr(base, k.name)) for k in knobs}


def rounded(values: Mapping[str, float], digits: int = 4) -> dict[str, float]:
    """Knob values as a profile writes them and the cache keys them."""
    return {k: round(float(v), digits) for k, v in values.items()}
