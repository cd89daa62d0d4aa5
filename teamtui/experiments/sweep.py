"""`teamtui sweep`: create (or resume) a sweep, run its pending cells with a progress bar, record them.

A new sweep stores its grid and the base scenario's text with its cells, so `--resume` needs neither
the file nor the options again: it reruns exactly the cells that are not done.
"""

from __future__ import annotations

import signal
import time
import tomllib
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from teamtui.core.errors import Interrupted, TeamtuiError
from teamtui.experiments.executors import Executor, Where, open_executor
from teamtui.experiments.grid import check_cells, grid_of
from teamtui.experiments.runner import CellResult, run_cells
from teamtui.experiments.table import (
    CellParams,
    connect,
    create_sweep,
    pending_cells,
    resolve_sweep,
    set_sweep_status,
    sweep_grid,
)
from teamtui.scenario.load import load_scenario, with_overrides
from teamtui.store.integrity import damage


class SweepInterrupted(Interrupted):
    """A sweep stopped by Ctrl-C or SIGTERM (what finished is recorded; --resume continues); exit 130 or 143."""


_CAUGHT = [signal.SIGINT]
"""The signal that stopped the sweep (both arrive as KeyboardInterrupt)."""


def _sigterm(signum: int, frame: FrameType | None) -> None:
    _CAUGHT[0] = signal.SIGTERM
    raise KeyboardInterrupt


def prepare(db: Path, scenario: Path | None, options: dict[str, Any], resume: str | None,
            ) -> tuple[str, dict[str, Any], str, list[CellParams], int]:
    """(sweep id, base scenario data, its source, the cells to run, total cells) of a new or resumed sweep.
    `api_base` and `api_key_env` in `options` (--api-base, --api-key-env) are not axes: they say where every
    cell's model is served, and apply to a resumed sweep's cells too."""
    server = {k: options.pop(k) for k in ("api_base", "api_key_env") if options.get(k) is not None}
    options = {k: v for k, v in options.items() if k not in ("api_base", "api_key_env")}
    if resume is not None:
        with connect(db, write=True) as conn:
            sweep_id = resolve_sweep(conn, resume, db)
            stored = sweep_grid(conn, sweep_id)
            cells = pending_cells(conn, sweep_id)
            total = int(conn.execute("SELECT COUNT(*) FROM sweep_cells WHERE sweep_id=?", (sweep_id,)).fetchone()[0])
        if "scenario_text" not in stored:
            raise TeamtuiError(f"sweep {sweep_id} was not made by teamtui sweep (imported data); it cannot be resumed")
        return sweep_id, _served(tomllib.loads(stored["scenario_text"]), server), stored["source"], cells, total
    if scenario is None:
        raise TeamtuiError("give a scenario file to sweep, or --resume [SWEEP] to continue one")
    s = load_scenario(scenario)
    if server:
        s = with_overrides(s, **server)
    data = tomllib.loads(s.text)
    grid = grid_of(s, data, options)
    all_cells = grid.cells()
    check_cells(data, s.source, all_cells)
    with connect(db, write=True) as conn:
        sweep_id = create_sweep(conn, str(data["scenario"]["name"]), s.source,
                                {**grid.to_dict(), "scenario_text": s.text, "source": s.source}, all_cells)
    return sweep_id, data, s.source, all_cells, len(all_cells)


def _served(data: dict[str, Any], server: dict[str, str]) -> dict[str, Any]:
    """Scenario data with the whole team's api_base / api_key_env set (agents' own values dropped)."""
    for key, val in server.items():
        data.setdefault("team", {})[key] = val
        for agent in data.get("agents", []):
            agent.pop(key, None)
    return data


def sweep(db: Path, scenario: Path | None, options: dict[str, Any], resume: str | None, jobs: int,
          where: Where | None = None) -> str:
    """Run a sweep to the end (or until interrupted) on local processes or where `where` says; returns its id.
    Ray is started (or joined) before the sweep is created, so a cluster that cannot be reached leaves nothing."""
    where = where or Where()
    pool = open_executor(where, jobs) if where.kind != "process" else None  # the process pool: run_cells's own
    try:
        return _sweep(db, scenario, options, resume, jobs, where, pool)
    finally:
        if pool is not None:
            pool.close()


def _sweep(db: Path, scenario: Path | None, options: dict[str, Any], resume: str | None, jobs: int, where: Where,
           pool: Executor | None) -> str:
    console = Console(stderr=True)
    hurt = damage(db) if db.exists() else None
    if hurt is not None:  # writing into a damaged database can spread the damage
        raise TeamtuiError(f"{hurt.describe(db)}; no sweep is recorded there")
    sweep_id, data, source, cells, total = prepare(db, scenario, options, resume)
    done_before = total - len(cells)
    if not cells:
        console.print(f"sweep {sweep_id}: all {total} cells are already done; see teamtui report {sweep_id}")
        return sweep_id
    failures: list[str] = []
    t0 = time.perf_counter()
    old = signal.signal(signal.SIGTERM, _sigterm)
    try:
        console.print(f"sweep {sweep_id}: {len(cells)} of {total} cells to run on {where.describe(jobs)}"
                      + (f" ({done_before} already done)" if done_before else ""), highlight=False)
        with connect(db, write=True) as conn:
            try:
                set_sweep_status(conn, sweep_id, "running")
                conn.commit()
                writer = _with_progress(conn, sweep_id, data, source, cells, jobs, total, done_before, console,
                                        failures, pool)
            except KeyboardInterrupt:
                _interrupted(conn, sweep_id)  # on this connection: the finished cells of its open batch are kept
            set_sweep_status(conn, sweep_id, "failed cells" if failures else "done")
    except KeyboardInterrupt:  # before the database was open: nothing of this sweep's is pending
        with connect(db, write=True) as conn:
            _interrupted(conn, sweep_id)
    finally:
        signal.signal(signal.SIGTERM, old)
    wall = time.perf_counter() - t0
    console.print(f"sweep {sweep_id}: {writer.runs} runs recorded in {wall:.1f} s "
                  f"({writer.runs / wall:.1f} runs/s, {writer.events:,} events) to {db}", highlight=False)
    if failures:
        raise TeamtuiError(f"sweep {sweep_id}: {len(failures)} of {len(cells)} cells could not run, e.g.: "
                           f"{failures[0]}; fix the cause and rerun them with teamtui sweep --resume {sweep_id}")
    console.print(f"report: teamtui report {sweep_id}", highlight=False)
    return sweep_id


def _interrupted(conn: Any, sweep_id: str) -> NoReturn:
    """Mark the sweep interrupted (whenever Ctrl-C or SIGTERM came once it exists) and say how to go on."""
    set_sweep_status(conn, sweep_id, "interrupted")
    conn.commit()
    raise SweepInterrupted(_CAUGHT[0], f"sweep {sweep_id} interrupted by {_CAUGHT[0].name}; finished cells are "
                           f"recorded, continue with teamtui sweep --resume {sweep_id}") from None


def _with_progress(conn: Any, sweep_id: str, data: dict[str, Any], source: str, cells: list[CellParams],
                   jobs: int, total: int, done_before: int, console: Console, failures: list[str],
                   pool: Executor | None = None) -> Any:
    if console.is_terminal:
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=console)
        bar = progress.add_task(sweep_id, total=total, completed=done_before, rate="")
        t0 = time.perf_counter()
        count = [0]

        def on_result(r: CellResult) -> None:
            count[0] += 1
            if r.error:
                failures.append(r.error)
            progress.update(bar, advance=1, rate=f"{count[0] / max(time.perf_counter() - t0, 1e-9):.1f} runs/s")

        with progress:
            return run_cells(conn, sweep_id, data, source, cells, jobs, on_result, pool)
    step = max(1, len(cells) // 10)
    t0 = time.perf_counter()
    seen = [0]

    def on_line(r: CellResult) -> None:
        seen[0] += 1
        if r.error:
            failures.append(r.error)
        if seen[0] % step == 0 or seen[0] == len(cells):
            el = time.perf_counter() - t0
            eta = el / seen[0] * (len(cells) - seen[0])
            console.print(f"sweep {sweep_id}: {done_before + seen[0]}/{total} cells, {el:.1f} s, ETA {eta:.0f} s",
                          highlight=False)

    return run_cells(conn, sweep_id, data, source, cells, jobs, on_line, pool)
