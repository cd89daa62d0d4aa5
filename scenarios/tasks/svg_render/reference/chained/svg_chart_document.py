"""Standalone SVG document (chained: built on svg_titled_chart.titled_chart)."""

from __future__ import annotations

from svg_titled_chart import titled_chart


def chart_document(values: list[float], title: str, width: float = 20, gap: float = 5, height: float = 100,
                   **style: object) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + titled_chart(values, title, width, gap, height, **style)
