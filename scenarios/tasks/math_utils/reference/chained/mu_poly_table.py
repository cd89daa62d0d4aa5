"""Tabulate a polynomial (chained: built on mu_poly_eval_many.poly_eval_many)."""

from __future__ import annotations

from mu_poly_eval_many import poly_eval_many


def poly_table(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, float]]:
    if step <= 0:
        raise ValueError("step must be positive")
    xs = []
    i = 0
    while start + i * step <= stop + 1e-12:
        xs.append(start + i * step)
        i += 1
    return list(zip(xs, poly_eval_many(p, xs)))
