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
from teamtui.core.state import RunState
from teamtui.launch import Outcome, needs_wall_clock, run_with_baselines
from teamtui.metrics import text
from teamtui.metrics.summary import RunMetrics
from teamtui.scenario.load import Scenario

NOTABLE = (ev.TaskCompleted, ev.AgentKilled, ev.AgentRestarted, ev.AgentDelayed, ev.AgentStalled,
           ev.StragglerDetected, ev.LeaseExpired, ev.ClaimConflicted, ev.WriteConflicted, ev.LockDenied,
           ev.NetworkPartitioned, ev.NetworkHealed, ev.LeaderElected, ev.TaskReleased)


TICK_EVENTS = 50
"""The progress line's figures are read again at least every this many events (and at every notable one)."""


def ticker(state: RunState) -> str:
    """The live figures of a headless run, read from its state like the monitor's panel."""
    gap = f" · straggler gap {text.secs(state.straggler_gap())}" if state.rounds_mode else ""
    return (f"idle {text.pct(state.idle_fraction())}{gap} · {state.conflicts} conflicts · "
            f"{sum(1 for r in state.recoveries if r.held and r.reclaim_s is not None)} recoveries")


def describe_event(e: ev.Event) -> str:
    """One short line for a notable event."""
    fields = {k: v for k, v in msgspec.structs.asdict(e).items() if k not in ("seq", "t", "agent")}
    detail = " ".join(f"{k}={v}" for k, v in fields.items() if v not in ("", (), None))
    return f"[{e.t:7.1f}s] {e.agent + ' ' if e.agent else ''}{e.kind} {detail}".rstrip()


def run_and_report(scenario: Scenario, speed: float | None, as_json: bool, events_path: Path | None,
                   baselines: bool | None, live: bool, db: Path | None = None) -> int:
    console = Console(stderr=as_json)
    interactive = console.is_terminal and (live or speed is not None or needs_wall_clock(scenario))
    recorder = None
    if db is not None and (speed is not None or needs_wall_clock(scenario)):  # a long run: record as it goes
        from teamtui.store.recorder import Recorder

        recorder = Recorder(db)
    total = len(scenario.task.subtasks)
    if interactive:
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[figures]}"),
                            TextColumn("{task.fields[last]}"), console=console, transient=False)
        bar = progress.add_task(scenario.name, total=total, last="starting", figures="")
        state = RunState()

        def listener(e: ev.Event) -> None:
            state.apply(e)
            if isinstance(e, ev.TaskCompleted):
                progress.advance(bar)
            if isinstance(e, NOTABLE) or e.seq % TICK_EVENTS == 0:
                progress.update(bar, figures=ticker(state))
            if isinstance(e, NOTABLE):
                progress.update(bar, last=describe_event(e)[:70])
                if not isinstance(e, ev.TaskCompleted):
                    progress.console.print(describe_event(e), highlight=False)

        with progress:
            outcome = run_with_baselines(scenario, speed=speed, listener=listener, baselines=baselines,
                                         recorder=recorder)
    else:
        outcome = run_with_baselines(scenario, speed=speed, baselines=baselines, recorder=recorder)
    if events_path is not None:
        events_path.write_bytes(ev.to_jsonl(outcome.events))
    if as_json:
        sys.stdout.write(json.dumps(metrics_json(outcome), indent=2, default=_default) + "\n")
    else:
        console.print(summary_table(outcome.metrics))
    if db is not None:  # after the results: a recording that failed must not hide how the run went
        from teamtui.store.recorder import record_run, store_metrics
        from teamtui.store.schema import RecorderError

        if recorder is not None:
            if recorder.stopped:
                raise RecorderError(f"{recorder.stopped} (the run itself finished; {recorder.written} events "
                                    "were recorded before that)")
            run_id = recorder.run_id
            store_metrics(db, run_id, metrics_json(outcome))
        else:
            run_id = record_run(db, scenario, outcome.events, metrics_json(outcome))
        console.print(f"[dim]recorded as run {run_id} in {db}[/dim]", highlight=False)
    return 0


def _default(o: Any) -> Any:
    if isinstance(o, tuple | set):
        return list(o)
    raise TypeError(type(o).__name__)


def metrics_json(outcome: Outcome) -> dict[str, Any]:
    return outcome.metrics.to_dict()


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
        ("tokens", f"{m.paper.tokens_in:,} in / {m.paper.tokens_out:,} out; cost {cost_text(m)}"),
        ("stalls / stragglers", f"{m.stalls} / {', '.join(m.stragglers) or 'none'}"),
    ]
    if m.failed_calls or m.rejected_replies:
        rows.append(("model trouble", f"{m.failed_calls} failed calls, {m.rejected_replies} reply parts rejected"))
    for r in m.recoveries:
        taken = (f"held {', '.join(r.held)}; " if r.held else "") + text.reclaim(r.held, r.reclaim_s)
        rows.append((f"fault: {text.fault_label(r.fault, r.agent, r.at)}",
                     f"{taken}; next completion after {text.secs(r.next_completion_s, '.1f')}"))
    if m.fault_cost is not None:
        rows.append(("fault cost", f"{m.fault_cost:+.1f} s of makespan vs the same seed without faults"))
    for k, v in rows:
        t.add_row(k, v)
    return t
