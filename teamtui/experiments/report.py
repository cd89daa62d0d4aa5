"""`teamtui report SWEEP`: analyse a recorded sweep, write its report directory, summarise it in the terminal.

The directory holds `report.md` (method, grid, tables, statistics, figures), the PNG figures and
`report.json` (the whole analysis). The terminal gets the key numbers and, drawn with plotext, speedup
and messages against team size; `--format json` prints the analysis as JSON instead.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from teamtui.experiments.analysis import Analysis, analyze
from teamtui.experiments.markdown import fmt_m, fmt_p, render
from teamtui.experiments.paper_table import figures
from teamtui.experiments.plots import all_plots
from teamtui.experiments.speedup import rule_speedups
from teamtui.experiments.table import CellRun, connect, list_sweeps, load_table, resolve_sweep
from teamtui.store.schema import RecorderError


def load(db: Path, ref: str) -> tuple[dict[str, Any], list[CellRun]]:
    """A sweep's description and its table."""
    with connect(db) as conn:
        sweep_id = resolve_sweep(conn, ref, db)
        row = next(s for s in list_sweeps(conn) if s.id == sweep_id)
        rows = load_table(conn, sweep_id)
    meta = {"id": row.id, "name": row.name, "source": row.source, "created": row.created, "status": row.status}
    return meta, rows


def write_report(db: Path, ref: str, out: Path | None, fmt: str) -> Path:
    meta, rows = load(db, ref)
    if not any(r.status == "done" for r in rows):
        raise RecorderError(f"sweep {meta['id']} has no finished runs yet; run it (teamtui sweep --resume "
                            f"{meta['id']}) first")
    rows = rule_speedups(rows)
    a = analyze(rows, meta)
    out = out or Path("reports") / meta["id"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        plots = all_plots(a, rows, out)
        (out / "report.md").write_text(render(a, rows, plots, meta), encoding="utf-8")
        data = {**a.to_dict(), "figures": [{"name": n, "file": p.name if p else None, "note": s}
                                           for n, p, s in plots]}
        text = json.dumps(strict_json(data), indent=2, allow_nan=False)
        (out / "report.json").write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise RecorderError(f"{out}: cannot write the report there: {exc.strerror}; choose another -o DIR") from None
    if fmt == "json":
        sys.stdout.write(text + "\n")
    else:
        terminal_summary(a, rows, out)
    return out


def strict_json(o: Any) -> Any:
    """JSON-safe: tuples as lists, and infinities (a recovery that never happened) and NaN as None."""
    if isinstance(o, dict):
        return {str(k): strict_json(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [strict_json(v) for v in o]
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _r(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f}"


def _warn(w: str | None) -> str:
    return f" (warning: {w})" if w else ""


def terminal_summary(a: Analysis, rows: list[CellRun], out: Path) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=140)
    sizes = a.dims["sizes"]
    model = f", {a.dims['models'][0]} (others in report.md)" if len(a.dims["models"]) > 1 else ""
    table = Table(title=f"sweep {a.sweep.get('id', '')}: speedup (mean ± SEM, Amdahl bound){model}",
                  title_justify="left")
    for col in ("architecture", "execution", "p", *(f"n={n}" for n in sizes)):
        table.add_column(col, no_wrap=True)
    est = {(e.architecture, e.execution, e.p, e.size): e for e in a.speedups if e.model == a.dims["models"][0]}
    for arch, execu, p in sorted({k[:3] for k in est}):
        cells = [f"{e.speedup:.2f}±{e.sem:.2f} ({e.amdahl:.2f})" if (e := est.get((arch, execu, p, n))) else "—"
                 for n in sizes]
        table.add_row(arch, execu, f"{p:g}", *cells)
    console.print(table)
    lines = [f"{a.done}/{a.cells} cells done, {a.succeeded} successful runs"]
    if a.mean_speedup is not None:
        lines.append(f"mean speedup {a.mean_speedup:.2f}× ("
                     + ", ".join(f"{k} {v:.2f}×" for k, v in a.mean_speedup_by_arch.items()) + ")")
    if a.wilcoxon:
        w = a.wilcoxon
        lines.append(f"below Amdahl in {w.below}/{w.n} team runs; Wilcoxon {fmt_p(w.pvalue)}, r = {_r(w.effect_r)}"
                     + _warn(w.warning))
    if a.kruskal:
        lines.append(f"across p: Kruskal–Wallis H = {a.kruskal.statistic:.1f}, {fmt_p(a.kruskal.pvalue)}, "
                     f"ε² = {a.kruskal.epsilon2 or 0:.3f}" + _warn(a.kruskal.warning))
    means = {(m.metric, m.architecture): m for m in [*a.means_fits, *a.reply_means_fits]}
    for f in [*a.fits, *a.reply_fits]:
        m = means.get((f.metric, f.architecture))
        by_means = f"; ratio of means n^{m.exponent:.2f} [{m.lo:.2f}, {m.hi:.2f}]" if m else ""
        lines.append(f"{f.metric} ∝ n^{f.exponent:.2f} ± {f.stderr:.2f} per run{by_means} ({f.architecture})")
    for c in a.mann_whitney:
        lines.append(f"{c.measure}: {c.a} {fmt_m(c.median_a)} vs {c.b} {fmt_m(c.median_b)}, "
                     f"Mann–Whitney {fmt_p(c.pvalue)}, r = {_r(c.effect_r)}" + _warn(c.warning))
    if a.not_measured:
        lines.append(f"not measured by these runs (not compared): {', '.join(a.not_measured)}")
    lines.append(f"the paper's headline figures: {figures(a.paper_table)} in report.md and report.json "
                 "(paper_table); teamtui compare SWEEP_A SWEEP_B sets two side by side")
    for line in lines:
        console.print(line, highlight=False)
    for chart in plotext_charts(a, rows, console.is_terminal):
        console.out(chart, highlight=False)
    console.print(f"report written to {out}/report.md (figures and report.json beside it)", highlight=False)


def plotext_charts(a: Analysis, rows: list[CellRun], color: bool) -> list[str]:
    import plotext as plt

    from teamtui.experiments.measures import succeeded, value

    charts = []
    for arch in a.dims["architectures"]:
        pts = [e for e in a.speedups if e.architecture == arch and e.execution == a.dims["executions"][0]
               and e.model == a.dims["models"][0]]
        if len({e.size for e in pts}) < 2:
            continue
        plt.clear_figure()
        plt.plotsize(78, 16)
        for i, p in enumerate(sorted({e.p for e in pts})):
            line = sorted((e.size, e.speedup, e.amdahl) for e in pts if e.p == p)
            mark = "ox+*#"[i % 5]  # tells the lines apart without colour too
            plt.plot([x[0] for x in line], [x[1] for x in line], label=f"p={p:g} observed", marker=mark)
            plt.plot([x[0] for x in line], [x[2] for x in line], label=f"p={p:g} Amdahl", marker=".")
        model = f" ({a.dims['models'][0]})" if len(a.dims["models"]) > 1 else ""
        plt.title(f"speedup vs team size — {arch}{model}")
        plt.xlabel("team size")
        plt.xticks(a.dims["sizes"])
        charts.append(plt.build())
    plt.clear_figure()
    plt.plotsize(78, 16)
    drawn = False
    for arch in a.dims["architectures"]:
        by_n: dict[int, list[float]] = {}
        for r in rows:
            v = value(r, "messages")
            if succeeded(r) and r.params.architecture == arch and r.params.fault == "none" and v and v > 0:
                by_n.setdefault(r.params.size, []).append(v)
        if len(by_n) >= 2:
            ns = sorted(by_n)
            plt.plot(ns, [sum(by_n[n]) / len(by_n[n]) for n in ns], label=arch,
                     marker="ox+*#"[a.dims["architectures"].index(arch) % 5])
            drawn = True
    if drawn:
        plt.xscale("log")
        plt.yscale("log")
        plt.title("messages per run vs team size (log-log)")
        plt.xlabel("team size")
        charts.append(plt.build())
    return charts if color else [plt.uncolorize(c) for c in charts]
