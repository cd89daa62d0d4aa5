"""The optimiser: a compass (coordinate pattern) search with per-knob steps that shrink, in the knobs' search space.

Why this one. With fixed seeds the loss is deterministic but piecewise constant in every knob (a probability
changes a run only when it crosses one of the run's random draws) and rough between plateaus, so gradients,
and methods that estimate them, are useless; a simplex (Nelder–Mead) collapses onto a plateau's edge. A pattern
search only compares losses, moves by whole steps that cross plateaus while they are large, and stops by its
own rule when every step has shrunk below a resolution nothing finer can be seen at. Its 2·d trials per
iteration are independent, so they fill the worker processes, and because the path depends only on the
losses, a resumed search retraces it from the cache.

Each iteration tries u ± h_i along every knob i; then also the move that combines every improving knob's best
direction. It takes the best of all these if it beats the current point by more than `tol` (a step that led
to it may grow by half, up to its first size); a knob neither of whose moves improved has its step halved.
It ends when the budget of evaluations is spent or every step is below `min_step`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from teamtui.experiments.calibrate.knobs import Knob

Objective = Callable[[Sequence[Mapping[str, float]]], list[float]]
Report = Callable[[int, float, dict[str, float]], None]


@dataclass
class SearchResult:
    best: dict[str, float]
    loss: float
    evaluations: int
    iterations: int
    history: list[float] = field(default_factory=list)
    """The best loss after each iteration."""
    converged: bool = False


def compass(objective: Objective, knobs: Sequence[Knob], start: Mapping[str, float], budget: int,
            first_step: float = 0.3, min_step: float = 0.02, tol: float = 1e-9,
            report: Report | None = None) -> SearchResult:
    """Minimise `objective` over `knobs` from `start` with at most `budget` evaluations (see the module docstring).
    Steps are in each knob's search space u, `first_step` of its width (at most 0.4), `min_step` absolute."""
    u = {k.name: k.to_u(start[k.name]) for k in knobs}
    step0 = {k.name: min(0.4, first_step * k.u_span) for k in knobs}
    h = dict(step0)

    def x_of(point: Mapping[str, float]) -> dict[str, float]:
        return {k.name: k.from_u(point[k.name]) for k in knobs}

    best = objective([x_of(u)])[0]
    used, iterations, history = 1, 0, [best]
    while used < budget and any(h[k.name] >= min_step for k in knobs):
        trials: list[tuple[str, float, dict[str, float]]] = []
        for k in knobs:
            if h[k.name] < min_step:
                continue
            for sign in (1.0, -1.0):
                v = min(k.u_span, max(0.0, u[k.name] + sign * h[k.name]))
                if abs(v - u[k.name]) > 1e-12:
                    trials.append((k.name, v, {**u, k.name: v}))
        trials = trials[: max(0, budget - used)]
        if not trials:
            break
        losses = objective([x_of(t[2]) for t in trials])
        used += len(trials)
        better: dict[str, tuple[float, float]] = {}
        for (name, v, _), f in zip(trials, losses, strict=True):
            if f < best - tol and (name not in better or f < better[name][1]):
                better[name] = (v, f)
        candidates = [(f, t[2], {t[0]}) for t, f in zip(trials, losses, strict=True)]
        if len(better) > 1 and used < budget:
            combined = {**u, **{n: v for n, (v, _) in better.items()}}
            candidates.append((objective([x_of(combined)])[0], combined, set(better)))
            used += 1
        f, point, moved = min(candidates, key=lambda c: c[0])
        for k in knobs:
            if k.name not in better and k.name in {t[0] for t in trials}:
                h[k.name] /= 2
        if f < best - tol:
            best, u = f, point
            for name in moved:
                h[name] = min(step0[name], h[name] * 1.5)
        iterations += 1
        history.append(best)
        if report is not None:
            report(used, best, x_of(u))
    return SearchResult(x_of(u), best, used, iterations, history,
                        converged=all(h[k.name] < min_step for k in knobs))
