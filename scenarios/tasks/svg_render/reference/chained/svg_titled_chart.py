"""Chart with a title (chained: built on svg_chart.svg_chart)."""

from __future__ import annotations

from svg_chart import svg_chart


def titled_chart(values: list[float], title: str, width: float = 20, gap: float = 5, height: float = 100,
                 **style: object) -> str:
    doc = svg_chart(values, width, gap, height, **style)
    cut = doc.index(">") + 1
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return doc[:cut] + f"<title>{safe}</title>" + doc[cut:]
