"""Evaluate a polynomial (chained: built on mu_poly_shift.poly_shift)."""

from __future__ import annotations

from mu_poly_shift import poly_shift


def poly_eval(p: list[float], x: float) -> float:
    return poly_shift(p, x)[0] if p else 0
