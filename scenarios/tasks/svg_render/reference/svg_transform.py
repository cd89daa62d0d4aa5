"""Transform attribute."""

from __future__ import annotations

def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def transform_str(translate: tuple[float, float] | None = None, scale: float | None = None,
                  rotate: float | None = None) -> str:
    parts = []
    if translate is not None:
        parts.append(f"translate({_n(translate[0])} {_n(translate[1])})")
    if scale is not None:
        parts.append(f"scale({_n(scale)})")
    if rotate is not None:
        parts.append(f"rotate({_n(rotate)})")
    return " ".join(parts)
