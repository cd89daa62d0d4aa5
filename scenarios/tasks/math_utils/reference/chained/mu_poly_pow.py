"""Raise a polynomial to a power (chained: built on mu_poly_mul.poly_mul)."""

from __future__ import annotations

from mu_poly_mul import poly_mul


def poly_pow(p: list[float], n: int) -> list[float]:
    if n < 0:
        raise ValueError("n must be non-negative")
    out: list[float] = [1]
    for _ in range(n):
        out = poly_mul(out, p)
    return out
