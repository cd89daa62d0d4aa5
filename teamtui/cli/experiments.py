"""`teamtui` commands for experiments: sweep, sweeps, report, compare, and import of the paper's recorded runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from teamtui.cli.common import api_options, db_option, guard


def executor_options(fn: Any) -> Any:
    """--executor and --address: local processes (the default) or Ray tasks (the cluster extra)."""
    fn = click.option("--address", metavar="ADDR",
                      help="With --executor ray: the cluster to join (ray://HEAD:10001, HEAD:6379 or auto); "
                           "default: a local Ray instance of --jobs CPUs, started for this command.")(fn)
    return click.option("--executor", type=click.Choice(["process", "ray"]), default="process", show_default=True,
                         help="Where the work runs: local worker processes, or Ray tasks "
                              "(pip install -e '.[cluster]').")(fn)


def where_of(executor: str, address: str | None) -> Any:
    """The executors.Where of --executor/--address, checked (and Ray found) before any work starts."""
    from teamtui.experiments.executors import Where, import_ray

    where = Where(executor, address)
    if where.kind == "ray":
        import_ray()
    return where


@click.command()
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
@executor_options
@api_options
@db_option
@guard
def sweep(scenario: Path | None, jobs: int | None, resume: str | None, db: Path | None, executor: str,
          address: str | None, **options: Any) -> None:
    """Run a grid of SCENARIO's variants (every run recorded), then see: teamtui report latest.

    \b
    teamtui sweep scenarios/experiments/paper_grid.toml
    teamtui sweep scenarios/quickstart.toml --sizes 1-5 --arch preassigned,decentralized --p 0.2,0.9 --trials 5
    teamtui sweep --resume            # continue the latest sweep where it stopped
    teamtui sweep scenarios/quickstart.toml --trials 20 --executor ray --address ray://head:10001
    """
    from teamtui.experiments.sweep import sweep as run_sweep
    from teamtui.store.schema import default_db

    where = where_of(executor, address)
    run_sweep(db or default_db(), scenario, options, resume, jobs or os.cpu_count() or 1, where)


@click.command()
@click.argument("sweep_ref", metavar="SWEEP", default="latest")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="The report directory (default: reports/<sweep id>/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a summary with charts in the terminal; json: the whole analysis on stdout.")
@db_option
@guard
def report(sweep_ref: str, output: Path | None, fmt: str, db: Path | None) -> None:
    """Analyse a SWEEP (an id, a prefix, or latest): Markdown report, PNG figures and JSON in a directory."""
    from teamtui.experiments.report import write_report
    from teamtui.store.schema import default_db

    write_report(db or default_db(), sweep_ref, output, fmt)


@click.command()
@click.argument("sweep_a", metavar="SWEEP_A")
@click.argument("sweep_b", metavar="SWEEP_B")
@click.option("--db-b", "db_b", type=click.Path(path_type=Path, dir_okay=False),
              help="The run database SWEEP_B is in (default: the one SWEEP_A is in).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text: a table in the terminal; json: both tables and the comparison; markdown: a table.")
@db_option
@guard
def compare(sweep_a: str, sweep_b: str, db_b: Path | None, fmt: str, db: Path | None) -> None:
    """Set two sweeps' paper tables side by side: per figure, whether the 95 % CIs overlap and whether A's mean
    is inside B's CI, and how many of A's figures are.

    \b
    teamtui compare latest sw-20261127-172341 --db-b /tmp/paper.db     # the sim against the paper's runs
    """
    from teamtui.experiments.compare import compare as run_compare
    from teamtui.store.schema import default_db

    database = db or default_db()
    run_compare(database, sweep_a, db_b or database, sweep_b, fmt)


@click.command()
@db_option
@guard
def sweeps(db: Path | None) -> None:
    """List recorded sweeps, newest first."""
    from teamtui.core.printable import shown
    from teamtui.experiments.table import connect, list_sweeps
    from teamtui.store.schema import default_db

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
        click.echo(shown(f"{r.id}  {when}  {r.status:<12} {r.done:>5}/{r.cells:<5} cells  {r.name}"))


@click.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--figures", is_flag=True, help="Then print the paper's figures computed from the imported sweep.")
@click.option("--json", "as_json", is_flag=True, help="With --figures: the figures as JSON on stdout.")
@db_option
@guard
def import_runs(path: Path, figures: bool, as_json: bool, db: Path | None) -> None:
    """Import the paper harness's recorded runs from PATH (run directories with events.jsonl and results.json,
    or its data/runs.parquet + events.parquet) as runs and one sweep; or one run from a bundle file (a .teamtui
    written by teamtui export RUN --format bundle)."""
    import json

    from teamtui.experiments.paper.importer import import_paper
    from teamtui.experiments.paper.sources import PaperImportError
    from teamtui.store.schema import default_db

    database = db or default_db()
    from teamtui.store.bundle import looks_like_bundle

    if looks_like_bundle(path):
        from teamtui.cli.share import import_bundle

        import_bundle(path, database)
        return
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
        from teamtui.experiments.paper.figures import tables
        from teamtui.experiments.paper.text import render
        from teamtui.experiments.table import connect, load_table

        with connect(database) as conn:
            t = tables(load_table(conn, result.sweep_id))
        click.echo(json.dumps(t, indent=1) if as_json else render(t), nl=not as_json)



@click.command()
@click.argument("runs", nargs=-1, metavar="RUNS...")
@click.option("--model", "models", help="Models, comma-separated (a part of the name is enough: claude). "
                                        "Each selected model is fitted on its own.")
@click.option("--arch", help="Architectures, comma-separated: preassigned, decentralized, lead.")
@click.option("--p", "p", help="Dependency variants, comma-separated: 0.2,0.5,0.9.")
@click.option("--sizes", help="Team sizes: 1-5, 1,2,4.")
@click.option("--packs", help="Task packs, comma-separated (math_utils or the harness's mathutilities20, ...).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The profile file (default: .teamtui/profiles/<model>.toml; with several models, "
                   "the model's name is appended).")
@click.option("--name", help="The profile's name (written to .teamtui/profiles/NAME.toml).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option("--budget", type=click.IntRange(min=1), default=None,
              help="Loss evaluations per fit (default 300; with --validate, 100 per fold).")
@click.option("--seeds", type=click.IntRange(min=1), default=4, show_default=True, help="Seeds per simulated cell.")
@click.option("--knobs", help="Behavioural knobs to fit, comma-separated (default: all of them).")
@click.option("--resume", is_flag=True, help="Reuse the evaluations cached by an earlier, interrupted calibration.")
@click.option("--start", "start", metavar="PROFILE",
              help="Start from this profile (a name or a .toml file), e.g. to refit after a change to the sim: "
                   "the knobs being fitted start at its values, the other behavioural knobs keep them.")
@click.option("--validate", is_flag=True, help="Instead of writing a profile: fit on some packs (reps) and "
                                               "predict the others, and report coverage, signs and distances.")
@click.option("--folds", "fold_kinds", type=click.Choice(["all", "pack", "rep"]), default="all", show_default=True,
              help="With --validate: the held-out packs, the held-out repetitions, or both.")
@click.option("--predict-seeds", type=click.IntRange(min=2), default=20, show_default=True,
              help="With --validate: seeds per held-out cell.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@executor_options
@db_option
@guard
def calibrate(runs: tuple[str, ...], models: str | None, arch: str | None, p: str | None, sizes: str | None,
              packs: str | None, output: Path | None, name: str | None, jobs: int | None, budget: int | None,
              seeds: int, knobs: str | None, resume: bool, start: str | None, validate: bool, fold_kinds: str,
              predict_seeds: int, fmt: str, db: Path | None, executor: str, address: str | None) -> None:
    """Fit a sim profile to recorded RUNS (run ids, a sweep id or prefix, or latest; an imported sweep too):
    direct knobs from the calls, behavioural knobs by simulation, one profile per model.

    \b
    teamtui calibrate latest --db /tmp/paper.db --model claude --name claude
    teamtui calibrate latest --db /tmp/paper.db --model gpt-5.2 --packs math_utils,svg_render --budget 100
    teamtui calibrate latest --db /tmp/paper.db --model gemini --validate --format json
    """
    import shlex

    from teamtui.core.errors import TeamtuiError
    from teamtui.experiments.calibrate.command import calibrate as run_calibrate
    from teamtui.experiments.calibrate.command import start_from
    from teamtui.experiments.calibrate.fit import Options
    from teamtui.experiments.calibrate.knobs import chosen
    from teamtui.experiments.calibrate.select import Filters
    from teamtui.scenario import axes
    from teamtui.store.schema import default_db

    def names(v: str | None) -> tuple[str, ...]:
        return tuple(x.strip() for x in v.split(",") if x.strip()) if v else ()

    if output is not None and name is not None:
        raise TeamtuiError("give -o PROFILE.toml or --name NAME, not both")
    try:
        filters = Filters(models=names(models), archs=tuple(axes.parse_architectures(arch)) if arch else (),
                          ps=tuple(axes.parse_ps(p)) if p else (),
                          sizes=tuple(axes.parse_sizes(sizes)) if sizes else (), packs=names(packs))
        knob_names = names(knobs)
        chosen(knob_names)
    except ValueError as exc:
        raise TeamtuiError(str(exc)) from None
    options = Options(budget=budget or (100 if validate else 300), seeds=seeds, jobs=jobs or os.cpu_count() or 1,
                      where=where_of(executor, address), knobs=knob_names, resume=resume,
                      quiet=fmt == "json" and not sys.stderr.isatty())
    command = "teamtui calibrate " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    run_calibrate(db or default_db(), list(runs), filters, options, output, name, command, validate, fmt,
                  predict_seeds, start_from(start) if start else None,
                  ("pack", "rep") if fold_kinds == "all" else (fold_kinds,))
