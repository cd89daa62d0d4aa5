"""The run database's schema: its tables, versions and migrations, and one-line explanations of its errors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from teamtui.core.errors import TeamtuiError
from teamtui.store.connect import on_read_only_media

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, scenario TEXT NOT NULL, scenario_text TEXT NOT NULL, source TEXT NOT NULL,
    seed INTEGER NOT NULL, architecture TEXT NOT NULL, execution TEXT NOT NULL, size INTEGER NOT NULL,
    models TEXT NOT NULL, versions TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL,
    pid INTEGER NOT NULL, host TEXT NOT NULL, makespan REAL, faults INTEGER NOT NULL DEFAULT 0, metrics TEXT
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL,
    payload BLOB NOT NULL, PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_time ON events (run_id, t);
"""
SCHEMA_2 = """
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL, grid TEXT NOT NULL, created TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sweep_cells (
    sweep_id TEXT NOT NULL, cell TEXT NOT NULL, params TEXT NOT NULL, run_id TEXT, status TEXT NOT NULL,
    PRIMARY KEY (sweep_id, cell)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, state BLOB NOT NULL, PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
"""
SCHEMA_3 = """
CREATE TABLE IF NOT EXISTS forks (
    run_id TEXT PRIMARY KEY, parent TEXT NOT NULL, at_seq INTEGER NOT NULL, at_t REAL NOT NULL,
    change TEXT NOT NULL
) WITHOUT ROWID;
"""
"""A forked run's parent, the last event it shares with it (`at_seq`, at run time `at_t`) and what it changed
there (JSON: the `teamtui fork` options)."""
MIGRATIONS = {2: SCHEMA_2, 3: SCHEMA_3}
"""Schema steps: MIGRATIONS[v] takes a database from version v - 1 to v."""


class RecorderError(TeamtuiError):
    """A database teamtui cannot use."""


def default_db() -> Path:
    return Path(os.environ.get("TEAMTUI_DB") or Path(".teamtui") / "runs.db")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create or upgrade the schema; refuse a database from a newer teamtui or from something else. The one
    migration step of every writer (the live recorder runs it on a plain connection before it opens its own)."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    scripts = migration_scripts(path, current, tables)
    for script in scripts:
        conn.executescript(script)
    if scripts:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()


def open_for_writing(path: Path, timeout: float = 2.0) -> sqlite3.Connection:
    """A connection that can write `path` (created and migrated if needed, WAL); a database teamtui cannot
    write is one `RecorderError` line: corrupt, foreign, newer, locked, read-only, or a folder it cannot make."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecorderError(f"{path}: cannot create the run database: {exc.strerror}; "
                            "choose another place with --db or TEAMTUI_DB") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, timeout=timeout)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit is atomic now and durable at the next checkpoint
        migrate(conn, path)
        conn.execute("BEGIN IMMEDIATE")  # can we write? (locked fails here)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # a read-only file fails here, in WAL mode too
        conn.rollback()
        return conn
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise RecorderError(explain(path, exc)) from None
    except RecorderError:
        if conn is not None:
            conn.close()
        raise


def migration_scripts(path: Path, current: int, tables: set[str]) -> list[str]:
    """The SQL scripts that take a database at schema `current` (with these tables) to `SCHEMA_VERSION`."""
    if current > SCHEMA_VERSION:
        raise RecorderError(f"{path}: this run database was written by a newer teamtui (schema {current}, "
                            f"this one knows {SCHEMA_VERSION}); upgrade teamtui or use another --db")
    scripts = []
    if current == 0:
        if tables - {"runs", "events", "sweeps", "sweep_cells", "checkpoints", "forks"}:
            raise RecorderError(f"{path}: not a teamtui run database (it has tables {', '.join(sorted(tables))});"
                                " use another --db")
        scripts.append(SCHEMA)
        current = 1
    scripts.extend(MIGRATIONS[step] for step in range(current + 1, SCHEMA_VERSION + 1))
    return scripts


def explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{path}: the run database is locked by another program; close it or use another --db"
    if "readonly" in text or "read-only" in text or ("unable to open" in text and on_read_only_media(path)):
        return (f"{path}: the run database is read-only (its file or filesystem cannot be written); record to "
                "another --db — runs, replay and export can still read it")
    if "full" in text:
        return f"{path}: the disk is full; free space or use another --db"
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return f"{path}: not a teamtui run database, or it is corrupt; move it aside or use another --db"
    return f"{path}: the run database failed: {text}; use another --db"
