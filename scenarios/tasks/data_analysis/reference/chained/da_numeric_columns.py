"""Find numeric columns (chained: built on da_drop_incomplete.drop_incomplete)."""

from __future__ import annotations

from da_drop_incomplete import drop_incomplete


def numeric_columns(text: str) -> dict:
    frame = drop_incomplete(text)
    rows = frame["rows"]
    numeric = [c for c in frame["columns"]
               if rows and all(isinstance(r[c], (int, float)) and not isinstance(r[c], bool) for r in rows)]
    return {**frame, "numeric": numeric}
