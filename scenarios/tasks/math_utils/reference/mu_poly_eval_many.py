"""Evaluate at many points."""

from __future__ import annotations

def poly_eval_many(p: list[float], xs: list[float]) -> list[float]:
    out = []
    for x in xs:
        total: float = 0
        for c in reversed(p):
            total = total * x + c
        out.append(total)
    return out
