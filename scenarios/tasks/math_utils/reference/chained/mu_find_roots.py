"""Find real roots (chained: built on mu_sign_changes.sign_changes)."""

from __future__ import annotations

from mu_sign_changes import sign_changes



def _ev(p: list[float], x: float) -> float:
    total: float = 0
    for c in reversed(p):
        total = total * x + c
    return total


def find_roots(p: list[float], start: float, stop: float, step: float, tol: float = 1e-9) -> list[float]:
    roots = []
    for lo, hi in sign_changes(p, start, stop, step):
        while hi - lo > tol:
            mid = (lo + hi) / 2
            if _ev(p, lo) * _ev(p, mid) <= 0:
                hi = mid
            else:
                lo = mid
        roots.append((lo + hi) / 2)
    return roots
