"""Find real roots."""

from __future__ import annotations

def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def find_roots(p: list[float], start: float, stop: float, step: float, tol: float = 1e-9) -> list[float]:
    if step <= 0:
        raise ValueError("step must be positive")
    xs = []
    i = 0
    while start + i * step <= stop + 1e-12:
        xs.append(start + i * step)
        i += 1
    roots = []
    for a, b in zip(xs, xs[1:]):
        if _ev(p, a) * _ev(p, b) < 0:
            lo, hi = a, b
            while hi - lo > tol:
                mid = (lo + hi) / 2
                if _ev(p, lo) * _ev(p, mid) <= 0:
                    hi = mid
                else:
                    lo = mid
            roots.append((lo + hi) / 2)
    return roots
