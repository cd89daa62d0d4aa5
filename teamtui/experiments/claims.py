"""The paper's findings checked on a sweep's analysis, each on the paper's own metric, so two sweeps (the sim and the
paper's imported runs) can be set side by side claim by claim.

A claim *holds* when its test is significant (α = 0.05) in the paper's direction: speedup below the Amdahl
bound (Wilcoxon), speedup differs across p (Kruskal–Wallis), and decentralized teams against preassigned
ones (Mann–Whitney, rank-biserial r): lower speedup, more replies (the paper's "messages"), more concurrent
writes, more idle rounds, more tokens, and a smaller straggler gap (each run's mean per-round gap; the
evidence adds the paper table's pooled gaps per team size). A claim a sweep cannot test is "not tested".
"""

from __future__ import annotations

from dataclasses import dataclass

from teamtui.experiments.analysis import Analysis
from teamtui.experiments.effects import ALPHA
from teamtui.experiments.hypotheses import Compared

PAIR = ("preassigned", "decentralized")
MANN_WHITNEY = (("speedup", "decentralized: lower speedup", 1), ("replies", "decentralized: more replies", -1),
                ("concurrent_writes", "decentralized: more concurrent writes", -1),
                ("idle_rounds", "decentralized: more idle rounds", -1), ("tokens", "decentralized: more tokens", -1),
                ("straggler_gap", "decentralized: smaller straggler gap", 1))
"""(measure, claim, sign of r = P(preassigned > decentralized) − P(<) in the paper's direction)."""


@dataclass(frozen=True)
class Claim:
    claim: str
    holds: bool | None
    """None: the sweep cannot test it."""
    evidence: str


def _p(p: float) -> str:
    return f"p = {p:.1e}" if p < 0.001 else f"p = {p:.3f}"


def _mw(c: Compared, claim: str, sign: int) -> Claim:
    r = c.effect_r or 0.0
    holds = c.pvalue < ALPHA and r * sign > 0
    return Claim(claim, holds, f"medians {c.median_a:.3g} vs {c.median_b:.3g}, {_p(c.pvalue)}, r = {r:+.2f}"
                 + (f" ({c.warning})" if c.warning else ""))


def _by_size(a: Analysis) -> str:
    gaps = a.paper_table.get("straggler_gap_s", {})
    sizes = sorted({int(k.split("|")[1]) for k in gaps})
    pairs = [(n, gaps[f"{PAIR[0]}|{n}"], gaps[f"{PAIR[1]}|{n}"]) for n in sizes
             if f"{PAIR[0]}|{n}" in gaps and f"{PAIR[1]}|{n}" in gaps]
    if not pairs:
        return ""
    apart = sum(1 for _, p, d in pairs if p["ci"] and d["ci"] and d["ci"][1] < p["ci"][0])
    smaller = sum(1 for _, p, d in pairs if d["mean"] < p["mean"])
    return (f"; pooled over rounds, decentralized smaller at {smaller} of {len(pairs)} sizes ({apart} with CIs "
            "apart): " + ", ".join(f"n = {n}: {d['mean']:.2f} vs {p['mean']:.2f} s" for n, p, d in pairs))


def claims(a: Analysis) -> list[Claim]:
    out = []
    w = a.wilcoxon
    out.append(Claim("team speedup below the Amdahl bound", None, "no team runs with a speedup") if w is None else
               Claim("team speedup below the Amdahl bound", w.pvalue < ALPHA and w.median_speedup < w.median_bound,
                     f"{w.below} of {w.n} runs below, {_p(w.pvalue)}, r = {w.effect_r or 0:+.2f}"))
    k = a.kruskal
    out.append(Claim("speedup depends on p", None, "fewer than two p") if k is None else
               Claim("speedup depends on p", k.pvalue < ALPHA,
                     f"H = {k.statistic:.1f}, {_p(k.pvalue)}, ε² = {k.epsilon2 or 0:.3f}"))
    compared = {c.measure: c for c in a.mann_whitney if (c.a, c.b) == PAIR}
    for measure, claim, sign in MANN_WHITNEY:
        c = compared.get(measure)
        cl = _mw(c, claim, sign) if c is not None else Claim(claim, None, f"{measure} not measured or compared")
        if measure == "straggler_gap":
            cl = Claim(cl.claim, cl.holds, cl.evidence + _by_size(a))
        out.append(cl)
    return out


def _word(h: bool | None) -> str:
    return "not tested" if h is None else "holds" if h else "does not hold"


def markdown(a: Analysis, b: Analysis, a_name: str, b_name: str) -> str:
    """The two sweeps' claims side by side, with whether they agree."""
    out = [f"| the paper's finding | {a_name} | {b_name} | agree? |", "|---|---|---|---|"]
    for ca, cb in zip(claims(a), claims(b), strict=True):
        agree = "—" if ca.holds is None or cb.holds is None else "yes" if ca.holds == cb.holds else "**no**"
        out.append(f"| {ca.claim} | {_word(ca.holds)}: {ca.evidence} | {_word(cb.holds)}: {cb.evidence} | {agree} |")
    return "\n".join(out)
