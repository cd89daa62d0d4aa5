"""Evaluating candidate knobs: the problem's cells simulated on worker processes, the loss, the cache, a progress bar.

A batch of candidates is split into tasks (a candidate's cells in a few chunks of similar cost when the batch
has fewer candidates than workers, else one task per candidate) that run on a process pool or on Ray
(`executors`); each candidate's records become its statistics and loss when all its tasks are back. Candidates
already in the cache are not simulated again.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from teamtui.experiments.calibrate.cache import Cache
from teamtui.experiments.calibrate.figures import Key, Stat, figures, summary
from teamtui.experiments.calibrate.knobs import rounded
from teamtui.experiments.calibrate.loss import loss
from teamtui.experiments.calibrate.simulate import RunRecord, SimCell, chunks, simulate
from teamtui.experiments.executors import Executor, Where, open_executor

Progress = Callable[[int], None]
"""Called with the number of simulated runs just finished."""


@dataclass(frozen=True)
class Problem:
    """What one evaluation needs: the cells and seeds to simulate, the fixed `[team.sim]` values and the targets."""

    cells: tuple[SimCell, ...]
    seeds: tuple[int, ...]
    base: dict[str, Any]
    observed: dict[Key, Stat] = field(hash=False)

    def describe(self) -> dict[str, Any]:
        """What the cache's fingerprint covers."""
        return {"cells": [[c.architecture, c.size, c.pack, c.p, list(c.limits)] for c in self.cells],
                "seeds": list(self.seeds), "base": self.base,
                "observed": {"|".join(map(str, k)): [s.mean, s.sem, s.runs] for k, s in sorted(self.observed.items())}}

    @property
    def runs(self) -> int:
        return len(self.cells) * len(self.seeds)

    def sim(self, values: Mapping[str, float]) -> dict[str, Any]:
        return {**self.base, **values}


class Evaluator:
    """`evaluator(batch)` gives the loss of each candidate (a dict of knob values); see the module docstring."""

    def __init__(self, problem: Problem, cache: Cache, jobs: int = 1, progress: Progress | None = None,
                 where: Where | None = None) -> None:
        self.problem, self.cache, self.jobs, self.progress = problem, cache, max(1, jobs), progress
        self.pool: Executor | None = open_executor(where or Where(), self.jobs)
        self.evaluations = 0
        """Candidates simulated (not found in the cache)."""
        self.simulated = 0

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def __call__(self, batch: Sequence[Mapping[str, float]]) -> list[float]:
        values = [rounded(v) for v in batch]
        keys = [self.cache.key(v) for v in values]
        fresh: dict[str, dict[str, float]] = {}
        for key, v in zip(keys, values, strict=True):
            if key not in fresh and self.cache.get(v) is None:
                fresh[key] = v
        for v, recs in zip(fresh.values(), self._simulate(list(fresh.values())), strict=True):
            stats = figures(recs)
            self.cache.put(v, loss(self.problem.observed, stats), summary(stats))
        self.evaluations += len(fresh)
        return [float(self.cache.entries[key]["loss"]) for key in keys]

    def _simulate(self, batch: Sequence[Mapping[str, float]]) -> list[list[RunRecord]]:
        p = self.problem
        out: list[list[RunRecord]] = [[] for _ in batch]
        if not batch:
            return out
        if self.pool is None:
            for i, v in enumerate(batch):
                for cell in p.cells:
                    out[i].extend(simulate(p.sim(v), [cell], p.seeds))
                    self._done(len(p.seeds))
            return out
        parts = max(1, math.ceil(2 * self.pool.slots / len(batch)))
        tasks: list[tuple[Any, ...]] = []
        owner: list[int] = []
        for i, v in enumerate(batch):
            for chunk in chunks(p.cells, parts):
                tasks.append((p.sim(v), chunk, p.seeds))
                owner.append(i)
        by_candidate: dict[int, list[list[RunRecord]]] = defaultdict(list)

        def done(task: int, recs: list[RunRecord]) -> None:
            by_candidate[owner[task]].append(recs)
            self._done(len(recs))

        self.pool.run(simulate, tasks, done)
        for i, parts_of in by_candidate.items():
            out[i] = sorted((r for part in parts_of for r in part),
                            key=lambda r: (r.architecture, r.size, r.pack, r.p, r.seed))
        return out

    def _done(self, runs: int) -> None:
        self.simulated += runs
        if self.progress is not None:
            self.progress(runs)



def simulate_many(sim: Mapping[str, Any], cells: Sequence[SimCell], seeds: Sequence[int], jobs: int,
                  progress: Progress | None = None, detail: bool = False,
                  where: Where | None = None) -> list[RunRecord]:
    """Every cell on every seed with one set of `[team.sim]` values, on `jobs` processes (or where `where` says)."""
    values = {k: v for k, v in sim.items() if k != "verify"}
    pool = open_executor(where or Where(), jobs)
    if pool is None:
        out = []
        for cell in cells:
            out.extend(simulate(values, [cell], seeds, detail))
            if progress is not None:
                progress(len(seeds))
        return out
    parts: list[list[RunRecord]] = [[] for _ in cells]

    def done(i: int, recs: list[RunRecord]) -> None:
        parts[i] = recs
        if progress is not None:
            progress(len(seeds))

    with pool:
        pool.run(simulate, [(values, [c], seeds, detail) for c in cells], done)
    return [r for part in parts for r in part]
