"""Binomial coefficient."""

from __future__ import annotations

def binomial(n: int, k: int) -> int:
    if n < 0:
        raise ValueError("n must be non-negative")
    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    out = 1
    for i in range(1, k + 1):
        out = out * (n - k + i) // i
    return out
