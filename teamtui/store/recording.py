"""Recorded runs as seekable event sources: read by position or run time, and the run's state at any point.

A `Recording` is what replay plays: `len()` events, `slice(lo, hi)`, `upto(pos, t)` (the events from
`pos` on that happened by run time `t`), `pos_at(t)`, the positions of faults and conflicts, and
`state_at(pos)`, the `RunState` after the first `pos` events. The state is a pure fold, so `state_at`
starts from the nearest checkpoint that decodes — a `RunState.snapshot()` every `CHECKPOINT_EVERY`
events — and folds the rest: seeking costs at most one checkpoint interval, whatever the length of the
run. A checkpoint of another format (an older teamtui's) does not decode and is folded past instead,
never an error. The recorder writes checkpoints (`Checkpointer`), and the positions of the run's faults
and conflicts, when a long run ends; a run without them gets checkpoints in memory the first time replay
folds past one. Snapshots are msgpack with a format version (never pickle), so a run database from
someone else cannot run code. `stored_metrics()` gives the metrics recorded with the run, if any.

A stored event that does not decode (a row changed by hand, or written by a foreign tool) ends the recording
there: the first time a read meets it, the recording shortens to the events before it and `damaged` says
which event and why, in one line, so replay shows what can be read and says where it stopped.
"""

from __future__ import annotations

import abc
import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.store.connect import connect_ro

CHECKPOINT_EVERY = 20_000
MARKS = frozenset({"FaultInjected", "ClaimConflicted", "WriteConflicted", "LockDenied", "AgentStalled",
                   "StragglerDetected", "LeaseExpired"})
"""Event kinds that `next_mark` jumps between: faults, conflicts and what the detector flags."""
MARKS_ROW = -1
"""The checkpoints table keeps a long run's mark positions under this position (msgpack list of ints)."""


# -- recordings ------------------------------------------------------------------------------------


class Recording(abc.ABC):
    """A seekable run; subclasses say where the events live (`__len__`, `_fetch`, `pos_at`, `marks`)."""

    run_id = ""

    def __init__(self) -> None:
        self.checkpoints: dict[int, bytes] = {}
        """Position -> snapshot of the state after that many events."""
        self.every = CHECKPOINT_EVERY
        self.damaged = ""
        """Why the recording ends early ("" while every event read so far decoded): the first event that did not."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many events the recording holds."""

    @abc.abstractmethod
    def _fetch(self, lo: int, hi: int) -> list[ev.Event]:
        """Events at positions lo..hi-1, already clipped."""

    def slice(self, lo: int, hi: int) -> list[ev.Event]:
        """Events at positions lo..hi-1 (clipped to the recording)."""
        lo, hi = max(0, lo), min(len(self), hi)
        return self._fetch(lo, hi) if hi > lo else []

    @abc.abstractmethod
    def pos_at(self, t: float) -> int:
        """How many events happened by run time `t`."""

    def upto(self, pos: int, t: float, limit: int = 5_000) -> list[ev.Event]:
        """The events from position `pos` on that happened by run time `t` (at most `limit`)."""
        return self.slice(pos, min(self.pos_at(t), pos + limit))

    @property
    def end_t(self) -> float:
        last = self.slice(len(self) - 1, len(self))
        return last[0].t if last else 0.0

    @abc.abstractmethod
    def marks(self) -> list[int]:
        """Positions of faults and conflicts, in order."""

    def next_mark(self, pos: int, direction: int) -> int | None:
        """The position just after the next (direction > 0) or previous fault or conflict, seen from `pos`."""
        marks = self.marks()
        if direction > 0:
            i = bisect.bisect_left(marks, pos)
            return marks[i] + 1 if i < len(marks) else None
        i = bisect.bisect_left(marks, pos - 1) - 1
        return marks[i] + 1 if i >= 0 else None

    def state_at(self, pos: int) -> RunState:
        """The state after the first `pos` events, folded from the nearest checkpoint that decodes (made where
        missing; one that does not decode is dropped and made again when the fold passes it)."""
        pos = max(0, min(len(self), pos))
        at, state = self._restored(0, pos)
        return self._fold(state, at, pos)

    def state_near(self, pos: int, floor: int) -> tuple[int, RunState]:
        """A position from `floor` to `pos` and the state there: the nearest checkpoint in that span that decodes,
        else the last checkpoint position in it (the checkpoint is made), else `floor`. Replay rebuilds its
        display from `floor` and folds the state on from the position."""
        pos = max(0, min(len(self), pos))
        floor = max(0, min(pos, floor))
        at, state = self._restored(floor + 1, pos)
        if at:
            return at, state
        at = max(floor, pos // self.every * self.every)
        return at, self.state_at(at)

    def _restored(self, lo: int, hi: int) -> tuple[int, RunState]:
        """The nearest checkpoint from position lo to hi that decodes (at least 1), or (0, a fresh state)."""
        for base in sorted((c for c in self.checkpoints if max(1, lo) <= c <= hi), reverse=True):
            state = RunState.restore(self.checkpoints[base])
            if state is not None:
                return base, state
            del self.checkpoints[base]
        return 0, RunState()

    def _fold(self, state: RunState, at: int, pos: int) -> RunState:
        while at < pos:
            stop = min(pos, (at // self.every + 1) * self.every)
            events = self.slice(at, stop)
            for e in events:
                state.apply(e)
            if len(events) < stop - at:
                break  # the recording ended early: an event that does not decode
            at = stop
            if at % self.every == 0 and at not in self.checkpoints:
                self.checkpoints[at] = state.snapshot()
        return state

    def stored_metrics(self) -> dict[str, Any] | None:
        """The metrics recorded with the run (None when it has none)."""
        return None

    def close(self) -> None:  # noqa: B027 -- most recordings hold nothing open; SqliteRecording overrides it
        """Release what the recording holds open."""


class MemoryRecording(Recording):
    """A recording held as a list (tests, just-finished runs)."""

    def __init__(self, events: Sequence[ev.Event], run_id: str = "", metrics: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.events = list(events)
        self.run_id = run_id
        self.metrics = metrics
        self._times = [e.t for e in self.events]
        self._marks = [i for i, e in enumerate(self.events) if e.kind in MARKS]

    def __len__(self) -> int:
        return len(self.events)

    def _fetch(self, lo: int, hi: int) -> list[ev.Event]:
        return self.events[lo:hi]

    def pos_at(self, t: float) -> int:
        return bisect.bisect_right(self._times, t)

    def marks(self) -> list[int]:
        return self._marks

    def stored_metrics(self) -> dict[str, Any] | None:
        return self.metrics


class SqliteRecording(Recording):
    """A recorded run read from the run database on demand, through its (run, seq) and (run, t) indexes."""

    def __init__(self, path: Path, run_id: str) -> None:
        super().__init__()
        self.path, self.run_id = path, run_id
        self.conn = connect_ro(path, check_same_thread=False)
        row = self.conn.execute("SELECT MAX(seq) FROM events WHERE run_id=?", (run_id,)).fetchone()
        self._len = int(row[0]) + 1 if row and row[0] is not None else 0
        self._marks: list[int] | None = None
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "checkpoints" in tables:
            for seq, blob in self.conn.execute("SELECT seq, state FROM checkpoints WHERE run_id=? AND seq <= ?",
                                               (run_id, self._len)):
                if seq == MARKS_ROW:
                    self._marks = msgspec.msgpack.decode(blob, type=list[int])
                else:
                    self.checkpoints[seq] = blob

    def __len__(self) -> int:
        return self._len

    def _fetch(self, lo: int, hi: int) -> list[ev.Event]:
        rows = self.conn.execute("SELECT seq, payload FROM events WHERE run_id=? AND seq>=? AND seq<? ORDER BY seq",
                                 (self.run_id, lo, hi))
        out: list[ev.Event] = []
        for seq, payload in rows:
            want = lo + len(out)
            if seq != want:
                self._cut(want, "it is missing")
                break
            try:
                out.append(ev.decode(payload))
            except (msgspec.DecodeError, TypeError, ValueError) as exc:
                self._cut(want, f"it does not decode ({type(exc).__name__}: {str(exc)[:100]})")
                break
        else:
            if len(out) < hi - lo:
                self._cut(lo + len(out), "it is missing")
        return out

    def _cut(self, pos: int, why: str) -> None:
        """End the recording before event `pos`, which cannot be read, and say so once."""
        if pos < self._len:
            self._len = pos
            self.damaged = (f"run {self.run_id}: event {pos} cannot be read back: {why}; the replay ends before it "
                            f"({pos} events)")
            if self._marks is not None:
                self._marks = [m for m in self._marks if m < pos]

    def pos_at(self, t: float) -> int:
        row = self.conn.execute("SELECT seq FROM events WHERE run_id=? AND t>? ORDER BY t, seq LIMIT 1",
                                (self.run_id, t)).fetchone()
        return min(self._len, int(row[0])) if row and row[0] is not None else self._len

    def marks(self) -> list[int]:
        if self._marks is None:
            kinds = sorted(MARKS)
            rows = self.conn.execute(
                f"SELECT seq FROM events WHERE run_id=? AND kind IN ({','.join('?' * len(kinds))}) ORDER BY seq",
                (self.run_id, *kinds))
            self._marks = [int(r[0]) for r in rows if int(r[0]) < self._len]
        return self._marks

    def stored_metrics(self) -> dict[str, Any] | None:
        from teamtui.store.reader import load_metrics

        return load_metrics(self.path, self.run_id)

    def close(self) -> None:
        self.conn.close()


class Checkpointer:
    """Folds an event stream given as encoded events into a `RunState`, in chunks, keeping a snapshot every
    CHECKPOINT_EVERY events."""

    def __init__(self, run_id: str, every: int = CHECKPOINT_EVERY) -> None:
        self.run_id, self.every = run_id, every
        self.state = RunState()
        self.count = 0
        self.rows: list[tuple[str, int, bytes]] = []
        """(run, position, snapshot) rows, ready for the checkpoints table."""
        self.marks: list[int] = []

    def feed(self, blobs: Iterable[bytes]) -> None:
        for blob in blobs:
            event = ev.decode(blob)
            if event.kind in MARKS:
                self.marks.append(self.count)
            self.state.apply(event)
            self.count += 1
            if self.count % self.every == 0:
                self.rows.append((self.run_id, self.count, self.state.snapshot()))

    def marks_row(self) -> tuple[str, int, bytes]:
        """The positions of the faults and conflicts, stored as the checkpoint at position -1."""
        return (self.run_id, MARKS_ROW, msgspec.msgpack.encode(self.marks))


def open_recording(path: Path, run_id: str) -> Recording:
    """The recording of a run in a database (which `resolve_run` has already checked)."""
    return SqliteRecording(path, run_id)
