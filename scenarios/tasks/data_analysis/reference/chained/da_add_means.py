"""Column means (chained: built on da_add_totals.add_totals)."""

from __future__ import annotations

from da_add_totals import add_totals


def add_means(text: str) -> dict:
    frame = add_totals(text)
    n = len(frame["rows"])
    return {**frame, "means": {c: t / n for c, t in frame["totals"].items()}}
