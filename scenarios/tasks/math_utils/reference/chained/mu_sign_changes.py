"""Find sign changes (chained: built on mu_poly_table.poly_table)."""

from __future__ import annotations

from mu_poly_table import poly_table


def sign_changes(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, float]]:
    pts = poly_table(p, start, stop, step)
    return [(a, b) for (a, fa), (b, fb) in zip(pts, pts[1:]) if fa * fb < 0]
