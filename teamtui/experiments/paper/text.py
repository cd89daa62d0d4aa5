"""The paper figures (`paper_figures.tables`) as plain-text tables, for `teamtui import --figures`."""

from __future__ import annotations

from typing import Any

from teamtui.scenario.tasks import amdahl


def _pm(bar: dict[str, float] | None, digits: int = 2) -> str:
    return "—" if bar is None else f"{bar['mean']:.{digits}f} ± {bar['sem']:.{digits}f}"


def _p(label: str) -> float:
    return int(label[1:]) / 10 if label[1:].isdigit() else 0.0


def speedup_lines(t: dict[str, Any]) -> list[str]:
    out = ["Speedup vs the n = 1 baseline (mean over suites ± delta-method SEM; [Amdahl bound])"]
    for cond, models in t["speedup"].items():
        for model, labels in models.items():
            for lbl, by_n in labels.items():
                cells = [f"n={n}: {_pm(v)} [{amdahl(_p(lbl), int(n)):.2f}]" for n, v in by_n.items()]
                out.append(f"  {cond:<13} {model:<30} {lbl}  " + "  ".join(cells))
    return out


def conflict_lines(t: dict[str, Any]) -> list[str]:
    out = ["Consistency conflicts, decentralized, successful runs (mean ± SEM per run)"]
    for model, bars in t["conflicts"].items():
        out.append(f"  {model:<30} " + "  ".join(f"{k.replace('_', ' ')} {_pm(v)}" for k, v in bars.items()))
    out.append("Failed test runs (pytest exit 1-3), successful runs (mean ± SEM per run)")
    for cond, models in t["test_failures"].items():
        for model, bar in models.items():
            out.append(f"  {cond:<13} {model:<30} {_pm(bar)}")
    return out


def straggler_lines(t: dict[str, Any]) -> list[str]:
    out = ["Straggler gap, s (max - mean reply latency per round; mean ± SEM over rounds)"]
    for model, modes in t["straggler"].items():
        for mode, labels in modes.items():
            for lbl, by_n in labels.items():
                cells = "  ".join(f"n={n}: {_pm(v)}" for n, v in by_n.items())
                out.append(f"  {model:<30} {mode:<17} {lbl}  {cells}")
    return out


def extra_lines(t: dict[str, Any]) -> list[str]:
    out = []
    for key, title in (("messages", "Extra agent messages"), ("idle_rounds", "Extra idle rounds")):
        out.append(f"{title} per run, decentralized - preassign (all runs; ± SEM)")
        for model, by_n in t[key].items():
            out.append(f"  {model:<30} " + "  ".join(f"n={n}: {v['diff']:+.2f} ± {v['sem']:.2f}"
                                                    for n, v in by_n.items()))
    return out


def cost_lines(t: dict[str, Any]) -> list[str]:
    out = ["Cost-speedup (successful runs with tokens; speedup / token multiple / efficiency, mean over suites)"]
    for cond, models in t["cost_speedup"].items():
        for model, labels in models.items():
            for lbl, by_n in labels.items():
                cells = "  ".join(f"n={n}: {v['speedup']:.2f}×/{v['token_cost']:.2f}×/{v['efficiency']:.2f}"
                                  for n, v in by_n.items())
                out.append(f"  {cond:<13} {model:<30} {lbl}  {cells}")
    return out


def headline_lines(t: dict[str, Any]) -> list[str]:
    out = ["Summary (per-run speedup vs the mean n = 1 run of its model, suite and p; successful runs, n > 1)"]
    for cond, h in t["headline"].items():
        out.append(f"  {cond:<13} runs {h['runs']}, mean speedup {h['mean_speedup']:.2f}×"
                   f" (Amdahl {h['mean_amdahl']:.2f}×, {h['below_amdahl']} below it),"
                   f" Wilcoxon W = {h['wilcoxon_W']:.1f} p = {h['wilcoxon_p']:.2g},"
                   f" Kruskal–Wallis across p H = {h['kruskal_H']:.1f} p = {h['kruskal_p']:.2g}")
    return out


def render(t: dict[str, Any]) -> str:
    """Every table, one block each; a note when the sweep has no imported paper runs."""
    if not t.get("runs"):
        return "no imported paper runs in this sweep (teamtui import PATH stores them)\n"
    blocks = [[f"The paper's figures from {t['runs']} imported runs (its notebook's aggregations)"],
              speedup_lines(t), conflict_lines(t), straggler_lines(t), extra_lines(t), cost_lines(t),
              headline_lines(t)]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"
