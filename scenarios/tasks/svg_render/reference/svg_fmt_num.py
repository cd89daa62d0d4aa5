"""Format SVG numbers."""

from __future__ import annotations


def fmt_num(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
