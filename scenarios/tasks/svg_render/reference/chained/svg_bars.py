"""A row of bars (chained: built on svg_bar.bar)."""

from __future__ import annotations

from svg_bar import bar


def bars(values: list[float], width: float, gap: float, baseline: float, **style: object) -> list[str]:
    return [bar(i * (width + gap), baseline, width, v, **style) for i, v in enumerate(values)]
