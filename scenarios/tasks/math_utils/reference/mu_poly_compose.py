"""Compose polynomials."""

from __future__ import annotations

def _trim(p: list[float]) -> list[float]:
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return p or [0]


def _mul(p: list[float], q: list[float]) -> list[float]:
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return _trim(out)


def poly_compose(p: list[float], q: list[float]) -> list[float]:
    result: list[float] = [0]
    for a in reversed(p or [0]):  # Horner: (((a_n) q + a_{n-1}) q + ...)
        result = _mul(result, q or [0])
        result = result + [0] * (1 - len(result))
        result[0] += a
        result = _trim(result)
    return result
