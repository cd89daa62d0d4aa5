"""How a run's figures are written, the same on every screen: the monitor's panel, the summary, headless output.

A figure that was not measured (None) reads "n/a", never 0.
"""

from __future__ import annotations

NA = "n/a"


def num(v: float | None, fmt: str = ".2f", unit: str = "") -> str:
    return NA if v is None else f"{v:{fmt}}{unit}"


def pct(v: float | None) -> str:
    """An idle fraction: 49%."""
    return num(v, ".0%")


def secs(v: float | None, fmt: str = ".2f") -> str:
    """A duration: 2.00 s (the straggler gap), 3.5 s with fmt='.1f' (recoveries)."""
    return num(v, fmt, " s")


def times(v: float | None) -> str:
    """A speedup: 1.03×."""
    return num(v, ".2f", "×")


def reclaim(held: tuple[str, ...], reclaim_s: float | None) -> str:
    """What became of the work an agent held when a fault hit it."""
    if not held:
        return "held nothing, so nothing to reclaim"
    if reclaim_s is None:
        return "not all reclaimed"
    return f"reclaimed after {secs(reclaim_s, '.1f')}"


def fault_label(fault: str, agent: str, at: float) -> str:
    return f"{fault} {agent} @ {at:.0f}s"
