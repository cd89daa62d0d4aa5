"""Hex colours."""

from __future__ import annotations

def hex_to_rgb(color: str) -> tuple[int, int, int]:
    text = color.strip()
    if not text.startswith("#") or len(text) not in (4, 7):
        raise ValueError(f"not a hex colour: {color!r}")
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    try:
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError:
        raise ValueError(f"not a hex colour: {color!r}") from None
