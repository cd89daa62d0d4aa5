"""Tabulate a polynomial."""

from __future__ import annotations

def poly_table(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, float]]:
    if step <= 0:
        raise ValueError("step must be positive")
    out = []
    i = 0
    while start + i * step <= stop + 1e-12:
        x = start + i * step
        total: float = 0
        for c in reversed(p):
            total = total * x + c
        out.append((x, total))
        i += 1
    return out
