"""Reading the run database: recorded runs listed and resolved by id, prefix or `latest`, and their contents."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from teamtui.core import events as ev
from teamtui.store.connect import connect_ro
from teamtui.store.integrity import unreadable
from teamtui.store.liveness import is_live
from teamtui.store.schema import SCHEMA_VERSION, RecorderError, explain


@dataclass(frozen=True)
class RunRow:
    id: str
    scenario: str
    architecture: str
    execution: str
    size: int
    status: str
    started: str
    makespan: float | None
    faults: int
    speedup: float | None
    sweep: str | None = None
    """The sweep the run is a cell of (None: a run made by hand)."""
    parent: str | None = None
    """The run this one was forked from (None: not a fork)."""
    fork_at: int | None = None
    """The last event a fork shares with its parent."""


def list_runs(path: Path) -> list[RunRow]:
    """Recorded runs, newest first (ties within a second by insertion order); `running` rows whose recorder no
    longer holds the run's lock are reported as `interrupted` (`teamtui.store.liveness`)."""
    if not path.exists():
        return []
    try:
        conn = connect_ro(path)
        try:
            version_row = conn.execute("PRAGMA user_version").fetchone()
            if int(version_row[0]) > SCHEMA_VERSION:
                raise RecorderError(f"{path}: this run database was written by a newer teamtui; upgrade teamtui")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            cells = ("(SELECT run_id, MIN(sweep_id) AS sweep_id FROM sweep_cells WHERE run_id IS NOT NULL GROUP BY"
                     " run_id)" if "sweep_cells" in tables else "(SELECT NULL AS run_id, NULL AS sweep_id)")
            forks = ("forks" if "forks" in tables else
                     "(SELECT NULL AS run_id, NULL AS parent, NULL AS at_seq)")  # a database from before forks
            rows = conn.execute("SELECT r.id, r.scenario, r.architecture, r.execution, r.size, r.status, r.started,"
                                " r.makespan, r.faults, r.metrics, c.sweep_id, f.parent, f.at_seq FROM runs r"
                                " LEFT JOIN " + cells + " c ON c.run_id = r.id LEFT JOIN " + forks +
                                " f ON f.run_id = r.id"
                                " ORDER BY r.started DESC, r.rowid DESC").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(path, exc)) from None
    out = []
    for rid, name, arch, execu, size, status, started, makespan, faults, metrics, sweep, parent, at_seq in rows:
        if status == "running" and not is_live(path, rid) and _still_running(path, rid):
            status = "interrupted"
        try:
            speedup = json.loads(metrics).get("speedup") if metrics else None
        except (ValueError, AttributeError):  # a damaged row: listed, its speedup unknown
            speedup = None
        out.append(RunRow(rid, name, arch, execu, size, status, started, makespan, faults, speedup, sweep, parent,
                          at_seq))
    return out


def resolve_run(path: Path, ref: str) -> str:
    """A run id from an id, a unique prefix of one, or `latest`; unknown or ambiguous ones name candidates."""
    from teamtui.core.errors import did_you_mean

    rows = list_runs(path)
    if not rows:
        raise RecorderError(f"{path}: no recorded runs yet; run a scenario first (teamtui run SCENARIO.toml)")
    if ref == "latest":
        return rows[0].id
    ids = [r.id for r in rows]
    if ref in ids:
        return ref
    matches = [i for i in ids if i.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise RecorderError(f'run "{ref}" is ambiguous: it starts {len(matches)} runs ({", ".join(matches[:5])}); '
                            "give more of the id")
    close = [i for i in ids if ref in i][:5]
    hint = f"; runs containing it: {', '.join(close)}" if close else did_you_mean(ref, ids)
    raise RecorderError(f'no run "{ref}" in {path}{hint}; see teamtui runs')


def load_scenario_text(path: Path, run_id: str) -> tuple[str, str]:
    """The scenario text as it was run, and where it came from."""
    try:
        conn = connect_ro(path)
        try:
            row = conn.execute("SELECT scenario_text, source FROM runs WHERE id=?", (run_id,)).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise unreadable(path, run_id, exc) from None
    if row is None:
        raise RecorderError(f'no run "{run_id}" in {path}')
    return str(row[0]), str(row[1])


@dataclass(frozen=True)
class ForkLink:
    """Where a forked run left its parent, and what it changed there."""

    parent: str
    at_seq: int
    at_t: float
    change: dict[str, Any]


def load_fork(path: Path, run_id: str) -> ForkLink | None:
    """The fork link of a run (None: not a fork, or a database from before forks)."""
    try:
        conn = connect_ro(path)
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='forks'").fetchone() is None:
                return None
            row = conn.execute("SELECT parent, at_seq, at_t, change FROM forks WHERE run_id=?", (run_id,)).fetchone()
        finally:
            conn.close()
        return ForkLink(str(row[0]), int(row[1]), float(row[2]), json.loads(row[3])) if row else None
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise unreadable(path, run_id, exc) from None


def load_metrics(path: Path, run_id: str) -> dict[str, Any] | None:
    try:
        conn = connect_ro(path)
        try:
            row = conn.execute("SELECT metrics FROM runs WHERE id=?", (run_id,)).fetchone()
        finally:
            conn.close()
        return json.loads(row[0]) if row and row[0] else None
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise unreadable(path, run_id, exc) from None


def load_events(path: Path, run_id: str) -> list[ev.Event]:
    """A run's events; a damaged database or an event that does not decode is one `RecorderError` line."""
    try:
        conn = connect_ro(path)
        try:
            return [ev.decode(row[0]) for row in
                    conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (run_id,))]
        finally:
            conn.close()
    except (sqlite3.DatabaseError, msgspec.DecodeError, TypeError) as exc:
        raise unreadable(path, run_id, exc) from None


def readable_events(path: Path, run_id: str) -> tuple[list[ev.Event], list[str]]:
    """A run's events that decode, and one line per stored event that does not (it is left out): an export keeps
    everything that can be read. A damaged database is one `RecorderError` line."""
    events: list[ev.Event] = []
    skipped: list[str] = []
    try:
        conn = connect_ro(path)
        try:
            for seq, payload in conn.execute("SELECT seq, payload FROM events WHERE run_id=? ORDER BY seq", (run_id,)):
                try:
                    events.append(ev.decode(payload))
                except (msgspec.DecodeError, TypeError, ValueError) as exc:
                    skipped.append(f"event {seq}: {type(exc).__name__}: {str(exc)[:100]}")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise unreadable(path, run_id, exc) from None
    return events, skipped


def _still_running(path: Path, run_id: str) -> bool:
    """Whether the row still says `running` (a run that ended since it was listed gave its lock up lawfully)."""
    conn = connect_ro(path)
    try:
        row = conn.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
    finally:
        conn.close()
    return row is not None and row[0] == "running"
