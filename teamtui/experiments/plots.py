"""The report's figures (matplotlib, Agg backend, no pyplot state): each function writes one PNG, or
returns the sentence that says why the sweep has nothing to draw for it."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from teamtui.experiments.analysis import Analysis
from teamtui.experiments.hypotheses import fault_runs, team_runs
from teamtui.experiments.measures import amdahl, succeeded, value
from teamtui.experiments.stats import describe
from teamtui.experiments.table import CellRun

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
MARKERS = ("o", "s", "^", "D", "v")
ARCH_COLORS = {"preassigned": "#d62728", "decentralized": "#1f77b4", "lead": "#2ca02c"}
Plot = tuple[str, Path | None, str]
"""(name, the PNG written or None, a sentence about it)"""


def arch_color(arch: str, archs: Sequence[str]) -> str:
    """One colour per architecture in every figure."""
    return ARCH_COLORS.get(arch) or COLORS[(list(archs).index(arch) + 3) % len(COLORS)]


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def speedup_plot(a: Analysis, out: Path) -> Plot:
    groups = sorted({(e.architecture, e.execution) for e in a.speedups if e.size >= 2})  # not baselines alone
    if not groups:
        return ("speedup", None, "The sweep has no team sizes above 1, so there is no speedup to plot.")
    models = sorted({e.model for e in a.speedups})
    panels = [(m, arch, execu) for m in models for arch, execu in groups]
    ncols = len(groups) if len(models) > 1 else min(3, len(groups))
    nrows = -(-len(panels) // ncols)
    top = max(a.dims["sizes"])
    ns = [1 + i * (top - 1) / 100 for i in range(101)]
    fig = Figure(figsize=(4.6 * ncols + 2.2, 3.6 * nrows + 0.6))
    grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False).flatten()
    for ax, (model, arch, execu) in zip(grid, panels, strict=False):
        ax.plot(ns, ns, color="0.75", lw=1, label="linear (n)")
        lead = 1 if arch == "lead" else 0  # a lead team's workers are all but the lead
        for i, p in enumerate(sorted({e.p for e in a.speedups})):
            color = COLORS[i % len(COLORS)]
            pts = sorted((e.size, e.speedup, e.sem) for e in a.speedups
                         if (e.architecture, e.execution, e.p, e.model) == (arch, execu, p, model))
            if pts:
                ax.errorbar([x[0] for x in pts], [x[1] for x in pts], yerr=[x[2] for x in pts], color=color,
                            marker="o", capsize=3, label=f"p = {p:g} observed")
            ax.plot(ns, [amdahl(p, max(1.0, n - lead)) for n in ns], color=color, ls="--", lw=1.2,
                    label=f"p = {p:g} Amdahl bound")
        ax.set_title(f"{arch}, {execu}" + (f"\n{model}" if len(models) > 1 else ""), fontsize=10)
        ax.set_xticks(a.dims["sizes"])
        ax.grid(alpha=0.3)
        ax.set_xlabel("team size (agents)")
        ax.set_ylabel("speedup  T₁ / Tₙ  (mean ± SEM)")
    for ax in grid[len(panels):]:
        ax.set_visible(False)
    handles, labels = grid[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8)
    fig.suptitle("Speedup vs team size, with Amdahl's bound per dependency variant")
    fig.tight_layout(rect=(0, 0, 1 - 2.0 / (4.6 * ncols + 2.2), 1))
    fig.savefig(out / "speedup.png", dpi=110)
    return ("speedup", out / "speedup.png", "Speedup against team size per dependency variant (p), with the "
            "Amdahl bound 1 / ((1 − p) + p / n) dashed (n = agents doing subtasks: a lead team's all but its "
            "lead) and linear speedup in grey.")


def messages_plot(a: Analysis, rows: Sequence[CellRun], out: Path) -> Plot:
    if not a.fits and not a.reply_fits:
        return ("messages", None, "The sweep has fewer than two team sizes with messages, so there is no "
                "growth exponent to fit.")
    fig = Figure(figsize=(10.5, 4.4))
    axes = fig.subplots(1, 2)
    for ax, metric, fits, title in ((axes[0], "messages", a.fits, "agent-to-agent messages per run"),
                                    (axes[1], "replies", a.reply_fits, "replies per run (the paper's messages)")):
        for fit in fits:
            color = arch_color(fit.architecture, a.dims["architectures"])
            by_n: dict[int, list[float]] = defaultdict(list)
            for r in rows:
                v = value(r, metric)
                if (succeeded(r) and r.params.fault == "none" and r.params.architecture == fit.architecture
                        and v is not None and v > 0):
                    by_n[r.params.size].append(v)
            ns = sorted(by_n)
            ax.scatter([n for n in ns for _ in by_n[n]], [v for n in ns for v in by_n[n]], color=color, alpha=0.15,
                       s=10)
            ax.plot(ns, [sum(by_n[n]) / len(by_n[n]) for n in ns], "o", color=color)
            xs = [ns[0] + k * (ns[-1] - ns[0]) / 50 for k in range(51)]
            ax.plot(xs, [math.exp(fit.intercept) * x ** fit.exponent for x in xs], color=color,
                    label=f"{fit.architecture}: ∝ n^{fit.exponent:.2f} ± {fit.stderr:.2f} (R² {fit.r2:.2f})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(a.dims["sizes"], [str(n) for n in a.dims["sizes"]])
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        missing = [arch for arch in a.dims["architectures"] if arch not in {f.architecture for f in fits}]
        if missing:
            ax.text(0.98, 0.02, f"no fit (under two sizes with {metric} > 0): {', '.join(missing)}",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="0.3")
        ax.set_xlabel("team size (agents, log scale)")
        ax.set_ylabel(f"{metric} (log scale)")
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
        if fits:
            ax.legend(fontsize=8)
    fig.suptitle("Communication vs team size (dots: runs; circles: means; lines: least-squares fits in log-log)")
    return ("messages", _save(fig, out / "messages.png"), "Messages against team size on log-log axes, with the "
            "fitted growth exponent per architecture (2 would be O(n²)).")


def _bars(ax: Axes, rows: Sequence[CellRun], metric: str, archs: Sequence[str], sizes: Sequence[int]) -> None:
    width = 0.8 / max(1, len(archs))
    for i, arch in enumerate(archs):
        xs, ys, lo, hi = [], [], [], []
        for k, n in enumerate(sizes):
            st = describe([v for r in rows if r.params.architecture == arch and r.params.size == n
                           and (v := value(r, metric)) is not None])
            if st is not None:
                xs.append(k + (i - (len(archs) - 1) / 2) * width)
                ys.append(st.mean)
                lo.append(st.mean - st.lo)
                hi.append(st.hi - st.mean)
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, color=arch_color(arch, archs), label=arch)
    ax.set_xticks(range(len(sizes)), [str(n) for n in sizes])
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_xlabel("team size (agents)")
    ax.grid(alpha=0.3, axis="y")


def conflicts_plot(a: Analysis, rows: Sequence[CellRun], out: Path) -> Plot:
    team = team_runs(rows)
    sizes = sorted({r.params.size for r in team})
    if not sizes:
        return ("conflicts", None, "The sweep has no successful fault-free team runs, so there is no conflicts plot.")
    archs = sorted({r.params.architecture for r in team})
    fig = Figure(figsize=(10.5, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    _bars(ax1, team, "conflicts", archs, sizes)
    ax1.set_ylabel("conflicts per run (claim + write + lock denied)")
    ax1.set_title("Conflicts by architecture")
    _bars(ax2, team, "idle_fraction", archs, sizes)
    ax2.set_ylabel("idle fraction (mean over agents)")
    ax2.set_title("Idle agents by architecture")
    ax1.legend(fontsize=8)
    fig.suptitle("Conflicts and idleness (means with 95 % bootstrap CIs; fault-free runs)")
    return ("conflicts", _save(fig, out / "conflicts_idle.png"), "Conflicts and idle fraction per run by "
            "architecture and team size.")


def recovery_plot(a: Analysis, rows: Sequence[CellRun], out: Path) -> Plot:
    faulty = fault_runs(rows)
    if not faulty:
        return ("recovery", None, "The sweep has no fault conditions, so there is no recovery plot; add e.g. "
                "faults = [\"none\", \"stall:1@40+30\"] to its [sweep] table.")
    archs = sorted({r.params.architecture for r in faulty})
    conds = sorted({r.params.fault for r in faulty})
    fig = Figure(figsize=(10.5, 4.4))
    ax1, ax2 = fig.subplots(1, 2)
    width = 0.8 / len(archs)
    for i, arch in enumerate(archs):
        for ax, metric in ((ax1, "recovery_s"), (ax2, "fault_cost")):
            xs, ys, err_lo, err_hi = [], [], [], []
            for k, cond in enumerate(conds):
                sel = [r for r in faulty if r.params.architecture == arch and r.params.fault == cond]
                st = describe([v for r in sel if (v := value(r, metric)) is not None])
                x = k + (i - (len(archs) - 1) / 2) * width
                if metric == "recovery_s":
                    got = sum(1 for r in sel if value(r, metric) is not None)
                    held = sum(1 for r in sel if value(r, "recovery_censored") is not None)
                    ax.annotate(f"{got}/{held}", (x, st.hi if st else 0), ha="center", va="bottom", fontsize=7)
                if st is not None:
                    xs.append(x)
                    ys.append(st.mean)
                    err_lo.append(st.mean - st.lo)
                    err_hi.append(st.hi - st.mean)
            ax.bar(xs, ys, width, yerr=[err_lo, err_hi], capsize=3, color=arch_color(arch, archs), label=arch)
    for ax, label, title in ((ax1, "time until held work is reclaimed (s)",
                                                           "Recovery time (label: reclaimed / runs holding work)"),
                             (ax2, "makespan with fault − without (s)", "Fault cost")):
        ax.set_xticks(range(len(conds)), conds, fontsize=8)
        ax.set_xlim(-0.5, len(conds) - 0.5)  # annotations of empty bars stay inside
        ax.legend(handles=[Patch(color=arch_color(arch, archs), label=arch) for arch in archs], fontsize=8)
        ax.set_xlabel("fault condition")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("Recovering from a faulty agent (means with 95 % bootstrap CIs)")
    return ("recovery", _save(fig, out / "recovery.png"), "Recovery time and fault cost by architecture and "
            "fault condition.")


def cost_plot(a: Analysis, rows: Sequence[CellRun], out: Path) -> Plot:
    team = [r for r in team_runs(rows) if value(r, "cost_per_speedup") is not None]
    if not team:
        return ("cost", None, "No run has both tokens and a speedup, so there is no cost plot.")
    sizes = sorted({r.params.size for r in team})
    archs = sorted({r.params.architecture for r in team})
    fig = Figure(figsize=(6, 4.2))
    ax = fig.subplots()
    _bars(ax, team, "cost_per_speedup", archs, sizes)
    ax.set_ylabel("tokens per unit of speedup")
    ax.set_title("Cost per unit of speedup (tokens in + out ÷ speedup)")
    ax.legend(fontsize=8)
    return ("cost", _save(fig, out / "cost_per_speedup.png"), "Tokens spent per unit of speedup by architecture "
            "and team size (the sim has no prices, so tokens stand in for cost).")


def all_plots(a: Analysis, rows: Sequence[CellRun], out: Path) -> list[Plot]:
    out.mkdir(parents=True, exist_ok=True)
    return [speedup_plot(a, out), messages_plot(a, rows, out), conflicts_plot(a, rows, out),
            recovery_plot(a, rows, out), cost_plot(a, rows, out)]
