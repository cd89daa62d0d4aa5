"""Column totals (chained: built on da_numeric_columns.numeric_columns)."""

from __future__ import annotations

from da_numeric_columns import numeric_columns


def add_totals(text: str) -> dict:
    frame = numeric_columns(text)
    return {**frame, "totals": {c: sum(r[c] for r in frame["rows"]) for c in frame["numeric"]}}
