"""Classify extrema (chained: built on mu_critical_points.critical_points)."""

from __future__ import annotations

from mu_critical_points import critical_points



def extrema(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, str]]:
    d2 = [i * (i - 1) * c for i, c in enumerate(p)][2:] or [0]
    out = []
    for x in critical_points(p, start, stop, step):
        curv: float = 0
        for c in reversed(d2):
            curv = curv * x + c
        if curv != 0:
            out.append((x, "min" if curv > 0 else "max"))
    return out
