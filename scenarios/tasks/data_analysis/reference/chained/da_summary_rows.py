"""Summary rows (chained: built on da_clean_means.clean_means)."""

from __future__ import annotations

from da_clean_means import clean_means


def summary_rows(text: str, threshold: float = 1.5) -> list[tuple]:
    f = clean_means(text, threshold)
    return [(c, f["means"][c], f["clean_means"].get(c), f["stdevs"][c]) for c in sorted(f["numeric"])]
