"""`teamtui` commands for recorded runs: runs, replay, export, rerun."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from teamtui.cli.common import FiniteFloat, api_options, checked, db_option, guard


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "otlp-json", "bundle"]),
              help="jsonl (the default, unless --otlp-endpoint alone): every event, one per line; csv: the run's "
              "final metrics as name,value rows; otlp-json: the run as an OpenTelemetry trace (OTLP/JSON); bundle: "
              "one file with the whole run, for replay and import elsewhere (needs -o).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@click.option("--otlp-endpoint", metavar="URL", help="Send the run's trace to this OTLP/HTTP endpoint "
              "(http://HOST:4318 or a full .../v1/traces URL); needs pip install -e '.[otel]'.")
@click.option("--cassette", "cassettes", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="With --format bundle: also bundle this cassette (the one the run was recorded to).")
@db_option
@guard
def export(run_ref: str, fmt: str | None, output: Path | None, otlp_endpoint: str | None,
           cassettes: tuple[Path, ...], db: Path | None) -> None:
    """Export a recorded RUN (an id, a unique prefix of one, or latest)."""
    import csv
    import io

    from teamtui.core import events as ev
    from teamtui.store.reader import load_metrics, readable_events, resolve_run
    from teamtui.store.schema import RecorderError, default_db

    if cassettes and fmt != "bundle":
        raise RecorderError("--cassette goes with --format bundle (a cassette to put in the bundle)")
    path = db or default_db()
    run_id = resolve_run(path, run_ref)
    skipped: list[str] = []
    if fmt in ("bundle", "otlp-json") or otlp_endpoint is not None:
        from teamtui.cli.share import export_bundle, export_traces

        if fmt == "bundle":
            export_bundle(path, run_id, output, cassettes)
        if otlp_endpoint is not None or fmt == "otlp-json":
            _, skipped = export_traces(path, run_id, output if fmt == "otlp-json" else None, otlp_endpoint,
                                       as_json=fmt == "otlp-json")
        if skipped:
            raise RecorderError(f"run {run_id}: {len(skipped)} stored event(s) cannot be read back and were left out "
                                f"of the trace (first: {skipped[0]})")
        if fmt in ("bundle", "otlp-json") or fmt is None:
            return
    if fmt in ("jsonl", None):
        events, skipped = readable_events(path, run_id)
        data = ev.to_jsonl(events).decode()
    else:
        metrics = load_metrics(path, run_id)
        if metrics is None:
            raise RecorderError(f"run {run_id} has no final metrics (it did not finish); export it as jsonl")
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["metric", "value"])
        for key, value in _flatten(metrics):
            writer.writerow([key, value])
        data = buf.getvalue()
    if output is None:
        click.echo(data, nl=False)
    else:
        output.write_text(data, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    if skipped:  # what could be read is out; the rest is named, and the exit code says the export is not whole
        raise RecorderError(f"run {run_id}: {len(skipped)} stored event(s) cannot be read back and were left out "
                            f"of the export (first: {skipped[0]}); the other {len(events)} were exported")


def _flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += _flatten(v, key + ".")
        elif isinstance(v, list):
            out.append((key, ";".join(str(x) for x in v)))
        else:
            out.append((key, "" if v is None else v))
    return out


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON on stdout.")
@click.option("--size", type=click.IntRange(1, 64),
              help="Run it with this many agents (refused if a fault names an agent this removes).")
@api_options
@db_option
@guard
def rerun(run_ref: str, as_json: bool, size: int | None, db: Path | None, api_base: str | None,
          api_key_env: str | None) -> None:
    """Run a recorded RUN's scenario and seed again, with the faults injected from the keyboard replayed at their
    run times (the same event log, with the sim), recording the new run. A fork is made again from its parent."""
    from teamtui.cli.forking import load_plan
    from teamtui.cli.headless import run_and_report
    from teamtui.cli.replan import resized
    from teamtui.faults.replayed import nemesis_for
    from teamtui.store.schema import default_db

    path = db or default_db()
    from teamtui.store.reader import load_fork, resolve_run

    run_id = resolve_run(path, run_ref)
    link = load_fork(path, run_id)
    if link is not None and size is None:  # a fork is made again as the same fork of its parent, and linked to it
        from teamtui.cli.forking import ForkRequest, fork_and_report

        fork_and_report(path, link.parent, ForkRequest.of(link.change), as_json, again=run_id)
        sys.exit(0)
    rec = load_plan(path, run_id, offline=False)
    sc = resized(rec, size)
    if api_base is not None or api_key_env is not None:  # the same model served elsewhere (another port, say)
        from teamtui.scenario.load import with_overrides

        sc = checked(with_overrides(sc, api_base=api_base, api_key_env=api_key_env))
    sys.exit(run_and_report(sc, speed=None, as_json=as_json, events_path=None, baselines=None, live=False,
                            db=path, nemesis=nemesis_for(rec.replayed, rec.forks) if rec.replayed or rec.forks
                            else None))


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--speed", type=FiniteFloat(0.125, 64), default=1.0, show_default=True,
              help="Playback speed (change it with + and -).")
@click.option("--with", "with_ref", metavar="RUN2",
              help="Play RUN and RUN2 side by side in lockstep by run time (a fork and its parent, say).")
@db_option
@guard
def replay(run_ref: str, speed: float, with_ref: str | None, db: Path | None) -> None:
    """Replay a recorded RUN in the monitor: space plays/pauses, arrows step, n/p jump between faults, b forks.
    RUN may also be a bundle file (teamtui export RUN --format bundle -o run.teamtui): no database needed."""
    from teamtui.store.bundle import is_bundle_ref, open_bundle
    from teamtui.store.integrity import readable
    from teamtui.store.reader import resolve_run
    from teamtui.store.recording import open_recording
    from teamtui.store.schema import RecorderError, default_db

    bundle = Path(run_ref) if is_bundle_ref(run_ref) else None
    if bundle is not None:  # the bundle is the database; a fork (b) is recorded into --db, the run imported there
        if with_ref is not None:
            raise RecorderError(f"{bundle}: --with needs both runs in one database; teamtui import {bundle} first")
        path, run_id = bundle, open_bundle(bundle).run_id
    else:
        path = db or default_db()
        run_id = resolve_run(path, run_ref)
    if with_ref is not None:
        from teamtui.cli.forking import replay_pair

        sys.exit(replay_pair(path, run_id, resolve_run(path, with_ref), speed))
    readable(path, run_id)
    recording = open_recording(path, run_id)
    if not len(recording):
        recording.close()
        raise RecorderError(f"run {run_id} has no events to replay; it was interrupted before its first event")
    from teamtui.core.printable import shown
    from teamtui.ui.replay import ReplayApp

    app = ReplayApp(recording, run_id=run_id, speed=speed)
    app.run()
    if app.error_line:  # an event that cannot be read back ended the replay early: one line, exit 2
        click.echo(f"teamtui: {shown(app.error_line)}", err=True)
    if app.fork_at is not None and not app.error_line:  # `b`: the monitor on a fork after the event on screen
        from teamtui.cli.forking import watch_fork

        if bundle is not None:
            from teamtui.cli.share import import_bundle

            path = db or default_db()
            import_bundle(bundle, path)

        sys.exit(watch_fork(path, run_id, app.fork_at, speed))
    sys.exit(app.return_code or (2 if app.error_line else 0))


@click.command()
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Only the newest N runs (0: all).")
@click.option("--sweep", "sweep_ref", metavar="SWEEP", help="Only the cells of one sweep (an id, a prefix, or latest).")
@click.option("--sweeps/--no-sweeps", default=False, show_default=True,
              help="Also list the runs of sweeps' cells (by default only the runs you made by hand).")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as a JSON list of objects on stdout.")
@db_option
@guard
def runs(limit: int | None, sweep_ref: str | None, sweeps: bool, as_json: bool, db: Path | None) -> None:
    """List recorded runs, newest first: those made by hand, unless --sweeps or --sweep SWEEP."""
    import json
    import os

    from rich.console import Console

    from teamtui.cli.runlist import as_json as runs_json
    from teamtui.cli.runlist import fork_notes, select, table
    from teamtui.core.printable import shown
    from teamtui.store.integrity import damage
    from teamtui.store.reader import list_runs
    from teamtui.store.schema import RecorderError, default_db

    path = db or default_db()
    try:
        rows = list_runs(path)
    except RecorderError as exc:
        try:
            hurt = damage(path) if path.exists() else None
        except RecorderError:
            hurt = None
        raise (exc if hurt is None else RecorderError(hurt.describe(path))) from None
    hurt = damage(path) if rows else None
    sweep_id = None
    if sweep_ref is not None:
        from teamtui.experiments.table import connect, resolve_sweep

        with connect(path) as conn:
            sweep_id = resolve_sweep(conn, sweep_ref, path)
    chosen = select(rows, sweep_id, sweeps, limit or None)
    bad = set(hurt.runs) if hurt else set()
    notes = []
    if chosen.cut:
        notes.append(f"{chosen.cut} older run{'s' if chosen.cut > 1 else ''} not shown (--limit {limit})")
    if chosen.hidden_cells:
        notes.append(f"{chosen.hidden_cells} sweep cell{'s' if chosen.hidden_cells > 1 else ''} hidden (--sweeps "
                     "shows them, --sweep ID one sweep's)")
    if as_json:
        click.echo(json.dumps(runs_json(chosen.runs, bad), indent=1))
        for note in notes:
            click.echo(f"teamtui: {note}", err=True)
    elif not chosen.runs:
        what = f"in sweep {sweep_id}" if sweep_id else "made by hand" if chosen.hidden_cells else ""
        click.echo(f"no recorded runs {what + ' ' if what else ''}in {shown(str(path))}")
        for note in notes:
            click.echo(note)
    else:
        console = Console()
        if not console.is_terminal and not os.environ.get("COLUMNS"):
            console = Console(width=160)  # piped: do not squeeze the table into 80 columns
        title = f"runs in {shown(str(path))}" + (f", sweep {sweep_id}" if sweep_id else "")
        console.print(table(chosen.runs, bad, console.width, title))
        for note in [*fork_notes(chosen.runs), *notes]:
            click.echo(note)
    if hurt is not None:
        raise RecorderError(hurt.describe(path))
