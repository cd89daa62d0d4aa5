"""Histogram."""

from __future__ import annotations

def histogram(values: list[float], bins: int, lo: float, hi: float) -> list[int]:
    if bins < 1 or hi <= lo:
        raise ValueError("need bins >= 1 and hi > lo")
    counts = [0] * bins
    width = (hi - lo) / bins
    for v in values:
        if lo <= v <= hi:
            counts[min(bins - 1, int((v - lo) / width))] += 1
    return counts
