"""Shift a polynomial."""

from __future__ import annotations

from math import comb


def poly_shift(p: list[float], a: float) -> list[float]:
    n = len(p)
    out = [0.0 * a] * n if n else [0]
    out = [0] * max(n, 1)
    for i, c in enumerate(p):
        for k in range(i + 1):
            out[k] += c * comb(i, k) * a ** (i - k)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out
