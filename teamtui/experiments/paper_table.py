"""One comparable table for any sweep: the paper's 44 headline figures, pooled over models and packs, each with
its SEM, 95 % CI and number of runs; simulated and imported sweeps are read alike.

Over the sweep's finished fault-free runs (an imported run's numbers are the notebook's, `measures`):

* ``speedup["<arch>|<p>"]``: the mean, over models (× executions) and team sizes n = 2–5, of the paper's
  per-cell speedup — per model, architecture, p and n: the mean over packs of mean makespan of the
  successful baseline runs (`teamtui.experiments.speedup`'s rule: the 1-agent runs of the same
  architecture) / mean makespan of the successful n-agent runs. **SEM by the delta method over the
  whole pooled estimate**: the estimate is a function of independent sample means (each cell's baseline
  and team means per pack); its variance is Σ (∂S/∂mean)² · Var(mean), with Var(mean) = s² / k. This
  counts that the four sizes of one model share their baseline means (treating the cells as independent,
  √(Σ SEM²) / K, would understate the SEM). CI: ± 1.96 SEM; runs: team runs + baseline runs used.
* ``replies``, ``idle_rounds`` (all finished runs, as the notebook's figures) and ``concurrent_writes``
  (successful runs, as its conflicts figure) ``["<arch>|<n>"]``: mean over runs, SEM = s / √k, CI with
  Student's t (k − 1 degrees of freedom).
* ``straggler_gap_s["<arch>|<n>"]``: the per-round gaps (rounds with ≥ 2 replies whose latency is in
  (0, 180) s; slowest − mean) of all finished runs, pooled: the mean over rounds; SEM clustered by run
  (rounds of one run are not independent; the notebook's SEM over rounds is kept as ``sem_rounds``),
  CI with t on (runs − 1) degrees of freedom. A run without stored gaps is counted in ``unmeasured``.

Architectures are named preassigned, lead and decentralized (the harness's preassign_nolead and preassign
are preassigned), p as "0.2", n as an integer. With the paper's two architectures, three p and five sizes
this is 6 + 4 × 2 × 5 − 2 = 44 figures (no straggler gap in 1-agent teams).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from scipy import stats as sps

from teamtui.experiments.measures import round_gaps, succeeded, value
from teamtui.experiments.speedup import Baselines
from teamtui.experiments.table import CellParams, CellRun

SECTIONS = ("speedup", "replies", "idle_rounds", "straggler_gap_s", "concurrent_writes")
PER_RUN = {"replies": False, "idle_rounds": False, "concurrent_writes": True}
"""Per-run figures, and whether they are over successful runs only."""
TEAM_SIZES = (2, 3, 4, 5)
Z95 = 1.959963984540054
Entry = dict[str, Any]


def _t(df: int) -> float:
    return float(sps.t.ppf(0.975, df))


def _entry(mean: float, sem: float | None, q: float | None, runs: int, **extra: Any) -> Entry:
    ci = [mean - q * sem, mean + q * sem] if sem is not None and q is not None else None
    return {"mean": mean, "sem": sem, "ci": ci, "runs": runs, **extra}


def per_run_entry(xs: Sequence[float]) -> Entry:
    """Mean, SEM = s / √k and a t-based 95 % CI (none for a single run)."""
    k = len(xs)
    mean = statistics.fmean(xs)
    sem = statistics.stdev(xs) / math.sqrt(k) if k > 1 else None
    return _entry(mean, sem, _t(k - 1) if k > 1 else None, k)


def clustered_entry(clusters: Sequence[Sequence[float]], unmeasured: int = 0) -> Entry | None:
    """The mean over all values of all clusters (runs), with a cluster-robust SEM and a t CI on G − 1 df."""
    groups = [list(g) for g in clusters if len(g)]
    values = [x for g in groups for x in g]
    if len(values) < 1:
        return None
    n, g = len(values), len(groups)
    mean = statistics.fmean(values)
    sem = (math.sqrt(g / (g - 1) * sum(sum(x - mean for x in grp) ** 2 for grp in groups)) / n) if g > 1 else None
    naive = statistics.stdev(values) / math.sqrt(n) if n > 1 else None
    return _entry(mean, sem, _t(g - 1) if g > 1 else None, g, rounds=n, sem_rounds=naive, unmeasured=unmeasured)


def pooled_speedup(cells: Sequence[dict[str, tuple[list[float], list[float], tuple[Any, ...], tuple[Any, ...]]]],
                   ) -> tuple[float, float]:
    """The mean over cells of each cell's mean over packs of mean(t1) / mean(tn), and its delta-method SEM with
    shared means counted once. A cell maps pack -> (t1 makespans, tn makespans, key of t1's mean, key of tn's)."""
    grad: dict[tuple[Any, ...], float] = defaultdict(float)
    var: dict[tuple[Any, ...], float] = {}
    total = 0.0
    k = len(cells)
    for cell in cells:
        j = len(cell)
        for t1, tn, k1, kn in cell.values():
            b, t = statistics.fmean(t1), statistics.fmean(tn)
            w = 1.0 / (k * j)
            total += w * b / t
            grad[k1] += w / t
            grad[kn] -= w * b / t**2
            var[k1] = statistics.variance(t1) / len(t1) if len(t1) > 1 else 0.0
            var[kn] = statistics.variance(tn) / len(tn) if len(tn) > 1 else 0.0
    return total, math.sqrt(sum(grad[key] ** 2 * var[key] for key in grad))


def _speedups(rows: Sequence[CellRun]) -> dict[str, Entry]:
    base = Baselines(rows)
    team: dict[tuple[str, float, str, str, str, int], list[float]] = defaultdict(list)
    for r in rows:
        c = r.params
        if c.size in TEAM_SIZES and succeeded(r) and (t := value(r, "makespan")):
            team[(c.architecture, c.p, c.model, c.execution, c.pack, c.size)].append(t)
    out: dict[str, Entry] = {}
    for arch, p in sorted({(k[0], k[1]) for k in team}):
        cells, used_team, used_base = [], 0, set()
        for model, execu, n in sorted({(k[2], k[3], k[5]) for k in team if k[:2] == (arch, p)}):
            cell = {}
            for pack in sorted({k[4] for k in team if k[:4] == (arch, p, model, execu) and k[5] == n}):
                like = CellParams(pack, p, n, arch, execu, model)
                runs = base.of(like)
                t1 = [t for b in runs if (t := value(b, "makespan"))]
                if not t1:
                    continue
                tn = team[(arch, p, model, execu, pack, n)]
                key1 = ("t1", pack, p, execu, model, runs[0].params.architecture)
                cell[pack] = (t1, tn, key1, ("tn", pack, p, execu, model, arch, n))
                used_team += len(tn)
                used_base |= {id(b) for b in runs}
            if cell:
                cells.append(cell)
        if cells:
            mean, sem = pooled_speedup(cells)
            out[f"{arch}|{p:g}"] = _entry(mean, sem, Z95, used_team + len(used_base), team_runs=used_team,
                                          baseline_runs=len(used_base), cells=len(cells))
    return out


def paper_table(rows: Sequence[CellRun]) -> dict[str, dict[str, Entry]]:
    """The table (see the module docstring) of a sweep's rows; a figure without data is absent."""
    rows = [r for r in rows if r.params.fault == "none" and r.status == "done" and r.metrics is not None
            and r.params.p > 0]
    table: dict[str, dict[str, Entry]] = {"speedup": _speedups(rows)}
    groups: dict[tuple[str, int], list[CellRun]] = defaultdict(list)
    for r in rows:
        groups[(r.params.architecture, r.params.size)].append(r)
    for name, ok_only in PER_RUN.items():
        section = {}
        for (arch, n), runs in sorted(groups.items()):
            xs = [v for r in runs if (succeeded(r) or not ok_only) and (v := value(r, name)) is not None]
            if xs:
                section[f"{arch}|{n}"] = per_run_entry(xs)
        table[name] = section
    gaps = {}
    for (arch, n), runs in sorted(groups.items()):
        per_run = [round_gaps(r) for r in runs]
        entry = clustered_entry([g for g in per_run if g], sum(1 for g in per_run if g is None))
        if entry is not None:
            gaps[f"{arch}|{n}"] = entry
    table["straggler_gap_s"] = gaps
    return {name: table[name] for name in SECTIONS}


def figures(table: dict[str, dict[str, Entry]]) -> int:
    return sum(len(section) for section in table.values())
