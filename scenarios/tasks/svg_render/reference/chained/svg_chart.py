"""Bar chart (chained: built on svg_chart_body.chart_body)."""

from __future__ import annotations

from svg_chart_body import chart_body


def svg_chart(values: list[float], width: float = 20, gap: float = 5, height: float = 100, **style: object) -> str:
    n = len(values)
    w = n * width + (n - 1) * gap if n else 0
    size = " ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in (w, height))
    w_s, h_s = size.split()
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w_s}" height="{h_s}" '
            f'viewBox="0 0 {w_s} {h_s}">')
    return head + chart_body(values, width, gap, height, **style) + "</svg>"
