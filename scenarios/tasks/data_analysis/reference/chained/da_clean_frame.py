"""Remove outliers (chained: built on da_flag_outliers.flag_outliers)."""

from __future__ import annotations

from da_flag_outliers import flag_outliers


def clean_frame(text: str, threshold: float = 1.5) -> dict:
    frame = flag_outliers(text, threshold)
    bad = set(frame["outliers"])
    return {**frame, "clean": [r for i, r in enumerate(frame["rows"]) if i not in bad]}
