"""Add polynomials."""

from __future__ import annotations

def poly_add(p: list[float], q: list[float]) -> list[float]:
    n = max(len(p), len(q))
    out = [(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)]
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out or [0]
