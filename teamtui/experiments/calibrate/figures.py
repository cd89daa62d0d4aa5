"""The summary statistics a calibration matches, per cell of runs, computed as `experiments.paper_table` does.

Per (architecture, n): the mean replies, idle rounds and success rate over all runs, the share of runs with an
idle round (how idleness is spread over runs, which the paper's rank test of idle rounds reads), the mean
concurrent writes
over successful runs (each a mean with SEM = s / √k, `paper_table.per_run_entry`), and the pooled straggler
gap over rounds with its SEM clustered by run (`paper_table.clustered_entry`; n ≥ 2). Per (architecture, p):
the paper-rule speedup, the mean over team sizes n = 2–5 of the per-pack ratio of the mean makespan of the
successful 1-agent runs of the same architecture to that of the successful n-agent runs, averaged over packs,
with the delta-method SEM of `paper_table.pooled_speedup`. One model's runs give one set of these.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teamtui.experiments.calibrate.simulate import RunRecord
from teamtui.experiments.paper_table import TEAM_SIZES, clustered_entry, per_run_entry, pooled_speedup

PER_SIZE = ("replies", "idle_rounds", "idle_share", "concurrent_writes", "success", "straggler_gap_s")
PER_P = ("speedup",)
Key = tuple[str, str, float]
"""(figure, architecture, n or p)."""


@dataclass(frozen=True)
class Stat:
    mean: float
    sem: float
    runs: int


def label(key: Key) -> str:
    fig, arch, x = key
    return f"{fig} {arch} {'p' if fig in PER_P else 'n'}={x:g}"


def _entry(xs: Sequence[float]) -> Stat | None:
    if not xs:
        return None
    e = per_run_entry(xs)
    return Stat(e["mean"], e["sem"] if e["sem"] is not None else 0.0, len(xs))


def per_size(records: Sequence[RunRecord]) -> dict[Key, Stat]:
    groups: dict[tuple[str, int], list[RunRecord]] = defaultdict(list)
    for r in records:
        groups[(r.architecture, r.size)].append(r)
    out: dict[Key, Stat] = {}
    for (arch, n), runs in sorted(groups.items()):
        values = {"replies": [r.replies for r in runs], "idle_rounds": [r.idle_rounds for r in runs],
                  "idle_share": [float(r.idle_rounds > 0) for r in runs],
                  "success": [float(r.success) for r in runs],
                  "concurrent_writes": [r.concurrent_writes for r in runs if r.success]}
        for fig, xs in values.items():
            if (s := _entry(xs)) is not None:
                out[(fig, arch, float(n))] = s
        if n >= 2:
            gap = clustered_entry([r.gaps for r in runs if r.gaps])
            if gap is not None:
                out[("straggler_gap_s", arch, float(n))] = Stat(gap["mean"], gap["sem"] or 0.0, gap["runs"])
    return out


def speedups(records: Sequence[RunRecord]) -> dict[Key, Stat]:
    t1: dict[tuple[str, str, float], list[float]] = defaultdict(list)
    tn: dict[tuple[str, str, float, int], list[float]] = defaultdict(list)
    for r in records:
        if r.success and r.makespan > 0:
            if r.size == 1:
                t1[(r.architecture, r.pack, r.p)].append(r.makespan)
            elif r.size in TEAM_SIZES:
                tn[(r.architecture, r.pack, r.p, r.size)].append(r.makespan)
    out: dict[Key, Stat] = {}
    for arch, p in sorted({(k[0], k[2]) for k in tn}):
        cells: list[dict[str, Any]] = []
        runs = 0
        for n in TEAM_SIZES:
            cell = {}
            for (a, pack, q, size), spans in sorted(tn.items()):
                base = t1.get((a, pack, q))
                if (a, q, size) == (arch, p, n) and base:
                    cell[pack] = (base, spans, ("t1", pack), ("tn", pack, n))
                    runs += len(spans)
            if cell:
                cells.append(cell)
        if cells:
            mean, sem = pooled_speedup(cells)
            out[("speedup", arch, p)] = Stat(mean, sem, runs)
    return out


def figures(records: Sequence[RunRecord]) -> dict[Key, Stat]:
    """Every statistic of these runs (see the module docstring)."""
    return {**per_size(records), **speedups(records)}


def sem_floor(key: Key, observed: float) -> float:
    """The smallest error a statistic is held to: 5 % of its observed size, and a little in its own units (a
    model never matches real runs more closely than that, and a cell of identical runs has SEM 0)."""
    absolute = {"replies": 0.5, "idle_rounds": 0.5, "idle_share": 0.02, "concurrent_writes": 0.25, "success": 0.02,
                "straggler_gap_s": 0.1, "speedup": 0.02}[key[0]]
    return max(absolute, 0.05 * abs(observed))


def summary(stats: dict[Key, Stat]) -> dict[str, list[float]]:
    """Statistics by label as [mean, SEM, runs], for the cache and the reports."""
    return {label(k): [round(s.mean, 6), round(s.sem, 6), s.runs] for k, s in sorted(stats.items())}


def from_summary(keys: Sequence[Key], data: dict[str, list[float]]) -> dict[Key, Stat]:
    """The statistics of `keys` that a `summary` holds."""
    return {k: Stat(float(v[0]), float(v[1]), int(v[2])) for k in keys if (v := data.get(label(k))) is not None}


def mean_of(xs: Sequence[float]) -> float:
    return statistics.fmean(xs) if xs else math.nan
