"""The one baseline rule of every report: per-run speedups and the paper's speedup against the same 1-agent runs.

**The baseline rule.** The 1-agent baseline of a run is the set of successful, fault-free 1-agent runs of
the same task pack, p, execution and model *and of the same architecture* (the paper's notebook computes
each mode against its own n = 1 runs); only when the sweep has no successful 1-agent run of that
architecture, those of any architecture (a sweep adds 1-agent `preassigned` runs, one worker given
everything, when its grid lacks them). Both figures use it:

* a run's speedup (what every statistical test reads) = mean makespan of its baseline runs / its makespan;
* the paper's speedup at (architecture, execution, model, p, n) = per pack, mean makespan of the baseline
  runs / mean makespan of the successful n-agent runs, averaged over packs (n = 1 is 1 by definition when
  its baseline is its own runs); SEM by the delta method per pack, √(Σ Var) / K over the K packs.

A simulated run also stores a speedup against its own same-seed 1-agent run; `rule_speedups` keeps that one
as `speedup_same_seed` and puts the rule's figure in `speedup`, so no statistic mixes the two.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from teamtui.experiments.measures import amdahl, succeeded, value, workers
from teamtui.experiments.table import CellParams, CellRun

BASELINE_RULE = ("Every speedup — per run (the tests) and per grid point (the tables) — is against one baseline: "
                 "the successful fault-free 1-agent runs of the same pack, p, execution, model and architecture "
                 "(the paper's rule: each mode against its own n = 1 runs), or of any architecture when the sweep "
                 "has none of that one; a run's speedup is their mean makespan over its own.")


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


def mean_se(xs: Sequence[float]) -> tuple[float, float]:
    """The mean and its standard error (sample SD / √k; 0 for one value)."""
    m = statistics.fmean(xs)
    return m, (statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0)


def ratio_delta(t1: Sequence[float], tn: Sequence[float]) -> tuple[float, float]:
    """mean(t1) / mean(tn) and its standard error by the delta method:
    SE = S · sqrt((SE1 / mean1)² + (SEn / meann)²), with SE = sample SD / sqrt(k)."""
    a, sa = mean_se(t1)
    b, sb = mean_se(tn)
    s = a / b
    return s, s * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)


class Baselines:
    """The 1-agent, fault-free, finished runs of a sweep by (pack, p, execution, model), and the rule over them."""

    def __init__(self, rows: Sequence[CellRun]) -> None:
        self.groups: dict[tuple[str, float, str, str], list[CellRun]] = defaultdict(list)
        for r in rows:
            if r.params.size == 1 and r.params.fault == "none" and r.status == "done" and r.metrics is not None:
                self.groups[(r.params.pack, r.params.p, r.params.execution, r.params.model)].append(r)

    def of(self, like: CellParams, successful: bool = True) -> list[CellRun]:
        """`like`'s baseline runs by the rule (module docstring); with `successful=False` every finished one
        (failures too, for failure rates), of its architecture where the sweep has any."""
        pool = self.groups.get((like.pack, like.p, like.execution, like.model), [])
        if successful:
            pool = [r for r in pool if succeeded(r)]
        same = [r for r in pool if r.params.architecture == like.architecture]
        return same or pool

    def makespans(self, like: CellParams) -> list[float]:
        return [t for r in self.of(like) if (t := value(r, "makespan"))]


def baseline_runs(rows: Sequence[CellRun], like: CellParams) -> list[CellRun]:
    """`like`'s baseline runs by the rule (see the module docstring)."""
    return Baselines(rows).of(like)


def rule_speedups(rows: Sequence[CellRun]) -> list[CellRun]:
    """Every finished run with metrics gets the rule's `speedup` and `efficiency` (None for a failed run or one
    without a baseline); a speedup it stored against its same-seed run moves to `speedup_same_seed`."""
    base = Baselines(rows)
    out = []
    for r in rows:
        m = r.metrics
        if m is None:
            out.append(r)
            continue
        span = value(r, "makespan")
        t1 = base.makespans(r.params) if succeeded(r) and span else []
        s = statistics.fmean(t1) / span if t1 and span else None
        same_seed = m["speedup_same_seed"] if "speedup_same_seed" in m else m.get("speedup")  # idempotent
        out.append(replace(r, metrics={**m, "speedup_same_seed": same_seed, "speedup": s,
                                       "efficiency": s / workers(r.params) if s is not None else None}))
    return out


def paper_speedups(rows: Sequence[CellRun]) -> list[SpeedupEstimate]:
    """The paper's speedup for every (architecture, execution, model, p, size) of fault-free runs."""
    base = Baselines(rows)
    spans: dict[tuple[str, float, int, str, str, str], list[float]] = defaultdict(list)
    for r in rows:
        if succeeded(r) and r.params.fault == "none" and (t := value(r, "makespan")):
            c = r.params
            spans[(c.pack, c.p, c.size, c.architecture, c.execution, c.model)].append(t)
    keys = sorted({(r.params.architecture, r.params.execution, r.params.model, r.params.p, r.params.size)
                   for r in rows if r.params.fault == "none"})
    packs = sorted({r.params.pack for r in rows})
    out = []
    for arch, execu, model, p, size in keys:
        suites: dict[str, tuple[float, float]] = {}
        for pack in packs:
            tn = spans.get((pack, p, size, arch, execu, model), [])
            like = CellParams(pack, p, size, arch, execu, model)
            t1 = base.makespans(like)
            if tn and t1 and size == 1 and all(r.params.architecture == arch for r in base.of(like)):
                suites[pack] = (1.0, 0.0)  # its own baseline: 1 by definition (as the paper reports n = 1)
            elif tn and t1:
                suites[pack] = ratio_delta(t1, tn)
        if suites:
            s = statistics.fmean(v[0] for v in suites.values())
            sem = math.sqrt(sum(v[1] ** 2 for v in suites.values())) / len(suites)
            n = max(1, size - 1) if arch == "lead" else size
            out.append(SpeedupEstimate(arch, execu, model, p, size, s, sem, amdahl(p, n), suites))
    return out
