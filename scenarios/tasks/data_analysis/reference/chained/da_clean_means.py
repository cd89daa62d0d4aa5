"""Means without outliers (chained: built on da_clean_frame.clean_frame)."""

from __future__ import annotations

from da_clean_frame import clean_frame


def clean_means(text: str, threshold: float = 1.5) -> dict:
    frame = clean_frame(text, threshold)
    rows = frame["clean"]
    means = {c: sum(r[c] for r in rows) / len(rows) for c in frame["numeric"]} if rows else {}
    return {**frame, "clean_means": means}
