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


def tokens(tokens_in: int, tokens_out: int, est_in: int = 0, est_out: int = 0) -> str:
    """Token counts as the servers gave them, and the estimated ones apart, marked ≈ (never summed together)."""
    real = f"{tokens_in:,} in / {tokens_out:,} out"
    if not est_in and not est_out:
        return real
    est = f"≈ {est_in:,} in / {est_out:,} out estimated (the server sent no usage)"
    return est if not tokens_in and not tokens_out else f"{real} + {est}"


def token_total(real: int, est: int) -> str:
    """One agent's or the run's tokens in a narrow cell: the server's count, then ≈ the estimated ones."""
    if not est:
        return f"{real:,}"
    return f"≈{est:,}" if not real else f"{real:,} + ≈{est:,}"
