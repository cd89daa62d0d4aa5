"""Raise a polynomial to a power."""

from __future__ import annotations

def _mul(p: list[float], q: list[float]) -> list[float]:
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return out


def poly_pow(p: list[float], n: int) -> list[float]:
    if n < 0:
        raise ValueError("n must be non-negative")
    out: list[float] = [1]
    for _ in range(n):
        out = _mul(out, p or [0])
    return out
