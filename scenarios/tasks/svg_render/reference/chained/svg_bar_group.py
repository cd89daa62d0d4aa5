"""Bar group (chained: built on svg_scaled_bars.scaled_bars)."""

from __future__ import annotations

from svg_scaled_bars import scaled_bars


def bar_group(values: list[float], width: float, gap: float, height: float, **style: object) -> str:
    return '<g class="bars">' + "".join(scaled_bars(values, width, gap, height, **style)) + "</g>"
