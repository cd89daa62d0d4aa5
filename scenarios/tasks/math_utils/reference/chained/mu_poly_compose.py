"""Compose polynomials (chained: built on mu_poly_pow.poly_pow)."""

from __future__ import annotations

from mu_poly_pow import poly_pow


def poly_compose(p: list[float], q: list[float]) -> list[float]:
    total: list[float] = [0]
    for i, a in enumerate(p):
        term = [a * c for c in poly_pow(q, i)]
        n = max(len(total), len(term))
        total = [(total[k] if k < len(total) else 0) + (term[k] if k < len(term) else 0) for k in range(n)]
    while len(total) > 1 and total[-1] == 0:
        total.pop()
    return total
