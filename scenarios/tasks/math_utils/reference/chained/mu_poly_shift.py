"""Shift a polynomial (chained: built on mu_poly_compose.poly_compose)."""

from __future__ import annotations

from mu_poly_compose import poly_compose


def poly_shift(p: list[float], a: float) -> list[float]:
    return poly_compose(p, [a, 1])
