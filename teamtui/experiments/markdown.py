"""The sweep report as Markdown: method, grid, results tables, the statistics in words and numbers, figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from teamtui.experiments.analysis import Analysis
from teamtui.experiments.hypotheses import Compared
from teamtui.experiments.markdown_tables import growth_lines, kim_section, paper_table_section
from teamtui.experiments.stats import Stat, summarize_conditions
from teamtui.experiments.table import CellRun

ALPHA = 0.05


def fmt_p(p: float) -> str:
    return f"p < 0.001 (p = {p:.1e})" if p < 0.001 else f"p = {p:.3f}"


def _s(st: Stat | None, digits: int = 2) -> str:
    if st is None:
        return "—"
    if st.lo == st.hi:
        return f"{st.mean:.{digits}f}"
    return f"{st.mean:.{digits}f} [{st.lo:.{digits}f}, {st.hi:.{digits}f}]"


METHOD = """Every cell of the grid is one recorded run (`teamtui replay RUN` shows it). **Speedup** is computed as
the paper does: for each task pack (suite), the mean makespan of successful 1-agent runs divided by the mean
makespan of successful n-agent runs, then averaged over packs; its standard error comes from the delta method
per pack (SE of a ratio of means) combined over packs. **One baseline rule**: {rule} The **Amdahl bound** is
1 / ((1 − p) + p / n) with n the agents doing subtasks. Means come with 95 % bootstrap confidence intervals of
the mean (percentile method, 2,000 resamples, fixed seed). Tests (scipy, two-sided, α = 0.05), each with an
effect size and a warning when the sample is too small for it: Wilcoxon signed-rank of each team run's
speedup against its Amdahl bound (matched-pairs rank-biserial r; r < 0: below the bound); Kruskal–Wallis of
speedup across dependency variants (ε² = H / (n − 1)); Mann–Whitney U between architectures (rank-biserial
r = P(a > b) − P(a < b)). Growth exponents by two estimators over the same runs (every finished fault-free
run): the per-run least-squares slope of log(value) on log(team size) (runs with a positive value), and the
slope of log(mean value) on log(team size), the ratio of means, with a cluster-bootstrap CI over grid points.
**Team runs** are successful fault-free runs of two or more agents. *Messages* are agent-to-agent messages
(a broadcast counts once per recipient); *replies* are completed LLM calls, which the paper calls messages.
*Conflicts* = claim conflicts + write conflicts + lock denials; *concurrent writes* and *idle rounds* are the
paper's. A figure a run's source does not record (an imported run's tokens per call, messages or conflicts)
is not measured — left out, never counted as 0."""


def _eps(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def fmt_m(v: float) -> str:
    return "never" if math.isinf(v) else f"{v:.3g}"


def _r(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f}"


def _warn(w: str | None) -> str:
    return f" **Warning: {w}.**" if w else ""


def _compare_sentence(c: Compared) -> str:
    sig = c.pvalue < ALPHA
    if not sig:
        verdict = "no significant difference"
    else:
        verdict = f"{c.b} {'higher' if (c.effect_r or 0) < 0 else 'lower'}"
    return (f"| {c.measure} | {fmt_m(c.median_a)} (n={c.n_a}) | {fmt_m(c.median_b)} (n={c.n_b}) | "
            f"U = {c.statistic:.0f}, {fmt_p(c.pvalue)} | {_r(c.effect_r)} | {verdict}{_warn(c.warning)} |")


def statistics_section(a: Analysis) -> list[str]:
    out = ["## Statistics", ""]
    if a.mean_speedup is not None:
        by = ", ".join(f"{k} {v:.2f}×" for k, v in a.mean_speedup_by_arch.items())
        out.append(f"- **Mean speedup** over fault-free team conditions: **{a.mean_speedup:.2f}×** ({by}); "
                   f"mean per-run speedup {a.mean_run_speedup:.2f}×." if a.mean_run_speedup is not None else
                   f"- **Mean speedup** over fault-free team conditions: **{a.mean_speedup:.2f}×** ({by}).")
    w = a.wilcoxon
    if w is not None:
        where = "significantly below" if w.pvalue < ALPHA and w.median_speedup < w.median_bound else (
            "significantly different from" if w.pvalue < ALPHA else "not significantly different from")
        out.append(f"- **Speedup vs Amdahl's bound**: in {w.below} of {w.n} team runs the observed speedup was "
                   f"below its bound (median {w.median_speedup:.2f}× vs {w.median_bound:.2f}×); Wilcoxon "
                   f"signed-rank W = {w.statistic:.0f}, {fmt_p(w.pvalue)}, matched-pairs r = {_r(w.effect_r)}: "
                   f"observed speedup is {where} the bound.{_warn(w.warning)}")
    else:
        out.append("- Speedup vs Amdahl's bound: not tested (fewer than two team runs with a speedup).")
    k = a.kruskal
    if k is not None:
        meds = ", ".join(f"p = {g}: {m:.2f}×" for g, m in k.medians.items())
        verdict = "differed" if k.pvalue < ALPHA else "did not differ significantly"
        out.append(f"- **Dependency structure**: speedup {verdict} across variants (median {meds}); "
                   f"Kruskal–Wallis H = {k.statistic:.1f}, {fmt_p(k.pvalue)}, ε² = {_eps(k.epsilon2)}."
                   f"{_warn(k.warning)}")
        for arch, g in a.kruskal_by_arch.items():
            if g is not None:
                out.append(f"  - {arch} alone: H = {g.statistic:.1f}, {fmt_p(g.pvalue)}, ε² = {_eps(g.epsilon2)}."
                           f"{_warn(g.warning)}")
    else:
        out.append("- Dependency structure: not tested (the sweep has fewer than two p variants with team runs).")
    out += growth_lines(a)
    if a.mann_whitney:
        c0 = a.mann_whitney[0]
        out += ["", f"**{c0.a} vs {c0.b}** (Mann–Whitney U; medians; fault_cost and recovery_censored over fault "
                "runs — recovery_censored is the time until the faulty agent's held work was taken over, never if "
                "it was not — the rest over team runs; r = P(a > b) − P(a < b)):", "",
                f"| measure | {c0.a} | {c0.b} | test | r | verdict |", "|---|---|---|---|---|---|"]
        out += [_compare_sentence(c) for c in a.mann_whitney]
        if a.not_measured:
            out += ["", f"Not measured by this sweep's runs, so not compared: {', '.join(a.not_measured)}."]
    else:
        out.append("- Architectures: not compared (the sweep has one architecture).")
    if "none" in a.dims["faults"] and len(a.dims["faults"]) == 1:
        out += ["", "The sweep has no fault conditions, so recovery time and fault cost are not measured."]
    return out


def results_table(rows: Sequence[CellRun]) -> list[str]:
    pooled = [replace(r, params=replace(r.params, pack="all")) for r in rows]
    cols = ("speedup", "efficiency", "amdahl_bound", "messages", "messages_per_subtask", "replies", "conflicts",
            "idle_fraction", "tokens", "recovery_s", "unrecovered", "fault_cost")
    out = ["## Results per grid point", "",
           "Over all packs and trials; mean [95 % CI]. Per-run speedup follows the baseline rule (Method).", "",
           "| arch | exec | model | p | n | fault | ok/runs | " + " | ".join(cols) + " |",
           "|" + "---|" * (7 + len(cols))]
    for c in summarize_conditions(pooled):
        _, p, n, arch, execu, model, fault = c.condition
        cells = [_s(c.stats[m], 0 if m in ("tokens", "messages", "replies") else 2) for m in cols]
        out.append(f"| {arch} | {execu} | {model} | {p:g} | {n} | {fault} | {c.successes}/{c.runs} | "
                   + " | ".join(cells) + " |")
    return out


def speedup_table(a: Analysis) -> list[str]:
    sizes = list(a.dims["sizes"])
    keys = sorted({(e.architecture, e.execution, e.model, e.p) for e in a.speedups})
    est = {(e.architecture, e.execution, e.model, e.p, e.size): e for e in a.speedups}
    out = ["## Speedup (the paper's definition)", "", "Mean ± SEM; Amdahl's bound in brackets.", "",
           "| arch | exec | model | p | " + " | ".join(f"n = {n}" for n in sizes) + " |",
           "|" + "---|" * (4 + len(sizes))]
    for k in keys:
        cells = []
        for n in sizes:
            e = est.get((*k, n))
            cells.append(f"{e.speedup:.2f} ± {e.sem:.2f} ({e.amdahl:.2f})" if e else "—")
        out.append(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]:g} | " + " | ".join(cells) + " |")
    return out


def render(a: Analysis, rows: Sequence[CellRun], plots: Sequence[tuple[str, Path | None, str]],
           meta: dict[str, Any]) -> str:
    d = a.dims
    grid = [("team sizes", d["sizes"]), ("architectures", d["architectures"]), ("executions", d["executions"]),
            ("p (dependency variants)", d["p"]), ("task packs", d["packs"]), ("models", d["models"]),
            ("fault conditions", d["faults"]), ("trials per grid point", [len(d["trials"])])]
    out = [f"# Sweep {meta.get('id', '')}: {meta.get('name', '')}", "",
           f"Source `{meta.get('source', '')}`, created {meta.get('created', '')}, status {meta.get('status', '')}. "
           f"{a.cells} cells: {a.done} done ({a.succeeded} successful runs), {a.failed} failed, {a.pending} pending.",
           "", "## Method", "", METHOD.format(rule=a.baseline_rule), "", "## Grid", "", "| axis | values |",
           "|---|---|"]
    out += [f"| {k} | {', '.join(str(x) for x in v)} |" for k, v in grid]
    out += ["", *statistics_section(a), "", *speedup_table(a), "", *paper_table_section(a), "", *kim_section(a), "",
            "## Figures", ""]
    for name, path, sentence in plots:
        out += ([f"![{name}]({path.name})", "", f"*{sentence}*", ""] if path is not None
                else [f"*{name}: {sentence}*", ""])
    out += [*results_table(rows), ""]
    return "\n".join(out)
