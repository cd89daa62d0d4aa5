"""Multiply polynomials."""

from __future__ import annotations

def poly_mul(p: list[float], q: list[float]) -> list[float]:
    if not p or not q:
        return [0]
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out
