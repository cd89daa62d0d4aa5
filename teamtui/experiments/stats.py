"""Per-condition summaries of a sweep: mean, median and a 95 % bootstrap CI of every per-run metric.

All functions are pure: they read `CellRun` rows (a cell's parameters and its run's metrics JSON, which
may be the subset an importer can fill) and return plain records. A *condition* is a grid point: a
cell's parameters without its trial and seed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from teamtui.experiments.measures import succeeded, value
from teamtui.experiments.table import CellParams, CellRun

BOOTSTRAP_SEED = 20260312
"""Fixed, so a report's confidence intervals are the same every time it is written."""
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class Stat:
    """Mean, median and a 95 % bootstrap CI of the mean (percentile method, fixed seed)."""

    n: int
    mean: float
    median: float
    lo: float
    hi: float


def describe(values: Sequence[float]) -> Stat | None:
    if not values:
        return None
    arr = np.asarray(values, dtype=float)
    mean, median = float(arr.mean()), float(np.median(arr))
    if len(arr) < 2 or float(arr.min()) == float(arr.max()):
        return Stat(len(arr), mean, median, mean, mean)
    res = sps.bootstrap((arr,), np.mean, n_resamples=BOOTSTRAP_RESAMPLES, confidence_level=0.95,
                        method="percentile", rng=np.random.default_rng(BOOTSTRAP_SEED))
    return Stat(len(arr), mean, median, float(res.confidence_interval.low), float(res.confidence_interval.high))


Condition = tuple[str, float, int, str, str, str, str]
"""(pack, p, size, architecture, execution, model, fault)"""


def condition_of(params: CellParams) -> Condition:
    return (params.pack, params.p, params.size, params.architecture, params.execution, params.model, params.fault)


@dataclass(frozen=True)
class ConditionSummary:
    condition: Condition
    runs: int
    successes: int
    stats: dict[str, Stat | None]


SUMMARY_METRICS = ("speedup", "efficiency", "amdahl_bound", "replies", "messages", "messages_per_subtask",
                   "conflicts", "idle_fraction", "tokens", "cost_usd", "recovery_s", "unrecovered", "fault_cost",
                   "makespan")


def summarize_conditions(rows: Iterable[CellRun]) -> list[ConditionSummary]:
    """Per condition: runs, successes, and a `Stat` of every summary metric over its successful runs."""
    groups: dict[Condition, list[CellRun]] = defaultdict(list)
    for r in rows:
        groups[condition_of(r.params)].append(r)
    out = []
    for cond in sorted(groups):
        ok = [r for r in groups[cond] if succeeded(r)]
        st = {name: describe([v for r in ok if (v := value(r, name)) is not None]) for name in SUMMARY_METRICS}
        out.append(ConditionSummary(cond, len(groups[cond]), len(ok), st))
    return out
