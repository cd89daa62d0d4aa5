"""Maximum on an interval (chained: built on mu_extrema.extrema)."""

from __future__ import annotations

from mu_extrema import extrema



def poly_max_on(p: list[float], a: float, b: float, step: float = 0.01) -> float:
    if a > b:
        raise ValueError("a must not exceed b")

    def ev(x: float) -> float:
        total: float = 0
        for c in reversed(p):
            total = total * x + c
        return total

    best = max(ev(a), ev(b))
    for x, kind in extrema(p, a, b, step):
        if kind == "max":
            best = max(best, ev(x))
    return best
