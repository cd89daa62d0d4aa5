"""Does it fit? (chained: built on svg_chart_size.chart_size)."""

from __future__ import annotations

from svg_chart_size import chart_size


def fits_in(values: list[float], title: str, max_width: float, max_height: float, width: float = 20,
            gap: float = 5, height: float = 100) -> bool:
    w, h = chart_size(values, title, width, gap, height)
    return w <= max_width and h <= max_height
