"""The run recorder: every run's scenario, events and final metrics in one SQLite database (aiosqlite).

One database per project directory by default (`.teamtui/runs.db`; `--db PATH` or `TEAMTUI_DB` choose
another), in WAL mode, schema versioned with `PRAGMA user_version`. A single writer task drains a queue in
batches and commits at least every `FLUSH_S` seconds, so a process that dies loses at most the last
moment. A run whose process died while it was `running` is reported as `interrupted`. Every database
problem is a `RecorderError`: one line naming the file and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import aiosqlite

from teamtui import events as ev
from teamtui.dbopen import connect_ro, on_read_only_media
from teamtui.errors import TeamtuiError
from teamtui.replaydata import CHECKPOINT_EVERY, Checkpointer
from teamtui.scenario import Scenario

SCHEMA_VERSION = 2
FLUSH_S = 0.05
BATCH = 5_000
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
MIGRATIONS = {2: SCHEMA_2}
"""Schema steps: MIGRATIONS[v] takes a database from version v - 1 to v."""


class RecorderError(TeamtuiError):
    """A database teamtui cannot use."""


def default_db() -> Path:
    return Path(os.environ.get("TEAMTUI_DB") or Path(".teamtui") / "runs.db")


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("teamtui", "textual", "litellm"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


class Recorder:
    """See the module docstring. `await open()`, `await begin(scenario)`, feed `listener`, `await end(...)`."""

    def __init__(self, path: Path, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.path = path
        self.checkpoint_every = checkpoint_every
        self.run_id = ""
        self.conn: aiosqlite.Connection | None = None
        self.queue: asyncio.Queue[ev.Event | None] = asyncio.Queue()
        self.written = 0
        self.stopped: str = ""
        """Why recording stopped early (the disk filled up, ...); the run itself goes on."""
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = await aiosqlite.connect(self.path, timeout=2.0)
            await self.conn.execute("PRAGMA journal_mode=WAL")
            await self.conn.execute("PRAGMA synchronous=NORMAL")
            await migrate(self.conn, self.path)
            await self.conn.execute("BEGIN IMMEDIATE")  # can we write? (locked or read-only fails here)
            await self.conn.rollback()
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise RecorderError(_explain(self.path, exc)) from None
        except OSError as exc:
            raise RecorderError(f"{self.path}: cannot create the run database: {exc.strerror}; "
                                "choose another place with --db or TEAMTUI_DB") from None

    async def begin(self, s: Scenario) -> str:
        assert self.conn is not None
        self.run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
        models = sorted({a.model for a in s.agents})
        await self._do(self.conn.execute(
            "INSERT INTO runs (id, scenario, scenario_text, source, seed, architecture, execution, size, models,"
            " versions, started, status, pid, host, faults) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.run_id, s.name, s.text, str(s.source), s.seed, s.architecture, s.execution, s.size,
             json.dumps(models), json.dumps(_versions()), _now(), "running", os.getpid(), socket.gethostname(),
             len(s.faults))))
        await self._do(self.conn.commit())
        self._writer = asyncio.ensure_future(self._write_loop())
        return self.run_id

    def listener(self, event: ev.Event) -> None:
        if not self.stopped:
            self.queue.put_nowait(event)

    async def _write_loop(self) -> None:
        assert self.conn is not None
        while True:
            first = await self.queue.get()
            batch = [first]
            while not self.queue.empty() and len(batch) < BATCH:
                batch.append(self.queue.get_nowait())
            done = any(e is None for e in batch)
            rows = [(self.run_id, e.seq, e.t, e.agent, e.kind, ev.encode(e)) for e in batch if e is not None]
            if rows and not self.stopped:
                try:
                    await self.conn.executemany("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?)", rows)
                    await self.conn.commit()
                    self.written += len(rows)
                except sqlite3.DatabaseError as exc:
                    self.stopped = f"recording stopped: {_explain(self.path, exc)}"
            if done:
                return
            if self.queue.empty():
                await asyncio.sleep(FLUSH_S)  # batch what arrives meanwhile; commits stay at most FLUSH_S apart

    async def end(self, status: str, metrics: dict[str, Any] | None = None, makespan: float | None = None) -> None:
        """Write what is queued, then the run's final status and metrics."""
        if self._writer is not None:
            self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self.conn is None or self.stopped:
            return
        try:
            if self.written >= self.checkpoint_every:
                await self._write_checkpoints()
            await self.conn.execute("UPDATE runs SET ended=?, status=?, makespan=?, metrics=? WHERE id=?",
                                    (_now(), status, makespan, json.dumps(metrics) if metrics else None,
                                     self.run_id))
            await self.conn.commit()
        except sqlite3.DatabaseError as exc:
            self.stopped = f"recording stopped: {_explain(self.path, exc)}"

    async def _write_checkpoints(self) -> None:
        """Snapshots of the replay view every CHECKPOINT_EVERY events, so replay seeks a long run quickly."""
        assert self.conn is not None

        folder = Checkpointer(self.run_id, self.checkpoint_every)
        async with self.conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (self.run_id,)) as cur:
            while chunk := await cur.fetchmany(20_000):
                folder.feed(r[0] for r in chunk)
        await self.conn.executemany("INSERT OR REPLACE INTO checkpoints VALUES (?,?,?)", folder.rows)

    async def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await self.conn.close()
            self.conn = None

    async def _do(self, aw: Any) -> Any:
        try:
            return await aw
        except sqlite3.DatabaseError as exc:
            raise RecorderError(_explain(self.path, exc)) from None


async def migrate(conn: aiosqlite.Connection, path: Path) -> None:
    """Create or upgrade the schema; refuse a database from a newer teamtui or from something else."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    async with conn.execute("SELECT name FROM sqlite_master WHERE type='table'") as cur:
        tables = {r[0] for r in await cur.fetchall()}
    scripts = migration_scripts(path, int(row[0]) if row else 0, tables)
    for script in scripts:
        await conn.executescript(script)
    if scripts:
        await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        await conn.commit()


def migrate_sync(conn: sqlite3.Connection, path: Path) -> None:
    """`migrate` for a plain sqlite3 connection (sweeps and imports write from worker processes)."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    scripts = migration_scripts(path, current, tables)
    for script in scripts:
        conn.executescript(script)
    if scripts:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()


def migration_scripts(path: Path, current: int, tables: set[str]) -> list[str]:
    """The SQL scripts that take a database at schema `current` (with these tables) to `SCHEMA_VERSION`."""
    if current > SCHEMA_VERSION:
        raise RecorderError(f"{path}: this run database was written by a newer teamtui (schema {current}, "
                            f"this one knows {SCHEMA_VERSION}); upgrade teamtui or use another --db")
    scripts = []
    if current == 0:
        if tables - {"runs", "events", "sweeps", "sweep_cells", "checkpoints"}:
            raise RecorderError(f"{path}: not a teamtui run database (it has tables {', '.join(sorted(tables))});"
                                " use another --db")
        scripts.append(SCHEMA)
        current = 1
    scripts.extend(MIGRATIONS[step] for step in range(current + 1, SCHEMA_VERSION + 1))
    return scripts


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
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


def run_status(final: str) -> str:
    """A run's recorded status from its final event's: cancelled and failed stay, every other end is finished."""
    return final if final in ("cancelled", "failed") else "finished"


def record_run(path: Path, scenario: Scenario, events: list[ev.Event], metrics: dict[str, Any] | None) -> str:
    """Record a run that has already happened (headless runs on the virtual clock take a fraction of a second)."""

    async def main() -> str:
        rec = Recorder(path)
        await rec.open()
        try:
            run_id = await rec.begin(scenario)
            for e in events:
                rec.listener(e)
            end = events[-1] if events and isinstance(events[-1], ev.RunFinished) else None
            status = run_status(end.status) if end else "interrupted"
            await rec.end(status, metrics, end.makespan if end else None)
            if rec.stopped:
                raise RecorderError(rec.stopped)
            return run_id
        finally:
            await rec.close()

    return asyncio.run(main())


def store_metrics(path: Path, run_id: str, metrics: dict[str, Any]) -> None:
    """Attach final metrics (computed after the run, with its baselines) to a recorded run."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=2.0)) as conn, conn:
            conn.execute("UPDATE runs SET metrics=? WHERE id=?", (json.dumps(metrics), run_id))
    except sqlite3.DatabaseError as exc:
        raise RecorderError(_explain(path, exc)) from None


def list_runs(path: Path) -> list[RunRow]:
    """Recorded runs, newest first (ties within a second by insertion order); `running` rows whose process
    is gone are reported as `interrupted`."""
    if not path.exists():
        return []
    try:
        conn = connect_ro(path)
        try:
            version_row = conn.execute("PRAGMA user_version").fetchone()
            if int(version_row[0]) > SCHEMA_VERSION:
                raise RecorderError(f"{path}: this run database was written by a newer teamtui; upgrade teamtui")
            rows = conn.execute("SELECT id, scenario, architecture, execution, size, status, started, makespan,"
                                " faults, metrics, pid, host FROM runs ORDER BY started DESC, rowid DESC").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RecorderError(_explain(path, exc)) from None
    out = []
    host = socket.gethostname()
    for rid, name, arch, execu, size, status, started, makespan, faults, metrics, pid, rhost in rows:
        if status == "running" and rhost == host and not _alive(int(pid)):
            status = "interrupted"
        speedup = json.loads(metrics).get("speedup") if metrics else None
        out.append(RunRow(rid, name, arch, execu, size, status, started, makespan, faults, speedup))
    return out


def resolve_run(path: Path, ref: str) -> str:
    """A run id from an id, a unique prefix of one, or `latest`; unknown or ambiguous ones name candidates."""
    from teamtui.errors import did_you_mean

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
    conn = connect_ro(path)
    try:
        row = conn.execute("SELECT scenario_text, source FROM runs WHERE id=?", (run_id,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise RecorderError(f'no run "{run_id}" in {path}')
    return str(row[0]), str(row[1])


def load_metrics(path: Path, run_id: str) -> dict[str, Any] | None:
    conn = connect_ro(path)
    try:
        row = conn.execute("SELECT metrics FROM runs WHERE id=?", (run_id,)).fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row and row[0] else None


def load_events(path: Path, run_id: str) -> list[ev.Event]:
    conn = connect_ro(path)
    try:
        return [ev.decode(row[0]) for row in
                conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (run_id,))]
    finally:
        conn.close()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
