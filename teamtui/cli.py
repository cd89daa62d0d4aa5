"""The `teamtui` command: `teamtui SCENARIO.toml` watches a run live; subcommands run, validate and more.

Only click is imported at start-up, so `teamtui --help` is instant; everything else (the engine, rich,
and later textual and litellm) is imported inside the command that needs it. Every `TeamtuiError`
becomes one line on stderr and exit code 2; Ctrl-C ends a run cleanly with exit code 130.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from teamtui import __version__


class _DefaultToRun(click.Group):
    """A group where `teamtui FILE.toml ...` means `teamtui watch FILE.toml ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["watch", *args]
        return super().parse_args(ctx, args)


def _fail(message: str) -> None:
    from teamtui.redact import scrub

    click.echo(f"teamtui: {scrub(message)}", err=True)
    sys.exit(2)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn teamtui's errors into one line and exit code 2; Ctrl-C into exit code 130."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from teamtui.errors import TeamtuiError

        try:
            return fn(*args, **kwargs)
        except TeamtuiError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            click.echo("teamtui: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # an internal error: one line, the traceback only on request
            if os.environ.get("TEAMTUI_DEBUG"):
                raise
            from teamtui.redact import scrub

            click.echo(f"teamtui: internal error: {type(exc).__name__}: {scrub(str(exc))} "
                       "(set TEAMTUI_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="teamtui")
def main() -> None:
    """teamtui: run a team of language-model agents as a distributed system, watch it, break it, measure it.

    \b
    teamtui scenarios/quickstart.toml             watch a run live
    teamtui run scenarios/quickstart.toml --headless --json
    teamtui validate scenarios/*.toml
    """


_scenario_arg = click.argument("scenario", type=click.Path(path_type=Path, dir_okay=False))


def _overrides(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--seed", type=click.IntRange(min=0), help="Override [scenario] seed."),
        click.option("--size", type=click.IntRange(1, 64), help="Override [team] size."),
        click.option("--arch", help="Override [team] architecture: preassigned, lead, decentralized."),
        click.option("--execution", type=click.Choice(["rounds", "async"]), help="Override [team] execution."),
        click.option("--p", "p", help="Override [task] p: 0.2, 0.5, 0.9 or serial, mixed, parallel."),
        click.option("--model", help="Override every agent's model: sim, or a litellm id (openai/gpt-4o-mini, "
                                     "ollama_chat/llama3.1, ...)."),
        click.option("--cassette", type=click.Path(path_type=Path, dir_okay=False),
                     help="Replay the completions recorded in this cassette (offline; same as --model cassette:PATH)."),
        click.option("--record-llm", "record_llm", type=click.Path(path_type=Path, dir_okay=False),
                     help="Record every completion of this real-model run to a cassette (JSON lines)."),
    ]):
        fn = opt(fn)
    return fn


_db_options = [
    click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False),
                 help="The run database (default: $TEAMTUI_DB or .teamtui/runs.db)."),
    click.option("--no-record", is_flag=True, help="Do not record this run."),
]


def _recording(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(_db_options):
        fn = opt(fn)
    return fn


def _db(db: Path | None, no_record: bool) -> Path | None:
    if no_record:
        return None
    from teamtui.recorder import default_db

    return db or default_db()


def _load(path: Path, seed: int | None, size: int | None, arch: str | None, execution: str | None,
          p: str | None, model: str | None = None, cassette: Path | None = None,
          record_llm: Path | None = None) -> Any:
    from dataclasses import replace

    from teamtui.errors import RunError
    from teamtui.scenario import load_scenario, with_overrides

    if cassette is not None:
        if model is not None:
            raise RunError("give --model or --cassette, not both")
        model = f"cassette:{cassette}"
    scenario = load_scenario(path)
    if any(v is not None for v in (seed, size, arch, execution, p, model)):
        scenario = with_overrides(scenario, seed=seed, size=size, arch=arch, execution=execution, p=p, model=model)
    if record_llm is not None:
        if all(a.model == "sim" or a.model.startswith("cassette:") for a in scenario.agents):
            raise RunError("--record-llm records the completions of real models, and this team has none; "
                           "add --model PROVIDER/MODEL (or set [team] model)")
        scenario = replace(scenario, record_llm=str(record_llm))
    if any(a.model != "sim" for a in scenario.agents):
        from teamtui.llm import preflight

        preflight(scenario)  # a missing API key or cassette is one line now, before any run or UI
    return scenario


@main.command()
@_scenario_arg
@click.option("--headless", is_flag=True, help="No UI: a progress display, then a summary table.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON on stdout.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True),
              help="Pace the run on the wall clock at this speed (default headless: the virtual clock).")
@click.option("--events", "events_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the event log to this file as JSON lines.")
@click.option("--no-baseline", is_flag=True, help="Skip the 1-agent and fault-free comparison runs.")
@_overrides
@_recording
@_guard
def run(scenario: Path, headless: bool, as_json: bool, speed: float | None, events_path: Path | None,
        no_baseline: bool, db: Path | None, no_record: bool, **over: Any) -> None:
    """Run SCENARIO and report its metrics (and record it)."""
    from teamtui.report import run_and_report

    sc = _load(scenario, **over)
    database = _db(db, no_record)
    if database is not None:
        _check_db(database)  # fail before the run, not after it
    code = run_and_report(sc, speed=speed, as_json=as_json, events_path=events_path,
                          baselines=False if no_baseline else None, live=False, db=database)
    sys.exit(code)


@main.command()
@_scenario_arg
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Run-clock seconds per wall-clock second (change it live with + and -).")
@click.option("--headless", is_flag=True, help="No UI: a live progress display on the wall clock, then a summary.")
@_overrides
@_recording
@_guard
def watch(scenario: Path, speed: float, headless: bool, db: Path | None, no_record: bool, **over: Any) -> None:
    """Watch SCENARIO run live in the monitor (what `teamtui SCENARIO` does)."""
    sc = _load(scenario, **over)  # a bad scenario fails here, before any UI opens
    database = _db(db, no_record)
    if database is not None:
        _check_db(database)  # a database teamtui cannot use fails here too, before the run or the UI
    if headless:
        from teamtui.report import run_and_report

        sys.exit(run_and_report(sc, speed=speed, as_json=False, events_path=None, baselines=None, live=True,
                                db=database))
    from teamtui.ui.app import TeamApp

    app = TeamApp(sc, speed=speed, db=database)
    app.run()
    end = app.view.finished
    if end is not None:
        click.echo(f"teamtui: run {end.status}: {end.done}/{end.total} subtasks in {end.makespan:.1f} s ({end.reason})")
    if app.recording_note:
        click.echo(f"teamtui: {app.recording_note}", err=True)
    sys.exit(app.return_code or 0)


def _check_db(path: Path) -> None:
    import asyncio

    from teamtui.recorder import Recorder

    async def probe() -> None:
        rec = Recorder(path)
        try:
            await rec.open()
        finally:
            await rec.close()

    asyncio.run(probe())


_db_option = click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False),
                          help="The run database (default: $TEAMTUI_DB or .teamtui/runs.db).")


@main.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: every event, one per line; csv: the run's final metrics as name,value rows.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@_db_option
@_guard
def export(run_ref: str, fmt: str, output: Path | None, db: Path | None) -> None:
    """Export a recorded RUN (an id, a unique prefix of one, or latest)."""
    import csv
    import io

    from teamtui import events as ev
    from teamtui.recorder import RecorderError, default_db, load_events, load_metrics, resolve_run

    path = db or default_db()
    run_id = resolve_run(path, run_ref)
    if fmt == "jsonl":
        data = ev.to_jsonl(load_events(path, run_id)).decode()
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


@main.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON on stdout.")
@_db_option
@_guard
def rerun(run_ref: str, as_json: bool, db: Path | None) -> None:
    """Run a recorded RUN's scenario and seed again (same event log with the sim), recording the new run."""
    from teamtui.recorder import default_db, load_scenario_text, resolve_run
    from teamtui.report import run_and_report
    from teamtui.scenario import parse_scenario

    path = db or default_db()
    run_id = resolve_run(path, run_ref)
    text, source = load_scenario_text(path, run_id)
    if source.startswith("import:"):
        from teamtui.recorder import RecorderError

        raise RecorderError(f"run {run_id} was imported ({source}), not run by teamtui, so it has no scenario to "
                            "rerun; replay it with teamtui replay, or run a scenario")
    sc = parse_scenario(text, Path(source))
    sys.exit(run_and_report(sc, speed=None, as_json=as_json, events_path=None, baselines=None, live=False,
                            db=path))


@main.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--speed", type=click.FloatRange(0.125, 64), default=1.0, show_default=True,
              help="Playback speed (change it with + and -).")
@_db_option
@_guard
def replay(run_ref: str, speed: float, db: Path | None) -> None:
    """Replay a recorded RUN in the monitor: space plays/pauses, arrows step, n/p jump between faults."""
    from teamtui.recorder import RecorderError, default_db, resolve_run
    from teamtui.replaydata import open_recording

    path = db or default_db()
    run_id = resolve_run(path, run_ref)
    recording = open_recording(path, run_id)
    if not len(recording):
        recording.close()
        raise RecorderError(f"run {run_id} has no events to replay; it was interrupted before its first event")
    from teamtui.ui.replay import ReplayApp

    ReplayApp(recording, run_id=run_id, speed=speed).run()


@main.command()
@_db_option
@_guard
def runs(db: Path | None) -> None:
    """List recorded runs, newest first."""
    from rich.console import Console
    from rich.table import Table

    from teamtui.recorder import default_db, list_runs

    path = db or default_db()
    rows = list_runs(path)
    if not rows:
        click.echo(f"no recorded runs in {path}")
        return
    table = Table(title=f"runs in {path}", title_justify="left")
    for col in ("id", "when", "scenario", "team", "architecture", "status", "makespan", "speedup", "faults"):
        table.add_column(col, no_wrap=True, max_width=36 if col == "scenario" else None, overflow="ellipsis")
    for r in rows:
        table.add_row(r.id, r.started.replace("T", " ")[:16], r.scenario, f"{r.size} · {r.execution}",
                      r.architecture, r.status, f"{r.makespan:.1f} s" if r.makespan is not None else "—",
                      f"{r.speedup:.2f}×" if r.speedup is not None else "—", str(r.faults))
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped: do not squeeze the table into 80 columns
    console.print(table)


@main.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sizes", help="Team sizes: 1-5, 1,2,4 (default: [sweep] sizes, else 1-5).")
@click.option("--arch", help="Architectures, comma-separated: preassigned, lead, decentralized.")
@click.option("--execution", help="Executions, comma-separated: rounds, async.")
@click.option("--p", "p", help="Dependency variants, comma-separated: 0.2,0.5,0.9 (or serial, mixed, parallel).")
@click.option("--packs", help="Task packs, comma-separated: math_utils, data_analysis, svg_render.")
@click.option("--models", help="Models, comma-separated (sim: the simulated team).")
@click.option("--faults", help="Fault conditions, ;-separated: none;stall:1@40+30;delay:1@40+60x4.")
@click.option("--trials", type=int, help="Runs per grid point (seeds: [scenario] seed + trial).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option("--resume", is_flag=False, flag_value="latest", default=None, metavar="[SWEEP]",
              help="Continue an interrupted sweep (an id, a prefix, or latest), skipping finished cells.")
@_db_option
@_guard
def sweep(scenario: Path | None, jobs: int | None, resume: str | None, db: Path | None, **options: Any) -> None:
    """Run a grid of SCENARIO's variants (every run recorded), then see: teamtui report latest.

    \b
    teamtui sweep scenarios/experiments/paper_grid.toml
    teamtui sweep scenarios/quickstart.toml --sizes 1-5 --arch preassigned,decentralized --p 0.2,0.9 --trials 5
    teamtui sweep --resume            # continue the latest sweep where it stopped
    """
    from teamtui.experiments.sweep import sweep as run_sweep
    from teamtui.recorder import default_db

    run_sweep(db or default_db(), scenario, options, resume, jobs or os.cpu_count() or 1)


@main.command()
@click.argument("sweep_ref", metavar="SWEEP", default="latest")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="The report directory (default: reports/<sweep id>/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a summary with charts in the terminal; json: the whole analysis on stdout.")
@_db_option
@_guard
def report(sweep_ref: str, output: Path | None, fmt: str, db: Path | None) -> None:
    """Analyse a SWEEP (an id, a prefix, or latest): Markdown report, PNG figures and JSON in a directory."""
    from teamtui.experiments.report import write_report
    from teamtui.recorder import default_db

    write_report(db or default_db(), sweep_ref, output, fmt)


@main.command()
@_db_option
@_guard
def sweeps(db: Path | None) -> None:
    """List recorded sweeps, newest first."""
    from teamtui.experiments.table import connect, list_sweeps
    from teamtui.recorder import default_db

    path = db or default_db()
    if not path.exists():
        click.echo(f"no sweeps in {path}")
        return
    with connect(path) as conn:
        rows = list_sweeps(conn)
    if not rows:
        click.echo(f"no sweeps in {path}")
    for r in rows:
        when = r.created.replace("T", " ")[:16]
        click.echo(f"{r.id}  {when}  {r.status:<12} {r.done:>5}/{r.cells:<5} cells  {r.name}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_guard
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario files; print one line per problem and exit 2 if any is invalid."""
    from teamtui.errors import TeamtuiError
    from teamtui.scenario import load_scenario

    bad = 0
    for f in files:
        try:
            s = load_scenario(f)
        except TeamtuiError as exc:
            bad += 1
            click.echo(f"teamtui: {exc}", err=True)
            continue
        click.echo(f"{f}: ok ({s.size} agents, {s.architecture}, {s.execution}, "
                   f"{len(s.task.subtasks)} subtasks, p = {s.task.p_declared or round(s.task.p, 3)}, "
                   f"{len(s.faults)} faults)")
    sys.exit(2 if bad else 0)


@main.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--figures", is_flag=True, help="Then print the paper's figures computed from the imported sweep.")
@click.option("--json", "as_json", is_flag=True, help="With --figures: the figures as JSON on stdout.")
@_db_option
@_guard
def import_runs(path: Path, figures: bool, as_json: bool, db: Path | None) -> None:
    """Import the paper harness's recorded runs from PATH (run directories with events.jsonl and results.json,
    or its data/runs.parquet + events.parquet) as runs and one sweep."""
    import json

    from teamtui.experiments.paper_import import import_paper
    from teamtui.experiments.paper_sources import PaperImportError
    from teamtui.recorder import default_db

    database = db or default_db()
    result = import_paper(path, database)
    out = sys.stderr if as_json else sys.stdout
    bad = result.problems
    if bad.count:
        click.echo(f"teamtui: skipped {bad.count} malformed line(s)/row(s) or files; the first:", err=True)
        for line in bad.first:
            click.echo(f"  {line}", err=True)
    if not result.runs:
        raise PaperImportError(f"{path}: no run with events to import; fix the files named above")
    in_sqlite = result.events / result.write_seconds if result.write_seconds else 0.0
    click.echo(f"imported {result.imported} run(s) ({result.already} already there) and {result.events} events "
               f"in {result.seconds:.1f} s ({result.rows_per_s:,.0f} events/s; {in_sqlite:,.0f}/s in sqlite) "
               f"into {database}; "
               f"sweep {result.sweep_id} ({result.runs} cells)", file=out)
    if figures:
        from teamtui.experiments.paper_figures import tables
        from teamtui.experiments.paper_text import render
        from teamtui.experiments.table import connect, load_table

        with connect(database) as conn:
            t = tables(load_table(conn, result.sweep_id))
        click.echo(json.dumps(t, indent=1) if as_json else render(t), nl=not as_json)


if __name__ == "__main__":
    main()
