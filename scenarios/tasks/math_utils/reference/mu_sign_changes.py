"""Find sign changes."""

from __future__ import annotations

def sign_changes(p: list[float], start: float, stop: float, step: float) -> list[tuple[float, float]]:
    if step <= 0:
        raise ValueError("step must be positive")
    pts = []
    i = 0
    while start + i * step <= stop + 1e-12:
        x = start + i * step
        total: float = 0
        for c in reversed(p):
            total = total * x + c
        pts.append((x, total))
        i += 1
    return [(a, b) for (a, fa), (b, fb) in zip(pts, pts[1:]) if fa * fb < 0]
