"""Add polynomials (chained: built on mu_poly_trim.poly_trim)."""

from __future__ import annotations

from mu_poly_trim import poly_trim


def poly_add(p: list[float], q: list[float]) -> list[float]:
    n = max(len(p), len(q))
    return poly_trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])
