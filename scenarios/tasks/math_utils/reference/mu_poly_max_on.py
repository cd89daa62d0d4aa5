"""Maximum on an interval."""

from __future__ import annotations

def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def _d(p: list[float]) -> list[float]:
    return [i * c for i, c in enumerate(p)][1:] or [0]


def poly_max_on(p: list[float], a: float, b: float, step: float = 0.01) -> float:
    if a > b:
        raise ValueError("a must not exceed b")
    best = max(_ev(p, a), _ev(p, b))
    d1, d2 = _d(p), _d(_d(p))
    i = 0
    xs = []
    while a + i * step <= b + 1e-12:
        xs.append(a + i * step)
        i += 1
    for lo, hi in zip(xs, xs[1:]):
        if _ev(d1, lo) * _ev(d1, hi) < 0:
            while hi - lo > 1e-9:
                mid = (lo + hi) / 2
                if _ev(d1, lo) * _ev(d1, mid) <= 0:
                    hi = mid
                else:
                    lo = mid
            x = (lo + hi) / 2
            if _ev(d2, x) < 0:
                best = max(best, _ev(p, x))
    return best
