"""Critical points."""

from __future__ import annotations

def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def critical_points(p: list[float], start: float, stop: float, step: float, tol: float = 1e-9) -> list[float]:
    if step <= 0:
        raise ValueError("step must be positive")
    d = [i * c for i, c in enumerate(p)][1:] or [0]
    xs = []
    i = 0
    while start + i * step <= stop + 1e-12:
        xs.append(start + i * step)
        i += 1
    out = []
    for a, b in zip(xs, xs[1:]):
        if _ev(d, a) * _ev(d, b) < 0:
            lo, hi = a, b
            while hi - lo > tol:
                mid = (lo + hi) / 2
                if _ev(d, lo) * _ev(d, mid) <= 0:
                    hi = mid
                else:
                    lo = mid
            out.append((lo + hi) / 2)
    return out
