"""Pivot table."""

from __future__ import annotations

def pivot(rows: list[dict], row_key: str, col_key: str, value: str) -> dict:
    out: dict = {}
    for r in rows:
        if r.get(value) is None:
            continue
        cell = out.setdefault(r[row_key], {})
        cell[r[col_key]] = cell.get(r[col_key], 0) + r[value]
    return out
