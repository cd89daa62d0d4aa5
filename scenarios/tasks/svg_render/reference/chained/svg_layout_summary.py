"""Layout summary (chained: built on svg_best_bar_width.best_bar_width)."""

from __future__ import annotations

from svg_best_bar_width import best_bar_width


def layout_summary(values: list[float], title: str, max_width: float, gap: float = 5, height: float = 100) -> dict:
    w = best_bar_width(values, title, max_width, gap, height)
    n = len(values)
    total = n * w + (n - 1) * gap if w and n else 0
    return {"bar_width": w, "fits": w > 0, "total_width": total}
