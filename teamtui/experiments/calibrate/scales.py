"""The scale each held-out figure varies on between packs: log for counts, times and ratios, logit for shares."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[np.float64]
Transform = Callable[[Arr], Arr]

SHARES = ("success", "idle_share")
OFFSET = {"replies": 1.0, "idle_rounds": 1.0, "concurrent_writes": 1.0, "straggler_gap_s": 0.5, "speedup": 0.05}
"""log(x + offset): a figure that can be 0 stays finite; the offset is small against the figure's usual size."""


def scale(figure: str, runs: int) -> tuple[Transform, Transform]:
    """(to, back): the figure's scale and its inverse, for a figure over `runs` runs. A share uses the empirical
    logit log((x·k + ½) / ((1 − x)·k + ½)) of k runs, finite where every run succeeded and unbiased enough for
    the few runs of a cell (a plain logit clipped at the edges is not: one cell of all successes dominates)."""
    if figure in SHARES:
        k = max(1, runs)

        def to_logit(x: Arr) -> Arr:
            q = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
            return np.log((q * k + 0.5) / ((1.0 - q) * k + 0.5))  # type: ignore[no-any-return]

        def from_logit(y: Arr) -> Arr:
            e = np.exp(np.asarray(y, dtype=float))  # x·k + ½ = e·((1 − x)·k + ½)
            return np.clip((e * (k + 0.5) - 0.5) / (k * (1.0 + e)), 0.0, 1.0)  # type: ignore[no-any-return]

        return to_logit, from_logit
    c = OFFSET[figure]

    def to_log(x: Arr) -> Arr:
        return np.log(np.maximum(np.asarray(x, dtype=float), 0.0) + c)  # type: ignore[no-any-return]

    def from_log(y: Arr) -> Arr:
        return np.maximum(np.exp(np.asarray(y, dtype=float)) - c, 0.0)  # type: ignore[no-any-return]

    return to_log, from_log
