"""Scaled bars (chained: built on svg_bars.bars)."""

from __future__ import annotations

from svg_bars import bars


def scaled_bars(values: list[float], width: float, gap: float, height: float, **style: object) -> list[str]:
    if any(v < 0 for v in values):
        raise ValueError("values must not be negative")
    peak = max(values, default=0)
    scale = height / peak if peak else 0
    return bars([v * scale for v in values], width, gap, height, **style)
