"""One bar (chained: built on svg_rect.rect)."""

from __future__ import annotations

from svg_rect import rect


def bar(x: float, baseline: float, width: float, value: float, **style: object) -> str:
    if value >= 0:
        return rect(x, baseline - value, width, value, **style)
    return rect(x, baseline, width, -value, **style)
