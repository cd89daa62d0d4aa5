"""Headless output with rich: a live progress display while a run goes, then a summary table or JSON.

Progress and tables go to stderr when `--json` is asked for, so stdout carries only the JSON; with no
terminal (CI, pipes) the live display is skipped and only the final output is printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from teamtui.cli.breakstop import BREAK_EXIT, Stopper
from teamtui.cli.signals import interruptible, name
from teamtui.core import events as ev
from teamtui.core.breakpoints import Breakpoint
from teamtui.core.errors import Interrupted
from teamtui.core.printable import shown
from teamtui.core.state import RunState
from teamtui.launch import NemesisFactory, Run, needs_wall_clock
from teamtui.metrics import text
from teamtui.metrics.tables import summary_table
from teamtui.scenario.spec import Scenario
from teamtui.store.schema import RecorderError
from teamtui.ui.words import event_words, plural

NOTABLE = (ev.TaskCompleted, ev.AgentKilled, ev.AgentRestarted, ev.AgentDelayed, ev.AgentStalled,
           ev.StragglerDetected, ev.LeaseExpired, ev.ClaimConflicted, ev.WriteConflicted, ev.LockDenied,
           ev.NetworkPartitioned, ev.NetworkHealed, ev.LeaderElected, ev.TaskReleased, ev.FaultSkipped)


TICK_EVENTS = 50
"""The progress line's figures are read again at least every this many events (and at every notable one)."""


def ticker(state: RunState) -> str:
    """The live figures of a headless run, read from its state like the monitor's panel."""
    gap = f" · straggler gap {text.secs(state.straggler_gap())}" if state.rounds_mode else ""
    recoveries = sum(1 for r in state.recoveries if r.held and r.reclaim_s is not None)
    return (f"idle {text.pct(state.idle_fraction())}{gap} · {plural(state.conflicts, 'conflict')} · "
            f"{plural(recoveries, 'recovery', 'recoveries')}")


def describe_event(e: ev.Event) -> str:
    """One short line for a notable event: its time, agent and kind, then its words (as the monitor's log has them)."""
    return f"[{e.t:7.1f}s] {e.agent + ' ' if e.agent else ''}{e.kind} {event_words(e)}".rstrip()


def run_and_report(scenario: Scenario, speed: float | None, as_json: bool, events_path: Path | None,
                   baselines: bool | None, live: bool, db: Path | None = None,
                   nemesis: NemesisFactory | None = None, breaks: tuple[Breakpoint, ...] = (),
                   otlp_endpoint: str | None = None) -> int:
    """Run `scenario` (see `teamtui.launch.Run`), show its progress on a terminal, then print its metrics as a
    table or JSON; a recording that failed is one line after the results (exit code 2). A run stopped at a
    breakpoint (the scenario's or `breaks`) ends with that event in one line (exit code 3). With an
    `otlp_endpoint`, the run's spans are sent there as its turns end (`teamtui.cli.share.LiveTraces`)."""
    traces = None
    if otlp_endpoint is not None:  # a missing extra or a bad URL fails here, before the run
        from teamtui.cli.share import LiveTraces

        traces = LiveTraces(otlp_endpoint, [a.model for a in scenario.agents])
    console = Console(stderr=as_json)
    stopper = Stopper((*scenario.breakpoints, *breaks)) if scenario.breakpoints or breaks else None
    interactive = console.is_terminal and (live or speed is not None or needs_wall_clock(scenario))
    total = len(scenario.task.subtasks)
    if interactive:
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[figures]}"),
                            TextColumn("{task.fields[last]}"), console=console, transient=False)
        bar = progress.add_task(escape(shown(scenario.name)), total=total, last="starting", figures="")
        state = RunState()

        def listener(e: ev.Event) -> None:
            if traces is not None:
                traces.listener(e)
            state.apply(e)
            if isinstance(e, ev.TaskCompleted):
                progress.advance(bar)
            if isinstance(e, NOTABLE) or e.seq % TICK_EVENTS == 0:
                progress.update(bar, figures=ticker(state))
            if isinstance(e, NOTABLE):
                progress.update(bar, last=escape(shown(describe_event(e))[:70]))
                if not isinstance(e, ev.TaskCompleted):
                    progress.console.print(Text(shown(describe_event(e))), highlight=False)

        run = Run(scenario, speed=speed, db=db, baselines=baselines, listener=listener, nemesis=nemesis)
        if stopper is not None:
            stopper.attach(run)
        with progress, interruptible(run.interrupt):
            outcome = run.execute()
    else:
        run = Run(scenario, speed=speed, db=db, baselines=baselines, nemesis=nemesis,
                  listener=traces.listener if traces is not None else None)
        if stopper is not None:
            stopper.attach(run)
        with interruptible(run.interrupt):
            outcome = run.execute()
    if outcome.error is not None:
        raise outcome.error
    if events_path is not None:
        events_path.write_bytes(ev.to_jsonl(outcome.events))
    if as_json:
        sys.stdout.write(json.dumps(outcome.metrics.to_dict(), indent=2, default=_default) + "\n")
    else:
        console.print(summary_table(outcome.metrics))
    if traces is not None:  # after the results: an endpoint that did not take the spans is one line, exit 2
        traces.close(outcome.run_id)
    if outcome.record_error:  # after the results: a recording that failed must not hide how the run went
        kept = (f" (the run itself finished; {outcome.recorded} events were recorded before that)"
                if outcome.run_id else "")
        raise RecorderError(outcome.record_error + kept)
    if outcome.run_id is not None:
        console.print(Text(shown(f"recorded as run {outcome.run_id} in {db}"), "dim"), highlight=False)
    if run.signal is not None:
        saved = f"; recorded as run {outcome.run_id}" if outcome.run_id else ""
        raise Interrupted(run.signal, f"interrupted by {name(run.signal)}: the run stopped{saved}")
    if stopper is not None and stopper.hit is not None:
        hit = stopper.hit
        why = f" ({hit.reason})" if hit.breakpoint.kind in ("no_recovery", "test_failures", "cost") else ""
        click.echo(shown(f"stopped at breakpoint {hit.breakpoint}: {describe_event(hit.event)}{why}"), err=as_json)
        return BREAK_EXIT
    return 0


def _default(o: Any) -> Any:
    if isinstance(o, tuple | set):
        return list(o)
    raise TypeError(type(o).__name__)
