"""Range on an interval (chained: built on mu_poly_max_on.poly_max_on)."""

from __future__ import annotations

from mu_poly_max_on import poly_max_on


def poly_range(p: list[float], a: float, b: float, step: float = 0.01) -> tuple[float, float]:
    return (-poly_max_on([-c for c in p], a, b, step), poly_max_on(p, a, b, step))
