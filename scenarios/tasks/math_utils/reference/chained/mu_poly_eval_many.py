"""Evaluate at many points (chained: built on mu_poly_eval.poly_eval)."""

from __future__ import annotations

from mu_poly_eval import poly_eval


def poly_eval_many(p: list[float], xs: list[float]) -> list[float]:
    return [poly_eval(p, x) for x in xs]
