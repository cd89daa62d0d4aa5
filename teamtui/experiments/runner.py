"""Running a sweep's cells in worker processes or Ray tasks (`executors`), recording each as a run, in batches.

Workers build a cell's scenario, run it on the virtual clock, and compute its metrics against the
same-seed 1-agent baseline (and, for a fault cell, the same run without the fault) — comparison runs
each worker keeps in a small cache and does not record. They return the run's row and its encoded
events; the parent writes finished runs with one sqlite3 connection, `executemany` and one transaction
per batch (WAL), and marks their cells done in the same transaction, so an interrupted sweep leaves no
half-recorded run and resumes exactly where it stopped.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from teamtui.core import events as ev
from teamtui.core.errors import TeamtuiError
from teamtui.experiments.executors import Executor, ProcessExecutor
from teamtui.experiments.grid import BASELINE_ARCH, cell_data, cell_scenario
from teamtui.experiments.table import CellParams, mark_cell
from teamtui.launch import Baselines, Run
from teamtui.runtime.engine import remove_workdirs
from teamtui.scenario.spec import Scenario
from teamtui.scenario.tomlw import dumps
from teamtui.store import writer

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when its parent dies."""
BATCH_RUNS = 50
BATCH_S = 0.5
"""The parent commits at least this often, so an interrupted sweep loses at most this much work."""


@dataclass
class CellResult:
    cell: CellParams
    run_id: str | None = None
    error: str = ""
    row: writer.RunRow | None = None
    events: list[writer.EventRow] = field(default_factory=list)


_STATE: dict[str, Any] = {}


def init_worker(data: dict[str, Any], source: str, versions: dict[str, str], parent: int | None = None) -> None:
    """Per worker process: the sweep's base scenario; Ctrl-C is the parent's to handle. A worker of a pool
    (`parent` given) dies with its parent: on Linux the kernel sends it SIGTERM when the parent dies, however
    it dies (PR_SET_PDEATHSIG), and SIGTERM removes the worker's run workspaces and ends it at once."""
    if parent is not None:  # (a Ray worker gives none: Ray owns its workers' signals and lifetime)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _die)
        _die_with(parent)
    _STATE.update(data=data, source=source, versions=versions, baselines=Baselines())


def _die(signum: int, frame: FrameType | None) -> None:
    remove_workdirs()
    os._exit(128 + signum)


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        _die(signal.SIGTERM, None)


def _scenario(cell: CellParams) -> Scenario:
    """The cell's scenario; trials of one grid point differ only in seed, so the validated scenario (with its
    loaded task pack) is built once per grid point and given each trial's seed, name and text."""
    point = dataclasses.replace(cell, trial=0, seed=0)
    cache: dict[CellParams, Scenario] = _STATE.setdefault("scenarios", {})
    if point not in cache:
        if len(cache) > 256:
            cache.clear()
        cache[point] = cell_scenario(_STATE["data"], _STATE["source"], point)
    d = cell_data(_STATE["data"], cell)
    return dataclasses.replace(cache[point], seed=cell.seed, name=d["scenario"]["name"], text=dumps(d))


def run_cell(cell: CellParams) -> CellResult:
    """Run one cell (in a worker) the one way every run goes (`teamtui.launch.Run`), with this worker's cached
    baselines; a cell that cannot run comes back with its error, not an exception."""
    try:
        s = _scenario(cell)
        started = writer.now()
        outcome = Run(s, baselines=_STATE["baselines"]).execute()
    except TeamtuiError as exc:
        return CellResult(cell, error=str(exc))
    if outcome.error is not None:
        return CellResult(cell, error=f"engine error: {outcome.error!r}")
    events, metrics = outcome.events, outcome.metrics.to_dict()
    end = events[-1] if events and isinstance(events[-1], ev.RunFinished) else None
    run_id = writer.new_run_id(4)
    row = writer.run_row(s, run_id, versions=_STATE["versions"], started=started, ended=writer.now(),
                         status=writer.run_status(end.status) if end else "interrupted",
                         makespan=end.makespan if end else None, metrics=metrics)
    rows = writer.event_rows(run_id, events)
    return CellResult(cell, run_id, "", row, rows)


class BatchWriter:
    """Collects finished cells and writes them (runs, events, cell marks) in one transaction per batch."""

    def __init__(self, conn: sqlite3.Connection, sweep_id: str) -> None:
        self.conn, self.sweep_id = conn, sweep_id
        self.pending: list[CellResult] = []
        self.last = time.monotonic()
        self.runs = self.events = 0

    def add(self, result: CellResult) -> None:
        self.pending.append(result)
        if len(self.pending) >= BATCH_RUNS or time.monotonic() - self.last >= BATCH_S:
            self.flush()

    def flush(self) -> None:
        """Write the pending results in one transaction. Ctrl-C and SIGTERM wait until it has committed (they
        are blocked meanwhile), so a result is written once or, if the process dies first, not at all."""
        self.last = time.monotonic()
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        ok = [r for r in batch if r.run_id]
        with _signals_deferred(), self.conn:
            writer.insert_runs(self.conn, [r.row for r in ok if r.row is not None])
            writer.insert_events(self.conn, _chain(r.events for r in ok))
            for r in batch:
                mark_cell(self.conn, self.sweep_id, r.cell, r.run_id, "done" if r.run_id else "failed")
        self.runs += len(ok)
        self.events += sum(len(r.events) for r in ok)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _chain(parts: Iterator[list[writer.EventRow]]) -> Iterator[writer.EventRow]:
    for part in parts:
        yield from part


def seed_groups(cells: Sequence[CellParams]) -> list[list[CellParams]]:
    """Cells grouped by what their baseline run shares (pack, p, execution, model, seed), the 1-agent
    baseline cell first: a group goes to one worker, which then runs each baseline once."""
    groups: dict[tuple[Any, ...], list[CellParams]] = {}
    for c in cells:
        groups.setdefault((c.pack, c.p, c.execution, c.model, c.seed), []).append(c)
    return [sorted(g, key=lambda c: (c.size != 1 or c.architecture != BASELINE_ARCH or c.fault != "none",
                                     c.key())) for g in groups.values()]


def run_group(cells: list[CellParams]) -> list[CellResult]:
    return [run_cell(c) for c in cells]


def run_cells(conn: sqlite3.Connection, sweep_id: str, data: dict[str, Any], source: str,
              cells: Sequence[CellParams], jobs: int,
              on_result: Callable[[CellResult], None] | None = None, executor: Executor | None = None) -> BatchWriter:
    """Run `cells` on `jobs` processes (1: in this process), or on `executor` (e.g. Ray) when given, recording each
    as it finishes. On KeyboardInterrupt (Ctrl-C, or SIGTERM turned into it) what has finished is written before
    it propagates."""
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit is durable at the next checkpoint, and atomic now
    batches = BatchWriter(conn, sweep_id)
    stamp = writer.versions()
    groups = seed_groups(cells)
    try:
        if executor is None and jobs <= 1:
            init_worker(data, source, stamp)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for cell in (c for g in groups for c in g):
                result = run_cell(cell)
                batches.add(result)
                if on_result:
                    on_result(result)
        else:
            with contextlib.ExitStack() as stack:
                pool = executor or stack.enter_context(ProcessExecutor(jobs))
                _run_pool(batches, pool, data, source, stamp, groups, on_result)
    finally:
        batches.flush()
    return batches


def _run_pool(batches: BatchWriter, pool: Executor, data: dict[str, Any], source: str, versions: dict[str, str],
              groups: list[list[CellParams]], on_result: Callable[[CellResult], None] | None) -> None:
    """The groups on `pool`, a short queue of them in flight (an interrupt abandons little work); local workers
    die with this process, Ray's with the driver (Ray sees to that)."""
    local = isinstance(pool, ProcessExecutor)
    init = (init_worker, (data, source, versions, os.getpid()) if local else (data, source, versions))

    def done(_: int, results: list[CellResult]) -> None:
        for result in results:
            batches.add(result)
            if on_result:
                on_result(result)

    def lost(i: int, why: str) -> None:  # Ray lost the group's task: its cells failed, --resume reruns them
        done(i, [CellResult(cell, error=why) for cell in groups[i]])

    pool.run(run_group, [(g,) for g in groups], done, init=init, window=pool.slots * 2, idle=batches.flush,
             on_lost=lost)
