"""The live recorder: a run's events into the run database as the run goes (aiosqlite, one writer task).

One database per project directory by default (`.teamtui/runs.db`; `--db PATH` or `TEAMTUI_DB` choose
another), in WAL mode, schema versioned with `PRAGMA user_version`. The engine's listener only queues
events; a single writer task drains the queue and commits each batch at once (what arrives during a
commit forms the next batch), so a process that dies loses at most the last moment. While a run is recorded
the recorder holds its lock (`teamtui.store.liveness`); a `running` run whose lock nobody holds is reported as
`interrupted`. Every database problem is a `RecorderError`:
one line naming the file and what to do. The rows themselves are spelled by `teamtui.store.writer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite

from teamtui.core import events as ev
from teamtui.scenario.spec import Scenario
from teamtui.store import writer
from teamtui.store.liveness import RunLock
from teamtui.store.recording import CHECKPOINT_EVERY, Checkpointer
from teamtui.store.schema import RecorderError, explain, open_for_writing

BATCH = 5_000


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
        self.lock: RunLock | None = None
        """Held from the run's first row until its last (`teamtui.store.liveness`)."""

    async def open(self) -> None:
        """Create or migrate the database and check that it can be written (one `RecorderError` line if not)."""
        open_for_writing(self.path).close()
        try:
            self.conn = await aiosqlite.connect(self.path, timeout=2.0)
            await self.conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise RecorderError(explain(self.path, exc)) from None

    async def begin(self, s: Scenario) -> str:
        assert self.conn is not None
        self.run_id = writer.new_run_id()
        self.lock = RunLock(self.path, self.run_id)
        try:
            self.lock.acquire()
        except OSError as exc:
            raise RecorderError(f"{self.lock.path}: cannot lock the run's lock file ({exc.strerror}); record to "
                                "another --db") from None
        try:
            await writer.begin_run(self.conn, writer.run_row(s, self.run_id))
        except sqlite3.DatabaseError as exc:
            raise RecorderError(explain(self.path, exc)) from None
        self._writer = asyncio.ensure_future(self._write_loop())
        return self.run_id

    def listener(self, event: ev.Event) -> None:
        if not self.stopped:
            self.queue.put_nowait(event)
            if isinstance(event, ev.FaultInjected):
                self.faults += 1

    async def _write_loop(self) -> None:
        """Drain the queue in batches. No timers: on a virtual clock the recorder must not change when anything
        of the engine's happens, and the time a commit takes is what batches the events arriving meanwhile."""
        assert self.conn is not None
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty() and len(batch) < BATCH:
                batch.append(self.queue.get_nowait())
            events = [e for e in batch if e is not None]
            if events and not self.stopped:
                try:
                    await writer.append_events(self.conn, writer.event_rows(self.run_id, events))
                    self.written += len(events)
                except sqlite3.DatabaseError as exc:
                    self.stopped = f"recording stopped: {explain(self.path, exc)}"
            if len(events) < len(batch):
                return

    async def end(self, status: str, metrics: dict[str, Any] | None = None, makespan: float | None = None) -> None:
        """Write what is queued, then the run's final status and metrics (and a long run's replay checkpoints)."""
        if self._writer is not None:
            self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self.conn is None or self.stopped:
            return
        try:
            checkpoints = await self._checkpoints() if self.written >= self.checkpoint_every else []
            await writer.end_run(self.conn, self.run_id, status, makespan, metrics, self.faults, checkpoints)
        except sqlite3.DatabaseError as exc:
            self.stopped = f"recording stopped: {explain(self.path, exc)}"
        else:
            self._release()

    async def _checkpoints(self) -> list[tuple[str, int, bytes]]:
        """Snapshots of the replay state every `checkpoint_every` events, so replay seeks a long run quickly."""
        assert self.conn is not None
        folder = Checkpointer(self.run_id, self.checkpoint_every)
        async with self.conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (self.run_id,)) as cur:
            while chunk := await cur.fetchmany(20_000):
                folder.feed(r[0] for r in chunk)
        return [*folder.rows, folder.marks_row()]

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    async def close(self) -> None:
        """Close the connection; a run whose end could not be written keeps its `running` row, which (its lock
        gone with the connection) then reads as interrupted."""
        self._release()
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await self.conn.close()
            self.conn = None
