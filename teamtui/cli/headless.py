"""Headless output with rich: a live progress display while a run goes, then a summary table or JSON.

Progress and tables go to stderr when `--json` is asked for, so stdout carries only the JSON; with no
terminal (CI, pipes) the live display is skipped and only the final output is printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from teamtui.core import events as ev
from teamtui.launch import Run, needs_wall_clock
from teamtui.metrics.summary import RunMetrics
from teamtui.scenario.spec import Scenario
from teamtui.store.schema import RecorderError

NOTABLE = (ev.TaskCompleted, ev.AgentKilled, ev.AgentRestarted, ev.AgentDelayed, ev.AgentStalled,
           ev.StragglerDetected, ev.LeaseExpired, ev.ClaimConflicted, ev.WriteConflicted, ev.LockDenied,
           ev.NetworkPartitioned, ev.NetworkHealed, ev.LeaderElected, ev.TaskReleased)


def describe_event(e: ev.Event) -> str:
    """One short line for a notable event."""
    fields = {k: v for k, v in msgspec.structs.asdict(e).items() if k not in ("seq", "t", "agent")}
    detail = " ".join(f"{k}={v}" for k, v in fields.items() if v not in ("", (), None))
    return f"[{e.t:7.1f}s] {e.agent + ' ' if e.agent else ''}{e.kind} {detail}".rstrip()


def run_and_report(scenario: Scenario, speed: float | None, as_json: bool, events_path: Path | None,
                   baselines: bool | None, live: bool, db: Path | None = None) -> int:
    """Run `scenario` (see `teamtui.launch.Run`), show its progress on a terminal, then print its metrics as a
    table or JSON; a recording that failed is one line after the results (exit code 2)."""
    console = Console(stderr=as_json)
    interactive = console.is_terminal and (live or speed is not None or needs_wall_clock(scenario))
    total = len(scenario.task.subtasks)
    if interactive:
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=console,
                            transient=False)
        bar = progress.add_task(scenario.name, total=total, last="starting")

        def listener(e: ev.Event) -> None:
            if isinstance(e, ev.TaskCompleted):
                progress.advance(bar)
            if isinstance(e, NOTABLE):
                progress.update(bar, last=describe_event(e)[:70])
                if not isinstance(e, ev.TaskCompleted):
                    progress.console.print(describe_event(e), highlight=False)

        with progress:
            outcome = Run(scenario, speed=speed, db=db, baselines=baselines, listener=listener).execute()
    else:
        outcome = Run(scenario, speed=speed, db=db, baselines=baselines).execute()
    if outcome.error is not None:
        raise outcome.error
    if events_path is not None:
        events_path.write_bytes(ev.to_jsonl(outcome.events))
    if as_json:
        sys.stdout.write(json.dumps(outcome.metrics.to_dict(), indent=2, default=_default) + "\n")
    else:
        console.print(summary_table(outcome.metrics))
    if outcome.record_error:  # after the results: a recording that failed must not hide how the run went
        kept = (f" (the run itself finished; {outcome.recorded} events were recorded before that)"
                if outcome.run_id else "")
        raise RecorderError(outcome.record_error + kept)
    if outcome.run_id is not None:
        console.print(f"[dim]recorded as run {outcome.run_id} in {db}[/dim]", highlight=False)
    return 0


def _default(o: Any) -> Any:
    if isinstance(o, tuple | set):
        return list(o)
    raise TypeError(type(o).__name__)


def _f(v: float | None, fmt: str = ".2f", unit: str = "") -> str:
    return "n/a" if v is None else f"{v:{fmt}}{unit}"


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
    t = Table(title=f"{m.scenario} — {m.status}", title_justify="left", show_header=False, box=None)
    t.add_column(style="bold")
    t.add_column()
    rows = [
        ("team", f"{m.agents} agents ({m.workers} doing subtasks), {m.architecture}, {m.execution}"),
        ("subtasks done", f"{m.done}/{m.subtasks}" + (f"  stranded: {', '.join(m.stranded)}" if m.stranded else "")),
        ("makespan", f"{m.makespan:.1f} s in {m.paper.rounds} rounds" if m.paper.rounds else f"{m.makespan:.1f} s"),
        ("speedup", (f"{m.speedup:.2f}× vs 1 agent ({_f(m.baseline_makespan, '.1f', ' s')}); " if m.speedup is not None
                     else "n/a (no 1-agent run to compare with); ")
         + f"Amdahl bound {m.amdahl_bound:.2f}× (p = {m.p:.2f}); DAG bound {m.dag_bound:.2f}×"),
        ("efficiency", _f(m.efficiency)),
        ("replies (paper: messages)", str(m.paper.messages)),
        ("messages", f"{m.messages_sent} sent, {m.messages_delivered} delivered, {m.messages_dropped} dropped; "
                     f"{m.messages_per_subtask:.1f} per subtask"),
        ("idle rounds", _f(m.paper.idle_rounds, "d") if m.paper.idle_rounds is not None else "n/a"),
        ("idle fraction", f"{m.idle_fraction:.0%}"),
        ("straggler gap", _f(m.paper.straggler_gap, ".2f", " s")),
        ("conflicts", f"{m.claim_conflicts} claim, {m.write_conflicts} write, {m.lock_denied} lock denied; "
                      f"{m.paper.concurrent_writes} concurrent writes"),
        ("claims blocked", str(m.paper.claims_blocked)),
        ("work wasted", f"{m.duplicate_work} duplicate writes, {m.rework} reworks, {m.paper.rewrites} rewrites"),
        ("test failures", str(m.paper.test_failures)),
        ("tokens", f"{m.paper.tokens_in:,} in / {m.paper.tokens_out:,} out; cost {cost_text(m)}"),
        ("stalls / stragglers", f"{m.stalls} / {', '.join(m.stragglers) or 'none'}"),
    ]
    if m.failed_calls or m.rejected_replies:
        rows.append(("model trouble", f"{m.failed_calls} failed calls, {m.rejected_replies} reply parts rejected"))
    for r in m.recoveries:
        taken = (f"held {', '.join(r.held)}; reclaimed after {_f(r.reclaim_s, '.1f', ' s')}" if r.held
                 else "held nothing, so nothing to reclaim")
        rows.append((f"fault: {r.fault} {r.agent} @ {r.at:.0f}s",
                     f"{taken}; next completion after {_f(r.next_completion_s, '.1f', ' s')}"))
    if m.fault_cost is not None:
        rows.append(("fault cost", f"{m.fault_cost:+.1f} s of makespan vs the same seed without faults"))
    for k, v in rows:
        t.add_row(k, v)
    return t
