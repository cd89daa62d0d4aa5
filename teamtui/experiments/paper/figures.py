"""The paper's figures from an imported sweep, aggregated the way its notebook (`analyze_experiments.ipynb`) does.

Pure functions over `CellRun` rows whose metrics carry `paper_run` (what `teamtui import` stores); rows
without it (simulated sweeps) are ignored. Conditions: "preassign" = the harness modes preassign and
preassign_nolead, "decentralized" = decentralized. The rules, each the notebook's:

* speedup(model, condition, p, n) = mean over suites of (mean wall clock of successful n = 1 runs / mean
  wall clock of successful n-teammate runs); n = 1 is 1.0 by definition; SEM by the delta method:
  sqrt(sum over suites of s^2 (var_1 / (k_1 m_1^2) + var_n / (k_n m_n^2))) / K;
* conflicts: decentralized successful runs, mean and SEM per model of concurrent writes, rewrites and
  claims blocked; test failures: successful runs, per condition and model;
* straggler gap: per round with two or more replies whose latency (reply - round start) is in (0, 180) s,
  max - mean; mean and SEM over the rounds of all runs of a model, mode (decentralized, preassign_nolead),
  p and n (shown where there are at least two rounds);
* messages and idle rounds: all runs, per model and n, mean(decentralized) - mean(preassign) with
  SEM sqrt(var_d / k_d + var_p / k_p);
* tokens and the cost-speedup table: successful runs with tokens > 0, per suite, p, model and n means, then
  speedup, token multiple and efficiency (speedup / token multiple) averaged over suites.

`headline` adds the paper's summary statistics as teamtui defines them (the notebook does not compute them).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from teamtui.experiments.paper.stats import kruskal, mean, sem, var1, wilcoxon
from teamtui.experiments.table import CellRun
from teamtui.scenario.tasks import amdahl

Run = dict[str, Any]
CONDITIONS = {"preassign": ("preassign", "preassign_nolead"), "decentralized": ("decentralized",)}
STRAGGLER_MODES = ("decentralized", "preassign_nolead")
ERRORBAR = dict[str, float]


def paper_runs(rows: Iterable[CellRun]) -> list[Run]:
    """The imported runs' `paper_run` records (rows without one are not paper runs)."""
    return [r.metrics["paper_run"] for r in rows if r.metrics and isinstance(r.metrics.get("paper_run"), dict)]


def _in(runs: Iterable[Run], condition: str) -> list[Run]:
    return [r for r in runs if r["mode"] in CONDITIONS[condition]]


def _ok(runs: Iterable[Run]) -> list[Run]:
    """Successful runs (with a positive wall clock: a speedup needs one)."""
    return [r for r in runs if r["success"] is True and (r["wall_clock_seconds"] or 0) > 0]


def _labels(runs: Iterable[Run]) -> list[str]:
    return sorted({str(r["p_label"]) for r in runs}, reverse=True)


def _sizes(runs: Iterable[Run]) -> list[int]:
    return sorted({int(r["n_teammates"]) for r in runs})


def _models(runs: Iterable[Run]) -> list[str]:
    return sorted({str(r["model_dir"]) for r in runs})


def _bar(xs: Sequence[float]) -> ERRORBAR:
    return {"mean": mean(xs), "sem": sem(xs), "n": len(xs)}


def model_speedup(runs: list[Run], labels: list[str], sizes: list[int]) -> dict[str, dict[int, ERRORBAR | None]]:
    """One model and condition: speedup and delta-method SEM per p label and team size."""
    suites = sorted({str(r["suite"]) for r in runs})
    ok = _ok(runs)
    out: dict[str, dict[int, ERRORBAR | None]] = {}
    for lbl in labels:
        out[lbl] = {}
        for n in sizes:
            if n == 1:
                out[lbl][n] = {"mean": 1.0, "sem": 0.0, "k": 0}
                continue
            speedups, variances = [], []
            for suite in suites:
                here = [r for r in ok if r["suite"] == suite and r["p_label"] == lbl]
                base = [float(r["wall_clock_seconds"]) for r in here if r["n_teammates"] == 1]
                team = [float(r["wall_clock_seconds"]) for r in here if r["n_teammates"] == n]
                if not base or not team:
                    continue
                b, t = mean(base), mean(team)
                s = b / t
                speedups.append(s)
                variances.append(s**2 * (var1(base) / (len(base) * b**2) + var1(team) / (len(team) * t**2)))
            out[lbl][n] = ({"mean": mean(speedups), "sem": math.sqrt(math.fsum(variances)) / len(speedups),
                            "k": len(speedups)} if speedups else None)
    return out


def speedup(runs: list[Run]) -> dict[str, dict[str, dict[str, dict[int, ERRORBAR | None]]]]:
    labels, sizes = _labels(runs), _sizes(runs)
    return {cond: {m: model_speedup([r for r in _in(runs, cond) if r["model_dir"] == m], labels, sizes)
                   for m in _models(_in(runs, cond))} for cond in CONDITIONS}


def conflicts(runs: list[Run]) -> dict[str, dict[str, ERRORBAR]]:
    ok = _ok(_in(runs, "decentralized"))
    return {m: {k: _bar([float(r[k]) for r in ok if r["model_dir"] == m])
                for k in ("concurrent_writes", "rewrites", "claims_blocked")} for m in _models(ok)}


def test_failures(runs: list[Run]) -> dict[str, dict[str, ERRORBAR]]:
    return {cond: {m: _bar([float(r["test_failures"]) for r in _ok(_in(runs, cond)) if r["model_dir"] == m])
                   for m in _models(_ok(_in(runs, cond)))} for cond in CONDITIONS}


def straggler(runs: list[Run]) -> dict[str, dict[str, dict[str, dict[int, ERRORBAR]]]]:
    gaps: dict[tuple[str, str, str, int], list[float]] = defaultdict(list)
    for r in runs:
        if r["mode"] in STRAGGLER_MODES:
            gaps[(r["model_dir"], r["mode"], r["p_label"], int(r["n_teammates"]))].extend(r["round_gaps"])
    out: dict[str, dict[str, dict[str, dict[int, ERRORBAR]]]] = {}
    for (model, mode, lbl, n), g in sorted(gaps.items()):
        if len(g) >= 2:
            out.setdefault(model, {}).setdefault(mode, {}).setdefault(lbl, {})[n] = _bar(g)
    return out


def extra(runs: list[Run], key: str) -> dict[str, dict[int, dict[str, float]]]:
    """mean(decentralized) - mean(preassign) of a per-run count, per model and team size (all runs)."""
    out: dict[str, dict[int, dict[str, float]]] = {}
    for m in _models(runs):
        for n in _sizes(runs):
            d = [float(r[key]) for r in _in(runs, "decentralized") if r["model_dir"] == m and r["n_teammates"] == n]
            p = [float(r[key]) for r in _in(runs, "preassign") if r["model_dir"] == m and r["n_teammates"] == n]
            if d and p:
                out.setdefault(m, {})[n] = {"diff": mean(d) - mean(p),
                                            "sem": math.sqrt(var1(d) / len(d) + var1(p) / len(p))}
    return out


def _tokens(r: Run) -> float:
    return float(r.get("total_input_tokens", 0)) + float(r.get("total_output_tokens", 0))


def tokens(runs: list[Run]) -> dict[str, dict[str, dict[str, dict[int, ERRORBAR]]]]:
    out: dict[str, dict[str, dict[str, dict[int, ERRORBAR]]]] = {}
    for cond in CONDITIONS:
        ok = [r for r in _ok(_in(runs, cond)) if _tokens(r)]
        for m in _models(ok):
            for lbl in _labels(ok):
                for n in _sizes(ok):
                    g = [_tokens(r) for r in ok
                         if r["model_dir"] == m and r["p_label"] == lbl and r["n_teammates"] == n]
                    if g:
                        out.setdefault(cond, {}).setdefault(m, {}).setdefault(lbl, {})[n] = _bar(g)
    return out


def cost_speedup(runs: list[Run]) -> dict[str, dict[str, dict[str, dict[int, dict[str, float]]]]]:
    out: dict[str, dict[str, dict[str, dict[int, dict[str, float]]]]] = {}
    for cond in CONDITIONS:
        ok = [r for r in _ok(_in(runs, cond)) if _tokens(r)]
        groups: dict[tuple[str, str, str, int], list[Run]] = defaultdict(list)
        for r in ok:
            groups[(r["suite"], r["p_label"], r["model_dir"], int(r["n_teammates"]))].append(r)
        wc = {k: mean([float(r["wall_clock_seconds"]) for r in g]) for k, g in groups.items()}
        tok = {k: mean([_tokens(r) for r in g]) for k, g in groups.items()}
        cells: dict[tuple[str, str, int], list[tuple[float, float]]] = defaultdict(list)
        for (suite, lbl, m, n) in sorted(groups):
            base = (suite, lbl, m, 1)
            if base in groups:
                cells[(m, lbl, n)].append((wc[base] / wc[(suite, lbl, m, n)], tok[(suite, lbl, m, n)] / tok[base]))
        for (m, lbl, n), v in sorted(cells.items()):
            out.setdefault(cond, {}).setdefault(m, {}).setdefault(lbl, {})[n] = {
                "speedup": mean([s for s, _ in v]), "token_cost": mean([c for _, c in v]),
                "efficiency": mean([s / c for s, c in v])}
    return out


def run_speedups(runs: list[Run], condition: str) -> list[tuple[Run, float]]:
    """Each successful n > 1 run's wall clock against the mean of its model, suite and p's successful n = 1 runs."""
    ok = _ok(_in(runs, condition))
    base: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for r in ok:
        if r["n_teammates"] == 1:
            base[(r["model_dir"], r["mode"], r["suite"], r["p_label"])].append(float(r["wall_clock_seconds"]))
    return [(r, mean(base[k]) / float(r["wall_clock_seconds"])) for r in ok
            if r["n_teammates"] > 1 and (k := (r["model_dir"], r["mode"], r["suite"], r["p_label"])) in base]


def headline(runs: list[Run]) -> dict[str, dict[str, float]]:
    """Per condition: mean per-run speedup, Wilcoxon signed-rank against each run's Amdahl bound, and
    Kruskal–Wallis across p (see `run_speedups`)."""
    out = {}
    for cond in CONDITIONS:
        pairs = [(r, v) for r, v in run_speedups(runs, cond) if r["p_true"] is not None]
        if not pairs:
            continue
        s = [v for _, v in pairs]
        bound = [amdahl(float(r["p_true"]), int(r["n_teammates"])) for r, _ in pairs]
        by_p: dict[str, list[float]] = defaultdict(list)
        for r, v in pairs:
            by_p[str(r["p_label"])].append(v)
        w, k = wilcoxon(s, bound), kruskal(*(by_p[lbl] for lbl in sorted(by_p)))
        out[cond] = {"runs": len(s), "mean_speedup": mean(s), "mean_amdahl": mean(bound),
                     "below_amdahl": sum(1 for a, b in zip(s, bound, strict=True) if a < b),
                     "wilcoxon_W": w.statistic, "wilcoxon_p": w.p, "kruskal_H": k.statistic, "kruskal_p": k.p}
    return out


FIGURES: dict[str, Callable[[list[Run]], Any]] = {
    "speedup": speedup, "conflicts": conflicts, "test_failures": test_failures, "straggler": straggler,
    "messages": lambda runs: extra(runs, "messages"), "idle_rounds": lambda runs: extra(runs, "idle_rounds"),
    "tokens": tokens, "cost_speedup": cost_speedup, "headline": headline,
}


def tables(rows: list[CellRun]) -> dict[str, Any]:
    """Every figure's numbers from a sweep's rows (see the module docstring); {"runs": 0} without paper runs."""
    runs = paper_runs(rows)
    out: dict[str, Any] = {"runs": len(runs)}
    if runs:
        out.update({name: fn(runs) for name, fn in FIGURES.items()})
    return out
