"""Column standard deviations (chained: built on da_add_means.add_means)."""

from __future__ import annotations

from da_add_means import add_means
import math


def add_stdevs(text: str) -> dict:
    frame = add_means(text)
    n = len(frame["rows"])
    sd = {c: math.sqrt(sum((r[c] - m) ** 2 for r in frame["rows"]) / n) for c, m in frame["means"].items()}
    return {**frame, "stdevs": sd}
