"""Critical points (chained: built on mu_find_roots.find_roots)."""

from __future__ import annotations

from mu_find_roots import find_roots


def critical_points(p: list[float], start: float, stop: float, step: float, tol: float = 1e-9) -> list[float]:
    derivative = [i * c for i, c in enumerate(p)][1:] or [0]
    return find_roots(derivative, start, stop, step, tol)
