"""Trim a polynomial."""

from __future__ import annotations

def poly_trim(p: list[float]) -> list[float]:
    out = list(p)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out or [0]
