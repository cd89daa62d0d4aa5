"""The sweep tables of the run database: a sweep, its cells (one run each), and the rows analysis reads.

A sweep is a grid of cells; each cell is one run of one parameter combination (`CellParams`) and
points at a normal recorded run (`runs.id`), so every cell can be replayed. Imported data (the paper's
recorded runs) is stored the same way, so `teamtui report` reads both alike. The analysis consumes
`CellRun` rows: the cell's parameters plus the run's final metrics (the JSON of `RunMetrics.to_dict()`,
or the subset an importer can fill).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teamtui.store.connect import connect_ro
from teamtui.store.schema import SCHEMA_VERSION, RecorderError, explain, migrate


@dataclass(frozen=True)
class CellParams:
    """One point of a sweep grid."""

    pack: str
    p: float
    size: int
    architecture: str
    execution: str
    model: str
    fault: str = "none"
    """A fault condition's label ("none", or e.g. "stall@30s+20s")."""
    trial: int = 0
    seed: int = 0

    def key(self) -> str:
        """A canonical text key of the cell, unique within a sweep."""
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class CellRun:
    """A cell with its run: what the analysis reads."""

    params: CellParams
    run_id: str | None
    status: str
    """pending | done | failed"""
    metrics: dict[str, Any] | None


@dataclass(frozen=True)
class SweepRow:
    id: str
    name: str
    source: str
    created: str
    status: str
    cells: int
    done: int


@contextlib.contextmanager
def connect(db: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to a run database that already has the sweep tables (schema 2 or newer)."""
    if not write and not db.exists():
        raise RecorderError(f"{db}: no run database here; run a sweep first or pass --db")
    try:
        if write:
            db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(f"file:{db}", uri=True, timeout=5.0) if write else connect_ro(db, timeout=5.0)
        try:
            if write:
                conn.execute("PRAGMA journal_mode=WAL")
                migrate(conn, db)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise RecorderError(f"{db}: this run database was written by a newer teamtui; upgrade teamtui")
            if version < 2:
                raise RecorderError(f"{db}: this run database has no sweeps yet; run teamtui sweep first")
            yield conn
            if write:
                conn.commit()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(db, exc)) from None


def create_sweep(conn: sqlite3.Connection, name: str, source: str, grid: dict[str, Any],
                 cells: Sequence[CellParams]) -> str:
    """Store a new sweep with all its cells pending; returns its id."""
    sweep_id = "sw-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    conn.execute("INSERT INTO sweeps VALUES (?,?,?,?,?,?)",
                 (sweep_id, name, source, json.dumps(grid, sort_keys=True),
                  datetime.now(UTC).isoformat(timespec="seconds"), "running"))
    add_cells(conn, sweep_id, cells)
    return sweep_id


def add_cells(conn: sqlite3.Connection, sweep_id: str, cells: Sequence[CellParams],
              skip_existing: bool = False) -> None:
    """Add cells to a sweep, pending; a cell it already has is an error, or skipped if asked."""
    conn.executemany(f"INSERT {'OR IGNORE ' if skip_existing else ''}INTO sweep_cells VALUES (?,?,?,?,?)",
                     [(sweep_id, c.key(), json.dumps(asdict(c)), None, "pending") for c in cells])


def mark_cell(conn: sqlite3.Connection, sweep_id: str, cell: CellParams, run_id: str | None, status: str) -> None:
    conn.execute("UPDATE sweep_cells SET run_id=?, status=? WHERE sweep_id=? AND cell=?",
                 (run_id, status, sweep_id, cell.key()))


def set_sweep_status(conn: sqlite3.Connection, sweep_id: str, status: str) -> None:
    conn.execute("UPDATE sweeps SET status=? WHERE id=?", (status, sweep_id))


def pending_cells(conn: sqlite3.Connection, sweep_id: str) -> list[CellParams]:
    """Cells not yet done (pending or failed), in key order."""
    rows = conn.execute("SELECT params FROM sweep_cells WHERE sweep_id=? AND status != 'done' ORDER BY cell",
                        (sweep_id,))
    return [CellParams(**json.loads(r[0])) for r in rows]


def load_table(conn: sqlite3.Connection, sweep_id: str) -> list[CellRun]:
    """Every cell of a sweep with its run's final metrics (None where the run has none yet)."""
    rows = conn.execute(
        "SELECT c.params, c.run_id, c.status, r.metrics FROM sweep_cells c LEFT JOIN runs r ON r.id = c.run_id"
        " WHERE c.sweep_id=? ORDER BY c.cell", (sweep_id,)).fetchall()
    return [CellRun(CellParams(**json.loads(params)), run_id, status, json.loads(metrics) if metrics else None)
            for params, run_id, status, metrics in rows]


def list_sweeps(conn: sqlite3.Connection) -> list[SweepRow]:
    """Sweeps, newest first, with how many of their cells are done."""
    rows = conn.execute(
        "SELECT s.id, s.name, s.source, s.created, s.status, COUNT(c.cell),"
        " SUM(CASE WHEN c.status = 'done' THEN 1 ELSE 0 END)"
        " FROM sweeps s LEFT JOIN sweep_cells c ON c.sweep_id = s.id GROUP BY s.id ORDER BY s.created DESC, s.id DESC"
    ).fetchall()
    return [SweepRow(i, n, src, cr, st, int(cells), int(done or 0)) for i, n, src, cr, st, cells, done in rows]


def resolve_sweep(conn: sqlite3.Connection, ref: str, db: Path) -> str:
    """A sweep id from an id, a unique prefix of one, or `latest`."""
    ids = [r.id for r in list_sweeps(conn)]
    if not ids:
        raise RecorderError(f"{db}: no sweeps recorded yet; run teamtui sweep SCENARIO.toml first")
    if ref == "latest":
        return ids[0]
    if ref in ids:
        return ref
    matches = [i for i in ids if i.startswith(ref) or i.startswith("sw-" + ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise RecorderError(f'sweep "{ref}" is ambiguous: it starts {", ".join(matches[:5])}; give more of the id')
    raise RecorderError(f'no sweep "{ref}" in {db}; known: {", ".join(ids[:5])}')


def sweep_grid(conn: sqlite3.Connection, sweep_id: str) -> dict[str, Any]:
    """The grid a sweep was created with (as passed to `create_sweep`)."""
    row = conn.execute("SELECT grid FROM sweeps WHERE id=?", (sweep_id,)).fetchone()
    if row is None:
        raise RecorderError(f'no sweep "{sweep_id}"')
    grid: dict[str, Any] = json.loads(row[0])
    return grid
