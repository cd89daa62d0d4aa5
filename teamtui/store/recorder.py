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
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import aiosqlite

from teamtui.core import events as ev
from teamtui.scenario.spec import Scenario
from teamtui.store.recording import CHECKPOINT_EVERY, Checkpointer
from teamtui.store.schema import RecorderError, explain, migrate

FLUSH_S = 0.05
BATCH = 5_000


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("teamtui", "textual", "litellm"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Recorder:
    """See the module docstring. `await open()`, `await begin(scenario)`, feed `listener`, `await end(...)`."""

    def __init__(self, path: Path, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.path = path
        self.checkpoint_every = checkpoint_every
        self.run_id = ""
        self.conn: aiosqlite.Connection | None = None
        self.queue: asyncio.Queue[ev.Event | None] = asyncio.Queue()
        self.written = 0
        self.faults = 0
        """Faults injected during the run, scheduled or live (the runs table shows how many)."""
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
            raise RecorderError(explain(self.path, exc)) from None
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
             json.dumps(models), json.dumps(versions()), _now(), "running", os.getpid(), socket.gethostname(),
             len(s.faults))))
        await self._do(self.conn.commit())
        self._writer = asyncio.ensure_future(self._write_loop())
        return self.run_id

    def listener(self, event: ev.Event) -> None:
        if not self.stopped:
            self.queue.put_nowait(event)
            if isinstance(event, ev.FaultInjected):
                self.faults += 1

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
                    self.stopped = f"recording stopped: {explain(self.path, exc)}"
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
            await self.conn.execute("UPDATE runs SET ended=?, status=?, makespan=?, metrics=?, faults=? WHERE id=?",
                                    (_now(), status, makespan, json.dumps(metrics) if metrics else None,
                                     self.faults, self.run_id))
            await self.conn.commit()
        except sqlite3.DatabaseError as exc:
            self.stopped = f"recording stopped: {explain(self.path, exc)}"

    async def _write_checkpoints(self) -> None:
        """Snapshots of the replay view every CHECKPOINT_EVERY events, so replay seeks a long run quickly."""
        assert self.conn is not None

        folder = Checkpointer(self.run_id, self.checkpoint_every)
        async with self.conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (self.run_id,)) as cur:
            while chunk := await cur.fetchmany(20_000):
                folder.feed(r[0] for r in chunk)
        await self.conn.executemany("INSERT OR REPLACE INTO checkpoints VALUES (?,?,?)",
                                    [*folder.rows, folder.marks_row()])

    async def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await self.conn.close()
            self.conn = None

    async def _do(self, aw: Any) -> Any:
        try:
            return await aw
        except sqlite3.DatabaseError as exc:
            raise RecorderError(explain(self.path, exc)) from None


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
        raise RecorderError(explain(path, exc)) from None
