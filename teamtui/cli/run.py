"""`teamtui` commands that run a scenario: `run` (headless), `watch` (the live monitor) and `validate`."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click

from teamtui.cli.common import FiniteFloat, check_db, db_path, guard, load, overrides, recording, scenario_arg


@click.command()
@scenario_arg
@click.option("--headless", is_flag=True, help="No UI: a progress display, then a summary table.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON on stdout.")
@click.option("--speed", type=FiniteFloat(min=0, min_open=True),
              help="Pace the run on the wall clock at this speed (default headless: the virtual clock).")
@click.option("--events", "events_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the event log to this file as JSON lines.")
@click.option("--no-baseline", is_flag=True, help="Skip the 1-agent and fault-free comparison runs.")
@click.option("--break-on", "break_on", multiple=True, metavar="KIND[:ARG]",
              help="Stop the run at the first event that meets KIND[:ARG] (repeatable), print that event in one line "
                   "and exit with 3. KIND: conflict, stall, straggler, recovery, no_recovery[:SECONDS] (default 30), "
                   "test_failures[:TIMES] (default 1), cost:USD, message:/REGEX/ (/REGEX/i ignores case).")
@click.option("--otlp-endpoint", metavar="URL", help="Send the run's OpenTelemetry trace to this OTLP/HTTP endpoint "
              "as it goes (http://HOST:4318); needs pip install -e '.[otel]'.")
@overrides
@recording
@guard
def run(scenario: Path, headless: bool, as_json: bool, speed: float | None, events_path: Path | None,
        no_baseline: bool, break_on: tuple[str, ...], otlp_endpoint: str | None, db: Path | None, no_record: bool,
        **over: Any) -> None:
    """Run SCENARIO and report its metrics (and record it). Exit codes: 0 the run ended, 2 bad input or a
    recording that failed, 3 stopped at a breakpoint (--break-on or the scenario's [[breakpoints]])."""
    from teamtui.cli.breakstop import parse_all
    from teamtui.cli.headless import run_and_report

    breaks = parse_all(break_on)  # a bad breakpoint fails before the scenario is even read
    sc = load(scenario, **over)
    database = db_path(db, no_record)
    if database is not None:
        check_db(database)  # fail before the run, not after it
    code = run_and_report(sc, speed=speed, as_json=as_json, events_path=events_path,
                          baselines=False if no_baseline else None, live=False, db=database, breaks=breaks,
                          otlp_endpoint=otlp_endpoint)
    sys.exit(code)


@click.command()
@scenario_arg
@click.option("--speed", type=FiniteFloat(min=0, min_open=True), default=1.0, show_default=True,
              help="Run-clock seconds per wall-clock second (change it live with + and -).")
@click.option("--headless", is_flag=True, help="No UI: a live progress display on the wall clock, then a summary.")
@click.option("--otlp-endpoint", metavar="URL", help="Send the run's OpenTelemetry trace to this OTLP/HTTP endpoint "
              "as it goes (http://HOST:4318); needs pip install -e '.[otel]'.")
@overrides
@recording
@guard
def watch(scenario: Path, speed: float, headless: bool, otlp_endpoint: str | None, db: Path | None, no_record: bool,
          **over: Any) -> None:
    """Watch SCENARIO run live in the monitor (what `teamtui SCENARIO` does)."""
    sc = load(scenario, **over)  # a bad scenario fails here, before any UI opens
    database = db_path(db, no_record)
    if database is not None:
        check_db(database)  # a database teamtui cannot use fails here too, before the run or the UI
    if headless:
        from teamtui.cli.headless import run_and_report

        sys.exit(run_and_report(sc, speed=speed, as_json=False, events_path=None, baselines=None, live=True,
                                db=database, otlp_endpoint=otlp_endpoint))
    from teamtui.cli.signals import interruptible
    from teamtui.core.printable import shown
    from teamtui.ui.app import TeamApp

    if otlp_endpoint is not None:  # the monitor sends the recorded run's trace when it ends; fail before the UI
        from teamtui.cli.share import check_endpoint

        check_endpoint(otlp_endpoint, database)
    app = TeamApp(sc, speed=speed, db=database)
    with interruptible(app.interrupt_from_signal):
        app.run()
    outcome = app.run_handle.outcome if app.run_handle is not None else None
    if otlp_endpoint is not None and database is not None and outcome is not None and outcome.run_id:
        from teamtui.cli.share import export_traces

        export_traces(database, outcome.run_id, None, otlp_endpoint, as_json=False)
    end = app.view.finished
    if end is not None:
        click.echo(f"teamtui: run {end.status}: {end.done}/{end.total} subtasks in {end.makespan:.1f} s "
                   f"({shown(end.reason)})")
    if app.recording_note:
        click.echo(f"teamtui: {shown(app.recording_note)}", err=True)
    if app.error_line:
        from teamtui.core.redact import scrub

        click.echo(f"teamtui: {shown(scrub(app.error_line))}", err=True)
    if app.signal is not None:
        click.echo(f"teamtui: interrupted by {signal.Signals(app.signal).name}", err=True)
    sys.exit(app.return_code or 0)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@guard
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario files; print one line per problem and exit 2 if any is invalid."""
    from teamtui.core.errors import ScenarioError, TeamtuiError
    from teamtui.core.printable import shown
    from teamtui.scenario.load import load_scenario

    bad = 0
    for f in files:
        try:
            s = load_scenario(f)
        except ScenarioError as exc:
            bad += 1
            for line in exc.lines:  # every problem of the file, one line each
                click.echo(f"teamtui: {shown(line)}", err=True)
            continue
        except TeamtuiError as exc:
            bad += 1
            click.echo(f"teamtui: {shown(str(exc))}", err=True)
            continue
        click.echo(f"{f}: ok ({s.size} agents, {s.architecture}, {s.execution}, "
                   f"{len(s.task.subtasks)} subtasks, p = {s.task.p_declared or round(s.task.p, 3)}, "
                   f"{len(s.faults)} faults)")
    sys.exit(2 if bad else 0)
