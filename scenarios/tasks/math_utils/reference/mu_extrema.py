"""Classify extrema."""

from __future__ import annotations

def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def _d(p: list[float]) -> list[float]:
    return [i * c for i, c in enumerate(p)][1:] or [0]


def extrema(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, str]]:
    if step <= 0:
        raise ValueError("step must be positive")
    d1, d2 = _d(p), _d(_d(p))
    xs = []
    i = 0
    while start + i * step <= stop + 1e-12:
        xs.append(start + i * step)
        i += 1
    out = []
    for a, b in zip(xs, xs[1:]):
        if _ev(d1, a) * _ev(d1, b) < 0:
            lo, hi = a, b
            while hi - lo > 1e-9:
                mid = (lo + hi) / 2
                if _ev(d1, lo) * _ev(d1, mid) <= 0:
                    hi = mid
                else:
                    lo = mid
            x = (lo + hi) / 2
            curv = _ev(d2, x)
            if curv != 0:
                out.append((x, "min" if curv > 0 else "max"))
    return out
