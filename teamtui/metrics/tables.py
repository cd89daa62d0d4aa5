"""One run's metrics as rich tables: the summary that `teamtui run` prints and the monitor's summary screen shows."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from teamtui.core.printable import shown
from teamtui.metrics import text
from teamtui.metrics.summary import RunMetrics


def cost_text(m: RunMetrics) -> str:
    """The run's cost in dollars, per agent, saying what is unknown (a price litellm lacks is not zero)."""
    if m.cost_usd is None and not m.unpriced_calls:
        return "n/a (sim)"
    total = "unknown" if m.cost_usd is None else f"${m.cost_usd:.4f}"
    if m.unpriced_calls and m.cost_usd is not None:
        total += f" + {m.unpriced_calls} calls of unknown price"
    per = ", ".join(f"{a} {'?' if c is None else f'${c:.4f}'}" for a, c in m.cost_by_agent.items())
    return f"{total} ({per})" if per else total


def summary_table(m: RunMetrics) -> Table:
    t = Table(title=escape(f"{shown(m.scenario)} — {m.status}"), title_justify="left", show_header=False, box=None)
    t.add_column(style="bold")
    t.add_column()
    rows = [
        ("team", f"{m.agents} agents ({m.workers} doing subtasks), {m.architecture}, {m.execution}"),
        ("subtasks done", f"{m.done}/{m.subtasks}" + (f"  stranded: {', '.join(m.stranded)}" if m.stranded else "")),
        ("makespan", f"{m.makespan:.1f} s in {m.paper.rounds} rounds" if m.paper.rounds else f"{m.makespan:.1f} s"),
        ("speedup", (f"{text.times(m.speedup)} vs 1 agent ({text.secs(m.baseline_makespan, '.1f')}); "
                     if m.speedup is not None else "n/a (no 1-agent run to compare with); ")
         + f"Amdahl bound {m.amdahl_bound:.2f}× (p = {m.p:.2f}); DAG bound {m.dag_bound:.2f}×"),
        ("efficiency", text.num(m.efficiency)),
        ("replies (paper: messages)", str(m.paper.messages)),
        ("messages", f"{m.messages_sent} sent, {m.messages_delivered} delivered, {m.messages_dropped} dropped; "
                     f"{text.num(m.messages_per_subtask, '.1f')} per subtask"),
        ("idle rounds", text.num(m.paper.idle_rounds, "d")),
        ("idle fraction", text.pct(m.idle_fraction)),
        ("straggler gap", text.secs(m.paper.straggler_gap)),
        ("conflicts", f"{m.claim_conflicts} claim, {m.write_conflicts} write, {m.lock_denied} lock denied; "
                      f"{m.paper.concurrent_writes} concurrent writes"),
        ("claims blocked", str(m.paper.claims_blocked)),
        ("work wasted", f"{m.duplicate_work} duplicate writes, {m.rework} reworks, {m.paper.rewrites} rewrites"),
        ("test failures", str(m.paper.test_failures)),
        ("tokens", text.tokens(m.paper.tokens_in, m.paper.tokens_out, m.paper.tokens_in_estimated,
                               m.paper.tokens_out_estimated) + f"; cost {cost_text(m)}"
         + (" (from estimated tokens)" if m.estimated_calls and m.cost_usd else "")),
        ("stalls / stragglers", f"{m.stalls} / {', '.join(m.stragglers) or 'none'}"),
    ]
    if m.failed_calls or m.rejected_replies:
        rows.append(("model trouble", f"{m.failed_calls} failed calls, {m.rejected_replies} reply parts rejected"))
    for r in m.recoveries:
        taken = (f"held {', '.join(r.held)}; " if r.held else "") + text.reclaim(r.held, r.reclaim_s)
        rows.append((f"fault: {text.fault_label(r.fault, r.agent, r.at)}",
                     f"{taken}; " + (f"next completion after {text.secs(r.next_completion_s, '.1f')}"
                                     if r.next_completion_s is not None else "no subtask completed after it")))
    if m.fault_cost is not None:
        rows.append(("fault cost", f"{m.fault_cost:+.1f} s of makespan vs the same seed without faults"))
    for k, v in rows:
        t.add_row(k, escape(shown(v)))  # names are neither markup nor commands to the terminal
    return t
