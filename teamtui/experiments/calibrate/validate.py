"""`teamtui calibrate --validate`: fit on part of the runs, predict the rest, and score the predictions.

Folds, per model: by pack, fit on every pack but one and predict that one (all ways); by repetition, the reps
split in two groups of about equal runs (lowest reps first), fit on one and predict the other (both ways).
Each fold fits the direct and behavioural knobs on its training runs alone (the full calibration, with the
given budget, without the knobs' intervals), simulates every held-out sub-cell (architecture × n × pack × p)
on `predict_seeds` fresh seeds, and scores the held-out figures (per architecture × n: replies, idle rounds,
success rate, concurrent writes, straggler gap; per architecture × p: speedup) by coverage of their 95 %
predictive intervals (`teamtui.experiments.calibrate.predict`), the signs of the paper's findings
(`findings`) and the distances between distributions (`distance`). A pack fold also simulates its training
cells on the same seeds, to estimate the spread between packs (`between`) that its intervals carry; the
coverage of the sim's own intervals, without it, is reported beside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec

from teamtui.experiments.calibrate.between import Spread, pack_spread
from teamtui.experiments.calibrate.calls import read_calls
from teamtui.experiments.calibrate.distance import Distance, distances
from teamtui.experiments.calibrate.evaluate import simulate_many
from teamtui.experiments.calibrate.figures import figures
from teamtui.experiments.calibrate.findings import Finding, findings
from teamtui.experiments.calibrate.fit import Fit, Options, fit_model
from teamtui.experiments.calibrate.predict import Interval, intervals
from teamtui.experiments.calibrate.progress import bar
from teamtui.experiments.calibrate.select import Filters, Selection
from teamtui.experiments.calibrate.simulate import RunRecord, observed, plan, seeds_of


@dataclass(frozen=True)
class Fold:
    name: str
    kind: str
    """pack | rep"""
    train: Filters
    test: Filters


@dataclass
class FoldResult:
    fold: Fold
    fit: Fit
    train_runs: int
    test_runs: int
    intervals: list[Interval]
    findings: list[Finding]
    distances: list[Distance]
    spread: Spread | None = None
    """The spread between packs the intervals carry (pack folds with two or more training packs)."""


def folds(sel: Selection) -> list[Fold]:
    """The pack folds and the repetition folds this selection allows (see the module docstring)."""
    out = []
    packs = sorted({r.params.pack for r in sel.runs})
    if len(packs) > 1:
        for p in packs:
            out.append(Fold(f"pack {p}", "pack", Filters(packs=tuple(q for q in packs if q != p)), Filters(packs=(p,))))
    reps = Counter(r.params.trial for r in sel.runs)
    if len(reps) > 1:
        order, total, first = sorted(reps), sum(reps.values()), []
        for rep in order[:-1]:
            first.append(rep)
            if sum(reps[x] for x in first) >= total / 2:
                break
        second = tuple(x for x in order if x not in first)
        a, b = tuple(first), second
        for train, test in ((a, b), (b, a)):
            out.append(Fold(f"reps {_reps(test)} from {_reps(train)}", "rep", Filters(reps=train), Filters(reps=test)))
    return out


def _reps(xs: Sequence[int]) -> str:
    return ",".join(str(x) for x in xs)


def held_out_records(sel: Selection) -> list[RunRecord]:
    """The held-out runs as records, with each round's slowest latency from their calls."""
    records = observed(sel.runs)
    calls = read_calls(sel.db, [r.run_id for r in records])
    return [msgspec.structs.replace(r, slowest=tuple(float(x) for x in calls[r.run_id].round_slowest()))
            for r in records]


def run_fold(sel: Selection, fold: Fold, options: Options, cache_file: Path | None,
             predict_seeds: int) -> FoldResult | None:
    """Fit on the fold's training runs, predict its held-out runs; None when either side has no runs."""
    train, test = sel.where(fold.train), sel.where(fold.test)
    if not train.runs or not test.runs:
        return None
    fit = fit_model(train, options, cache_file)
    held = held_out_records(test)
    cells = plan(held)
    with bar(f"predicting {fold.name}", len(cells) * predict_seeds, options.quiet) as progress:
        sims = simulate_many(fit.sim, cells, seeds_of(predict_seeds, base=50_000), options.jobs, progress.runs,
                             detail=True, where=options.where)
    obs_stats, sim_stats = figures(held), figures(sims)
    spread = _spread(train, fit.sim, options, predict_seeds) if fold.kind == "pack" else None
    ivs = intervals({k: s.mean for k, s in obs_stats.items()}, held, sims, spread=spread)
    return FoldResult(fold, fit, len(train.runs), len(test.runs), ivs, findings(obs_stats, sim_stats),
                      distances(held, sims), spread)


def _spread(train: Selection, sim: dict[str, Any], options: Options, predict_seeds: int) -> Spread | None:
    """The spread between the training packs, from their runs and the fitted sim's runs of the same cells."""
    records = observed(train.runs)
    if len({r.pack for r in records}) < 2:
        return None
    cells = plan(records)
    with bar("spread between training packs", len(cells) * predict_seeds, options.quiet) as progress:
        sims = simulate_many(sim, cells, seeds_of(predict_seeds, base=60_000), options.jobs, progress.runs)
    return pack_spread(records, sims)


def validate_model(sel: Selection, options: Options, cache_stem: Path | None,
                   predict_seeds: int, kinds: tuple[str, ...] = ("pack", "rep")) -> list[FoldResult]:
    out = []
    for fold in (f for f in folds(sel) if f.kind in kinds):
        cache = cache_stem.with_name(f"{cache_stem.name}.validate-{fold.kind}-{_slug(fold.name)}.jsonl") \
            if cache_stem is not None else None
        result = run_fold(sel, fold, replace(options, knob_ci=False), cache, predict_seeds)
        if result is not None:
            out.append(result)
    return out


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")
