"""Per-run values and per-condition summaries of a sweep, and the paper's speedup with its delta-method SEM.

All functions are pure: they read `CellRun` rows (a cell's parameters and its run's metrics JSON, which
may be the subset an importer can fill) and return plain records. A *condition* is a grid point: a
cell's parameters without its trial and seed.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import stats as sps

from teamtui.experiments.table import CellParams, CellRun

BOOTSTRAP_SEED = 20260312
"""Fixed, so a report's confidence intervals are the same every time it is written."""
BOOTSTRAP_RESAMPLES = 2000


def workers(params: CellParams) -> int:
    """Agents doing subtasks: all but a lead."""
    return max(1, params.size - 1) if params.architecture == "lead" else params.size


def amdahl(p: float, n: float) -> float:
    return 1.0 / ((1.0 - p) + p / n)


def _get(m: dict[str, Any], *path: str) -> Any:
    cur: Any = m
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _sum(*values: Any) -> float | None:
    known = [float(v) for v in values if v is not None]
    return sum(known) if known else None


def recovery_censored(m: dict[str, Any]) -> float | None:
    """The longest time until work a faulty agent held was claimed by a teammate: inf if some never was,
    None if the run has no fault that caught an agent holding work (nothing to recover)."""
    recs = [r for r in (_get(m, "recoveries") or []) if r.get("held")]
    if not recs:
        return None
    times = [r.get("reclaim_s") for r in recs]
    return math.inf if any(t is None for t in times) else float(max(times))


def recovery_time(m: dict[str, Any]) -> float | None:
    """`recovery_censored` over runs whose held work was reclaimed (None otherwise)."""
    v = recovery_censored(m)
    return None if v is None or math.isinf(v) else v


def _unrecovered(m: dict[str, Any]) -> float | None:
    v = recovery_censored(m)
    return None if v is None else float(math.isinf(v))


def _cost_per_speedup(m: dict[str, Any]) -> float | None:
    tokens = _sum(_get(m, "paper", "tokens_in"), _get(m, "paper", "tokens_out"))
    s = _get(m, "speedup")
    return tokens / s if tokens is not None and s else None


METRICS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "makespan": lambda m: _get(m, "makespan"),
    "speedup": lambda m: _get(m, "speedup"),
    "efficiency": lambda m: _get(m, "efficiency"),
    "amdahl_bound": lambda m: _get(m, "amdahl_bound"),
    "replies": lambda m: _get(m, "paper", "messages"),
    "messages": lambda m: _get(m, "messages_sent"),
    "messages_per_subtask": lambda m: _get(m, "messages_per_subtask"),
    "conflicts": lambda m: _sum(_get(m, "claim_conflicts"), _get(m, "write_conflicts"), _get(m, "lock_denied")),
    "concurrent_writes": lambda m: _get(m, "paper", "concurrent_writes"),
    "idle_fraction": lambda m: _get(m, "idle_fraction"),
    "tokens": lambda m: _sum(_get(m, "paper", "tokens_in"), _get(m, "paper", "tokens_out")),
    "cost_usd": lambda m: _get(m, "cost_usd"),
    "cost_per_speedup": _cost_per_speedup,
    "recovery_s": recovery_time,
    "recovery_censored": recovery_censored,
    "unrecovered": _unrecovered,
    "fault_cost": lambda m: _get(m, "fault_cost"),
}
"""Per-run values by name. `conflicts` = claim + write conflicts + lock denials; `tokens` = in + out;
`cost_per_speedup` = tokens per unit of speedup; `recovery_s` = time until a faulty agent's held work was
reclaimed (runs where it was), `unrecovered` = 1 where it never was, `recovery_censored` = either (inf)."""


def value(row: CellRun, name: str) -> float | None:
    """One run's value of a metric (None when the run or the metric is missing)."""
    if row.metrics is None:
        return None
    if name == "amdahl_bound" and _get(row.metrics, "amdahl_bound") is None:
        return amdahl(row.params.p, workers(row.params))
    v = METRICS[name](row.metrics)
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def succeeded(row: CellRun) -> bool:
    return row.status == "done" and row.metrics is not None and bool(row.metrics.get("success", True))


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


@dataclass(frozen=True)
class SpeedupEstimate:
    """The paper's speedup at one team size: per suite mean(T1) / mean(Tn), averaged over suites."""

    architecture: str
    execution: str
    model: str
    p: float
    size: int
    speedup: float
    sem: float
    amdahl: float
    suites: dict[str, tuple[float, float]]
    """pack -> (speedup, SEM)"""


def _mean_se(xs: Sequence[float]) -> tuple[float, float]:
    m = statistics.fmean(xs)
    return m, (statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0)


def ratio_delta(t1: Sequence[float], tn: Sequence[float]) -> tuple[float, float]:
    """mean(t1) / mean(tn) and its standard error by the delta method:
    SE = S · sqrt((SE1 / mean1)² + (SEn / meann)²), with SE = sample SD / sqrt(k)."""
    a, sa = _mean_se(t1)
    b, sb = _mean_se(tn)
    s = a / b
    return s, s * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)


def baseline_runs(rows: Sequence[CellRun], like: CellParams) -> list[CellRun]:
    """Successful 1-agent, fault-free runs of `like`'s pack, p, execution and model: of its own architecture
    where there are any (as the paper does per mode), else of any architecture."""
    base = [r for r in rows if r.params.size == 1 and r.params.fault == "none" and succeeded(r)
            and (r.params.pack, r.params.p, r.params.execution, r.params.model)
            == (like.pack, like.p, like.execution, like.model)]
    same = [r for r in base if r.params.architecture == like.architecture]
    return same or base


def derive_speedups(rows: Sequence[CellRun]) -> list[CellRun]:
    """Rows where a successful run has no per-run speedup (imported data) get one: the mean makespan of its
    suite's successful 1-agent runs (`baseline_runs`) over its own makespan, and efficiency = speedup / n."""
    out = []
    for r in rows:
        m = r.metrics
        span = value(r, "makespan") if m is not None else None
        if m is None or m.get("speedup") is not None or not succeeded(r) or not span:
            out.append(r)
            continue
        t1 = [t for b in baseline_runs(rows, r.params) if (t := value(b, "makespan"))]
        if not t1:
            out.append(r)
            continue
        s = statistics.fmean(t1) / span
        out.append(replace(r, metrics={**m, "speedup": s, "efficiency": s / workers(r.params)}))
    return out


def paper_speedups(rows: Sequence[CellRun]) -> list[SpeedupEstimate]:
    """The paper's speedup for every (architecture, execution, model, p, size) of fault-free runs."""
    keys = sorted({(r.params.architecture, r.params.execution, r.params.model, r.params.p, r.params.size)
                   for r in rows if r.params.fault == "none"})
    out = []
    for arch, execu, model, p, size in keys:
        suites: dict[str, tuple[float, float]] = {}
        for pack in sorted({r.params.pack for r in rows}):
            tn = [value(r, "makespan") for r in rows if succeeded(r) and r.params.fault == "none"
                  and (r.params.pack, r.params.p, r.params.size, r.params.architecture, r.params.execution,
                       r.params.model) == (pack, p, size, arch, execu, model)]
            like = CellParams(pack, p, size, arch, execu, model)
            base = baseline_runs(rows, like)
            t1 = [t for r in base if (t := value(r, "makespan"))]
            tn_ok = [t for t in tn if t]
            if tn_ok and t1 and size == 1 and all(r.params.architecture == arch for r in base):
                suites[pack] = (1.0, 0.0)  # its own baseline: 1 by definition (as the paper reports n = 1)
            elif tn_ok and t1:
                suites[pack] = ratio_delta(t1, tn_ok)
        if suites:
            s = statistics.fmean(v[0] for v in suites.values())
            sem = math.sqrt(sum(v[1] ** 2 for v in suites.values())) / len(suites)
            n = max(1, size - 1) if arch == "lead" else size
            out.append(SpeedupEstimate(arch, execu, model, p, size, s, sem, amdahl(p, n), suites))
    return out
