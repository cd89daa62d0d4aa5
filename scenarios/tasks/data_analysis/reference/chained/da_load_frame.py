"""Load a frame (chained: built on da_load_rows.load_rows)."""

from __future__ import annotations

from da_load_rows import load_rows


def load_frame(text: str) -> dict:
    header = next((line for line in text.splitlines() if line.strip()), "")
    columns = [h.strip() for h in header.split(",")] if header else []
    return {"columns": columns, "rows": load_rows(text)}
