"""`teamtui fork` and `teamtui diff`: branch a recorded run off at a moment with a change, and compare two runs."""

from __future__ import annotations

from pathlib import Path

import click

from teamtui.cli.common import FiniteFloat, db_option, guard


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--at", "at", type=int, metavar="EVENT",
              help="Fork after this event: its seq, as teamtui export and teamtui diff show it (in replay, b forks "
                   "after the event on screen).")
@click.option("--at-time", "at_time", type=FiniteFloat(min=0), metavar="SECONDS",
              help="Fork at this run time (once the run has nothing else to do at that instant).")
@click.option("--model", help="From the fork point on, this model: sim, sim:PROFILE or cassette:PATH.")
@click.option("--drop-fault", "drop", type=int, multiple=True, metavar="N",
              help="Drop the parent's fault N (its scenario's [[faults]] in file order, then those injected live); "
                   "it must not have happened before the fork point. Repeatable.")
@click.option("--add-fault", "add", multiple=True, metavar="FAULT",
              help="Inject this fault at the fork point: ACTION:AGENT[+SECONDS][xFACTOR], e.g. kill:bob, "
                   "stall:2+30, delay:cy+20x3, or heal. Repeatable.")
@click.option("--size", type=click.IntRange(1, 64),
              help="Keep only the first N agents from the fork point on (the others are killed there; a team "
                   "cannot grow mid-run).")
@click.option("--cassette", type=click.Path(path_type=Path, dir_okay=False),
              help="For a parent that called real models: the cassette it was recorded to (replayed offline).")
@click.option("--json", "as_json", is_flag=True, help="Print the child's metrics as JSON on stdout.")
@db_option
@guard
def fork(run_ref: str, at: int | None, at_time: float | None, model: str | None, drop: tuple[int, ...],
         add: tuple[str, ...], size: int | None, cassette: Path | None, as_json: bool, db: Path | None) -> None:
    """Re-execute a recorded RUN up to a point (--at EVENT or --at-time SECONDS), then continue it with a change,
    recorded as a new run linked to RUN.

    \b
    The prefix is re-executed on the virtual clock: the sim from its seed (with the faults injected live
    replayed at their times), real models from their cassette. For the sim it is the parent's log, event for
    event (the fork says so if it is not). --size can only shrink a team mid-run: it kills the agents
    past N at the fork point. --model cannot switch to a model behind a network (the virtual clock).
    """
    from teamtui.cli.forking import ForkRequest, fork_and_report
    from teamtui.store.schema import default_db

    req = ForkRequest(at=at, at_time=at_time, model=model, drop=drop, add=add, size=size, cassette=cassette)
    fork_and_report(db or default_db(), run_ref, req, as_json)


@click.command()
@click.argument("a_ref", metavar="A")
@click.argument("b_ref", metavar="[B]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON on stdout.")
@click.option("--width", type=click.IntRange(10, 400), default=60, show_default=True,
              help="Cells in each agent's timeline.")
@db_option
@guard
def diff(a_ref: str, b_ref: str | None, as_json: bool, width: int, db: Path | None) -> None:
    """Compare two recorded runs A and B: metrics side by side, the first event where their logs differ, and each
    agent's timeline. With a fork alone (teamtui diff FORK), compare it with its parent."""
    import json

    from teamtui.cli.diffview import compare, render
    from teamtui.store.schema import default_db

    path = db or default_db()
    result = compare(path, a_ref, b_ref, width)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=1, default=list))
    else:
        render(result)
