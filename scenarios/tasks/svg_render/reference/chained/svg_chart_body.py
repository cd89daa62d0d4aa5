"""Chart body (chained: built on svg_bar_group.bar_group)."""

from __future__ import annotations

from svg_bar_group import bar_group


def _n(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chart_body(values: list[float], width: float, gap: float, height: float, **style: object) -> str:
    n = len(values)
    total = n * width + (n - 1) * gap if n else 0
    line = f'<line x1="0" y1="{_n(height)}" x2="{_n(total)}" y2="{_n(height)}" stroke="black"/>'
    return bar_group(values, width, gap, height, **style) + line
