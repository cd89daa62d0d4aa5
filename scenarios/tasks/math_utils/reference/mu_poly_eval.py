"""Evaluate a polynomial."""

from __future__ import annotations

def poly_eval(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total
