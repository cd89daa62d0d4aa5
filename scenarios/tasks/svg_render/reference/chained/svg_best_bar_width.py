"""Widest bars that fit (chained: built on svg_fits_in.fits_in)."""

from __future__ import annotations

from svg_fits_in import fits_in


def best_bar_width(values: list[float], title: str, max_width: float, gap: float = 5, height: float = 100) -> int:
    for w in range(100, 0, -1):
        if fits_in(values, title, max_width, height, w, gap, height):
            return w
    return 0
