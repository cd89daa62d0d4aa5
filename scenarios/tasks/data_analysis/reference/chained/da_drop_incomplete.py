"""Drop incomplete rows (chained: built on da_load_frame.load_frame)."""

from __future__ import annotations

from da_load_frame import load_frame


def drop_incomplete(text: str) -> dict:
    frame = load_frame(text)
    kept = [r for r in frame["rows"] if all(v is not None for v in r.values())]
    return {**frame, "rows": kept, "dropped": len(frame["rows"]) - len(kept)}
