"""Range on an interval."""

from __future__ import annotations

def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def _max_on(p: list[float], a: float, b: float, step: float) -> float:
    d1 = [i * c for i, c in enumerate(p)][1:] or [0]
    d2 = [i * c for i, c in enumerate(d1)][1:] or [0]
    best = max(_ev(p, a), _ev(p, b))
    xs = []
    i = 0
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


def poly_range(p: list[float], a: float, b: float, step: float = 0.01) -> tuple[float, float]:
    if a > b:
        raise ValueError("a must not exceed b")
    return (-_max_on([-c for c in p], a, b, step), _max_on(p, a, b, step))
