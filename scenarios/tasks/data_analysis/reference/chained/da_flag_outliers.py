"""Flag outlier rows (chained: built on da_standardize.standardize)."""

from __future__ import annotations

from da_standardize import standardize


def flag_outliers(text: str, threshold: float = 1.5) -> dict:
    frame = standardize(text)
    out = [i for i, z in enumerate(frame["z"]) if any(abs(v) > threshold for v in z.values())]
    return {**frame, "outliers": out}
