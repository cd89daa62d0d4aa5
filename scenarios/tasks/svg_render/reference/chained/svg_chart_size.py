"""Read back the size (chained: built on svg_chart_document.chart_document)."""

from __future__ import annotations

from svg_chart_document import chart_document
import re


def chart_size(values: list[float], title: str, width: float = 20, gap: float = 5,
               height: float = 100) -> tuple[float, float]:
    doc = chart_document(values, title, width, gap, height)
    m = re.search(r'<svg[^>]*? width="([-\d.]+)" height="([-\d.]+)"', doc)
    if m is None:
        raise ValueError("no svg size found")
    return float(m.group(1)), float(m.group(2))
