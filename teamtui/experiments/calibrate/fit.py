"""Calibrating one model: the direct knobs from its calls, then the behavioural knobs by simulation, then a profile.

`fit_model` reads the selection's calls and fits the direct knobs (`direct`), fixes them, and searches the
behavioural knobs (`knobs`) with the compass search (`search`) on the loss (`loss`) between the statistics of
the selected runs and of the same cells simulated on fixed seeds (`simulate`, `evaluate`), starting from
`SimConfig`'s defaults, except that the files a coding reply writes in the data suggest where batching starts
(`files_per_turn` for pre-assigned runs, `claims_per_turn` for the others: their mean − 1, where the data has
such replies).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from teamtui.experiments.calibrate.cache import Cache, fingerprint
from teamtui.experiments.calibrate.calls import RunCalls, read_calls
from teamtui.experiments.calibrate.direct import DirectFit, fit_direct
from teamtui.experiments.calibrate.evaluate import Evaluator, Problem
from teamtui.experiments.calibrate.figures import Key, Stat, figures, from_summary
from teamtui.experiments.calibrate.knob_ci import knob_intervals
from teamtui.experiments.calibrate.knobs import Knob, chosen, defaults, rounded
from teamtui.experiments.calibrate.loss import worst
from teamtui.experiments.calibrate.progress import bar
from teamtui.experiments.calibrate.search import SearchResult, compass
from teamtui.experiments.calibrate.select import Selection
from teamtui.experiments.calibrate.simulate import RunRecord, observed, plan, seeds_of
from teamtui.experiments.executors import Where


@dataclass(frozen=True)
class Options:
    budget: int = 300
    """Loss evaluations at most (each simulates every cell on every seed)."""
    seeds: int = 4
    """Seeds per cell."""
    jobs: int = 1
    where: Where = field(default_factory=Where)
    """Where the simulations run (`--executor`, `--address`)."""
    knobs: tuple[str, ...] = ()
    """Behavioural knobs to fit (all without names)."""
    resume: bool = False
    resamples: int = 1000
    """Cluster-bootstrap resamples of the direct knobs' CIs."""
    quiet: bool = False
    knob_ci: bool = True
    """Also the behavioural knobs' intervals (`knob_ci`: 6 evaluations per knob, and a quadratic fit)."""
    start: tuple[tuple[str, float], ...] = ()
    """An earlier profile's behavioural knobs (`--start`): the fitted ones start there instead of at the
    defaults and the calls' hints, the others are held there instead of at the defaults."""


@dataclass
class Fit:
    """One model's calibration."""

    model: str
    direct: DirectFit
    search: SearchResult
    sim: dict[str, Any]
    """The profile's `[sim]` values."""
    observed: dict[Key, Stat]
    simulated: dict[Key, Stat]
    runs: int
    seconds: float
    cells: int
    seeds: int
    reused: int = 0
    fresh: int = 0
    """Evaluations simulated in this call (the others came from the cache)."""
    worst: list[str] = field(default_factory=list)
    knob_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    knob_ci_kind: dict[str, str] = field(default_factory=dict)
    """How each knob's interval was found: profile, conditional or unbounded (`knob_ci.KINDS`)."""
    ci_evaluations: int = 0


def hints(calls: Sequence[RunCalls], records: Sequence[RunRecord], knobs: Sequence[Knob]) -> dict[str, float]:
    """Starting values the calls suggest (see the module docstring), for the knobs being fitted."""
    arch = {r.run_id: r.architecture for r in records}
    out: dict[str, float] = {}
    for name, pre in (("files_per_turn", True), ("claims_per_turn", False)):
        files = [c.files[c.files > 0] for c in calls if (arch.get(c.run_id) == "preassigned") == pre]
        flat = np.concatenate(files) if files else np.zeros(0)
        if len(flat) and any(k.name == name for k in knobs):
            out[name] = float(max(0.0, flat.mean() - 1.0))
    return out


def fit_model(sel: Selection, options: Options, cache_file: Path | None) -> Fit:
    """Calibrate the one model of `sel` (see the module docstring)."""
    started = time.monotonic()
    model = sel.models()[0]
    records = observed(sel.runs)
    calls = list(read_calls(sel.db, [r.run_id for r in records]).values())
    direct = fit_direct(calls, {r.run_id: r.success for r in records}, resamples=options.resamples)
    knobs = chosen(options.knobs)
    fitted = {knob.name for knob in knobs}
    held = {k: v for k, v in options.start if k not in fitted}
    problem = Problem(tuple(plan(records)), seeds_of(options.seeds), {**held, **direct.sim_values()},
                      figures(records))
    start = {**defaults(knobs), **hints(calls, records, knobs), **{k: v for k, v in options.start if k in fitted}}
    cache = Cache(cache_file, fingerprint({**problem.describe(), "knobs": [k.name for k in knobs]}), options.resume)
    total = (options.budget + (6 * len(knobs) if options.knob_ci else 0)) * problem.runs
    with bar(f"calibrating {model}", total, options.quiet) as progress, \
            Evaluator(problem, cache, options.jobs, progress.runs, options.where) as evaluate:
        result = compass(evaluate, knobs, start, options.budget,
                         report=lambda used, best, _: progress.note(f"loss {best:.1f} after {used} evaluations"))
        best = rounded(result.best)
        loss_at = float(cache.entries[cache.key(best)]["loss"])
        progress.note(f"loss {loss_at:.1f}; knob intervals")
        evaluated = [(e["x"], float(e["loss"])) for e in cache.current()]
        cis, kinds, ci_evals = knob_intervals(evaluate, knobs, best, evaluated, loss_at) if options.knob_ci else \
            ({}, {}, 0)
        fresh = evaluate.evaluations
    simulated = from_summary(list(problem.observed), cache.entries[cache.key(best)]["stats"])
    sim = {"verify": "harness", **direct.sim_values(), **held, **best}
    return Fit(model, direct, result, sim, problem.observed, simulated, len(records), time.monotonic() - started,
               len(problem.cells), len(problem.seeds), cache.reused, fresh, worst(problem.observed, simulated),
               {k: (round(a, 5), round(b, 5)) for k, (a, b) in cis.items()}, kinds, ci_evals)
