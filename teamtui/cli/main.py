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
    from teamtui.core.redact import scrub

    click.echo(f"teamtui: {scrub(message)}", err=True)
    sys.exit(2)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn teamtui's errors into one line and exit code 2; Ctrl-C into exit code 130."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from teamtui.core.errors import TeamtuiError

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
            from teamtui.core.redact import scrub

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
    from teamtui.store.schema import default_db

    return db or default_db()


def _load(path: Path, seed: int | None, size: int | None, arch: str | None, execution: str | None,
          p: str | None, model: str | None = None, cassette: Path | None = None,
          record_llm: Path | None = None) -> Any:
    from dataclasses import replace

    from teamtui.core.errors import RunError
    from teamtui.scenario.load import load_scenario, with_overrides

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
    from teamtui.cli.headless import run_and_report

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
        from teamtui.cli.headless import run_and_report

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

    from teamtui.store.recorder import Recorder

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
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_guard
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario files; print one line per problem and exit 2 if any is invalid."""
    from teamtui.core.errors import TeamtuiError
    from teamtui.scenario.load import load_scenario

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


# The other commands register themselves on `main` (imported last: they need it defined).
from teamtui.cli import experiments, runs  # noqa: E402, F401
