"""Multiply polynomials (chained: built on mu_poly_add.poly_add)."""

from __future__ import annotations

from mu_poly_add import poly_add


def poly_mul(p: list[float], q: list[float]) -> list[float]:
    total: list[float] = [0]
    for i, a in enumerate(p):
        total = poly_add(total, [0] * i + [a * b for b in q])
    return total
