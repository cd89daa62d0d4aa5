"""The one writer of the run database: every row of `runs` and `events`, for the recorder, sweeps and the importer.

A run is one `RunRow` (the scenario as it ran, its seed, versions, status, final metrics) and its events,
one row each, keyed by (run, seq). The live recorder writes through the async functions (aiosqlite, as a
run goes); sweeps, the importer and runs recorded after the fact through the sync ones (sqlite3, many rows
per transaction). Both spell the same statements, which exist only here.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import aiosqlite

from teamtui.core import events as ev
from teamtui.scenario.spec import Scenario
from teamtui.store.recording import CHECKPOINT_EVERY, Checkpointer
from teamtui.store.schema import RecorderError, explain, open_for_writing

_COLUMNS = ("id, scenario, scenario_text, source, seed, architecture, execution, size, models, versions, started,"
            " ended, status, pid, host, makespan, faults, metrics")
_INSERT_RUN = f"INSERT {{}}INTO runs ({_COLUMNS}) VALUES ({','.join('?' * 18)})"
_INSERT_EVENTS = "INSERT OR REPLACE INTO events (run_id, seq, t, agent, kind, payload) VALUES (?,?,?,?,?,?)"
_FINISH = "UPDATE runs SET ended=?, status=?, makespan=?, metrics=?, faults=? WHERE id=?"
_METRICS = "UPDATE runs SET metrics=? WHERE id=?"
_CHECKPOINTS = "INSERT OR REPLACE INTO checkpoints (run_id, seq, state) VALUES (?,?,?)"

EventRow = tuple[str, int, float, str, str, bytes]


@dataclass(frozen=True)
class RunRow:
    """One row of the `runs` table (JSON columns as Python values)."""

    id: str
    scenario: str
    scenario_text: str
    source: str
    seed: int
    architecture: str
    execution: str
    size: int
    models: list[str]
    versions: dict[str, str]
    started: str
    ended: str | None = None
    status: str = "running"
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    makespan: float | None = None
    faults: int = 0
    metrics: dict[str, Any] | None = None

    def values(self) -> tuple[Any, ...]:
        row = list(astuple(self))
        for i, name in ((8, "models"), (9, "versions"), (17, "metrics")):
            value = getattr(self, name)
            row[i] = json.dumps(value) if value is not None else None
        return tuple(row)


def new_run_id(token_bytes: int = 2) -> str:
    """A run id: the UTC start second, then random hex (`20261127-164624-a3f0`)."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(token_bytes)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """The versions of what produced a run (teamtui and the libraries that shape its results)."""
    out = {}
    for pkg in ("teamtui", "textual", "litellm"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def run_status(final: str) -> str:
    """A run's recorded status from its final event's: cancelled and failed stay, every other end is finished."""
    return final if final in ("cancelled", "failed") else "finished"


def run_row(s: Scenario, run_id: str, **fields: Any) -> RunRow:
    """The row of a run of scenario `s` (status `running` until it ends, unless `fields` say otherwise)."""
    return RunRow(id=run_id, scenario=s.name, scenario_text=s.text, source=str(s.source), seed=s.seed,
                  architecture=s.architecture, execution=s.execution, size=s.size,
                  models=sorted({a.model for a in s.agents}), versions=fields.pop("versions", None) or versions(),
                  started=fields.pop("started", None) or now(), faults=fields.pop("faults", len(s.faults)), **fields)


def event_rows(run_id: str, events: Iterable[ev.Event]) -> list[EventRow]:
    return [(run_id, e.seq, e.t, e.agent, e.kind, ev.encode(e)) for e in events]


# -- sync: sweeps, the importer, runs recorded after the fact --------------------------------------


def insert_runs(conn: sqlite3.Connection, rows: Sequence[RunRow], skip_existing: bool = False) -> None:
    """Insert runs (in the caller's transaction); an id already there is an error, or skipped if asked."""
    conn.executemany(_INSERT_RUN.format("OR IGNORE " if skip_existing else ""), [r.values() for r in rows])


def insert_events(conn: sqlite3.Connection, rows: Iterable[EventRow]) -> None:
    conn.executemany(_INSERT_EVENTS, rows)


RUN_COLUMNS = _COLUMNS
"""The columns of `runs` in the order `insert_run_values` takes them (a `SELECT {RUN_COLUMNS} FROM runs` row)."""


def insert_run_values(conn: sqlite3.Connection, values: Sequence[Any]) -> None:
    """Insert one `runs` row as stored (its JSON columns as text), in the caller's transaction: a bundle's copy."""
    conn.execute(_INSERT_RUN.format(""), tuple(values))


def set_metrics(path: Path, run_id: str, metrics: dict[str, Any]) -> None:
    """Attach final metrics (computed after the run, with its baselines) to a recorded run."""
    conn = open_for_writing(path)
    try:
        with conn:
            conn.execute(_METRICS, (json.dumps(metrics), run_id))
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(path, exc)) from None
    finally:
        conn.close()


def record_run(path: Path, scenario: Scenario, events: Sequence[ev.Event], metrics: dict[str, Any] | None,
               status: str | None = None) -> str:
    """Record a run that has already happened, in one transaction: its row, its events and, for a long run,
    the replay checkpoints (`status`, if given, overrides the one its last event implies). Returns its id."""
    end = events[-1] if events and isinstance(events[-1], ev.RunFinished) else None
    run_id = new_run_id()
    status = status or (run_status(end.status) if end else "interrupted")
    row = run_row(scenario, run_id, ended=now(), status=status,
                  makespan=end.makespan if end else None, metrics=metrics,
                  faults=sum(1 for e in events if isinstance(e, ev.FaultInjected)))
    conn = open_for_writing(path)
    try:
        with conn:
            insert_runs(conn, [row])
            insert_events(conn, event_rows(run_id, events))
            if len(events) >= CHECKPOINT_EVERY:
                folder = Checkpointer(run_id)
                folder.feed(ev.encode(e) for e in events)
                conn.executemany(_CHECKPOINTS, [*folder.rows, folder.marks_row()])
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(path, exc)) from None
    finally:
        conn.close()
    return run_id


def record_fork(path: Path, run_id: str, parent: str, at_seq: int, at_t: float, change: dict[str, Any]) -> None:
    """Link a recorded run to the run it was forked from, and the point where it left it."""
    conn = open_for_writing(path)
    try:
        with conn:
            conn.execute("INSERT OR REPLACE INTO forks (run_id, parent, at_seq, at_t, change) VALUES (?,?,?,?,?)",
                         (run_id, parent, at_seq, at_t, json.dumps(change)))
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(path, exc)) from None
    finally:
        conn.close()


# -- async: the live recorder (aiosqlite) -----------------------------------------------------------


async def begin_run(conn: aiosqlite.Connection, row: RunRow) -> None:
    await conn.execute(_INSERT_RUN.format(""), row.values())
    await conn.commit()


async def append_events(conn: aiosqlite.Connection, rows: list[EventRow]) -> None:
    await conn.executemany(_INSERT_EVENTS, rows)
    await conn.commit()


async def end_run(conn: aiosqlite.Connection, run_id: str, status: str, makespan: float | None,
                  metrics: dict[str, Any] | None, faults: int, checkpoints: list[tuple[str, int, bytes]]) -> None:
    """The run's final status and metrics, and its replay checkpoints, in one transaction."""
    if checkpoints:
        await conn.executemany(_CHECKPOINTS, checkpoints)
    await conn.execute(_FINISH, (now(), status, makespan, json.dumps(metrics) if metrics else None, faults, run_id))
    await conn.commit()
