"""Report sections as Markdown tables: the paper's 44 headline figures, Kim et al.'s coordination figures, and the
growth exponents by both estimators."""

from __future__ import annotations

from typing import Any

from teamtui.experiments.analysis import Analysis
from teamtui.experiments.paper_table import SECTIONS, figures

TITLES = {"speedup": "speedup (pooled over models and n = 2–5)", "replies": "replies per run",
          "idle_rounds": "idle rounds per run", "straggler_gap_s": "straggler gap (s, pooled over rounds)",
          "concurrent_writes": "concurrent writes per run (successful runs)"}


def label(key: str, axis: str) -> str:
    """`decentralized|0.2` as a Markdown cell can hold it: `decentralized, p = 0.2`."""
    arch, _, x = key.partition("|")
    return f"{arch}, {axis} = {x}"


def fmt_entry(e: dict[str, Any] | None, digits: int = 2) -> str:
    if e is None:
        return "—"
    ci = e["ci"]
    span = f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else ""
    return f"{e['mean']:.{digits}f}{span} ({e['runs']})"


def paper_table_section(a: Analysis) -> list[str]:
    t = a.paper_table
    out = ["## The paper's headline figures", "",
           f"{figures(t)} figures (the paper's grid gives 44), pooled over models and packs: mean [95 % CI] "
           "(runs). Speedup: the mean over models and n = 2–5 of the paper's per-cell speedup, SEM by the "
           "delta method over the pooled estimate (shared 1-agent means counted once), CI ± 1.96 SEM. "
           "Per-run figures: replies and idle rounds over all finished runs, concurrent writes over successful "
           "ones, CI with Student's t. Straggler gap: per round with ≥ 2 replies whose latency is in (0, 180) s, "
           "slowest − mean, pooled over rounds, SEM clustered by run. `teamtui compare A B` sets two sweeps' "
           "tables side by side.", ""]
    if t["speedup"]:
        out += ["| speedup | " + " | ".join(label(k, "p") for k in t["speedup"]) + " |",
                "|---" * (len(t["speedup"]) + 1) + "|",
                "| mean [CI] (runs) | " + " | ".join(fmt_entry(e) for e in t["speedup"].values()) + " |", ""]
    keys = sorted({k for s in SECTIONS[1:] for k in t[s]}, key=lambda k: (k.split("|")[0], int(k.split("|")[1])))
    if keys:
        out += ["| arch | n | " + " | ".join(TITLES[s] for s in SECTIONS[1:]) + " |", "|---" * 6 + "|"]
        for k in keys:
            arch, n = k.split("|")
            out.append(f"| {arch} | {n} | " + " | ".join(
                fmt_entry(t[s].get(k), 2 if s == "straggler_gap_s" else 1) for s in SECTIONS[1:]) + " |")
    unmeasured = sum(e.get("unmeasured", 0) for e in t["straggler_gap_s"].values())
    if unmeasured:
        out += ["", f"{unmeasured} runs have no per-round gaps stored (recorded before teamtui kept them, or async "
                "execution): the straggler gap leaves them out."]
    return out


def _f(v: float | None, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def kim_section(a: Analysis) -> list[str]:
    if not a.kim:
        return []
    out = ["## Coordination figures of Kim et al. 2025", "",
           "After *Towards a science of scaling agent systems* (arXiv 2512.08296), against the 1-agent baseline of "
           "the rule above, per pack × p × execution × model and then averaged; turns = replies. Overhead = turns / "
           "baseline turns − 1; efficiency = success rate / (turns / baseline turns); error amplification = failure "
           "rate / baseline failure rate (n/a when the baselines never failed); message density = agent-to-agent "
           "messages / turns (n/a where the source does not record messages). Kim's redundancy needs reply texts "
           "and is not computed.", "",
           "| arch | n | overhead | efficiency | failure rate | baseline failures | error amplification "
           "| message density | runs |", "|---|---|---|---|---|---|---|---|---|"]
    for key, k in sorted(a.kim.items(), key=lambda kv: (kv[0].split("|")[0], int(kv[0].split("|")[1]))):
        arch, n = key.split("|")
        out.append(f"| {arch} | {n} | {_f(k['coordination_overhead'])} | {_f(k['coordination_efficiency'])} | "
                   f"{_f(k['failure_rate'])} | {k['baseline_failures']} of {k['baseline_runs']} | "
                   f"{_f(k['error_amplification'])} | "
                   f"{_f(k['message_density'])} | {k['runs']} |")
    return out


def growth_lines(a: Analysis) -> list[str]:
    out = []
    for label, per_run, means in (("agent-to-agent messages", a.fits, a.means_fits),
                                  ("replies", a.reply_fits, a.reply_means_fits)):
        by_mean = {m.architecture: m for m in means}
        for f in per_run:
            m = by_mean.get(f.architecture)
            second = (f"; by the ratio of means ∝ n^{m.exponent:.2f} [95 % CI {m.lo:.2f}, {m.hi:.2f}] (cluster "
                      f"bootstrap over {m.clusters} grid points)") if m is not None else ""
            few = " (fewer than three sizes: an exponent from two points)" if len(f.sizes) < 3 else ""
            out.append(f"- **Growth of {label}** ({f.architecture}): per-run fit ∝ n^{f.exponent:.2f} ± "
                       f"{f.stderr:.2f} (R² = {f.r2:.2f}, {f.points} runs with a positive value, sizes "
                       f"{', '.join(map(str, f.sizes))}){second}{few}.")
    return out
