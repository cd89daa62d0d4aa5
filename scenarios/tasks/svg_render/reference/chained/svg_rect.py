"""Rectangles (chained: built on svg_element.element)."""

from __future__ import annotations

from svg_element import element


def rect(x: float, y: float, width: float, height: float, **style: object) -> str:
    if width < 0 or height < 0:
        raise ValueError("width and height must not be negative")
    return element("rect", {"x": x, "y": y, "width": width, "height": height, **style})
