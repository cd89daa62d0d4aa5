"""Recorded runs as seekable event sources: read by position or run time, and the view at any point.

A `Recording` is what replay plays: `len()` events, `slice(lo, hi)`, `upto(pos, t)` (the events from
`pos` on that happened by run time `t`), `pos_at(t)`, the positions of faults and conflicts, and
`view_at(pos)`, the `LiveView` after the first `pos` events. The view is a pure fold, so `view_at` starts
from the nearest checkpoint — a snapshot of the fold every `CHECKPOINT_EVERY` events — and folds the
rest: seeking costs at most one checkpoint interval, whatever the length of the run. The recorder writes
checkpoints (`Checkpointer`), and the positions of the run's faults and conflicts, when a long run ends;
a run without them gets checkpoints in memory the first time replay folds past one. Snapshots are
msgpack of plain data (never pickle), so a run database from someone else cannot run code.
"""

from __future__ import annotations

import abc
import bisect
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from teamtui.core import events as ev
from teamtui.store.connect import connect_ro
from teamtui.ui.view import LOG_EVENTS, STREAM_LINES, AgentView, Incident, LiveView, OpenFault, TaskView

CHECKPOINT_EVERY = 20_000
MARKS = frozenset({"FaultInjected", "ClaimConflicted", "WriteConflicted", "LockDenied", "AgentStalled",
                   "StragglerDetected", "LeaseExpired"})
"""Event kinds that `next_mark` jumps between: faults, conflicts and what the detector flags."""
MARKS_ROW = -1
"""The checkpoints table keeps a long run's mark positions under this position (msgpack list of ints)."""


# -- snapshots of the fold -----------------------------------------------------------------------


class _Agent(msgspec.Struct, array_like=True):
    name: str
    role: str
    alive: bool
    restarting: bool
    thinking_since: float | None
    acted_at: float
    stalled: bool
    straggler: bool
    delay: str
    task: str
    calls: int
    busy_s: float
    last_latency: float
    tokens: int
    stream: list[str]
    stream_seq: int
    cost: float | None = None
    live: str = ""


class _Fault(msgspec.Struct, array_like=True):
    fault: str
    agent: str
    at: float
    held: list[str]
    incident: int
    """Index of its incident in `_State.incidents` (-1 if that incident has left the bounded list)."""


class _State(msgspec.Struct):
    started: ev.RunStarted | None
    finished: ev.RunFinished | None
    now: float
    round: int
    waiting_on: tuple[str, ...]
    agents: list[_Agent]
    tasks: list[TaskView]
    order: list[str]
    incidents: list[Incident]
    incidents_rev: int
    open_faults: list[_Fault]
    matrix: dict[str, dict[str, int]]
    messages: int
    conflicts: int
    tokens: int
    cost: float
    unit_times: list[float]
    throughput: list[int]
    fault_bins: list[int]
    partitioned: tuple[tuple[str, ...], ...]
    seq: int
    unpriced: int = 0


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_State)


def snapshot(view: LiveView) -> bytes:
    """The fold's state, without its event log (replay reads that back from the recording)."""
    incidents = list(view.incidents)
    index = {id(inc): i for i, inc in enumerate(incidents)}
    return _ENCODER.encode(_State(
        started=view.started, finished=view.finished, now=view.now, round=view.round, waiting_on=view.waiting_on,
        agents=[_Agent(a.name, a.role, a.alive, a.restarting, a.thinking_since, a.acted_at, a.stalled, a.straggler,
                       a.delay, a.task, a.calls, a.busy_s, a.last_latency, a.tokens, list(a.stream), a.stream_seq,
                       a.cost, a.live)
                for a in view.agents.values()],
        tasks=list(view.tasks.values()), order=view.order, incidents=incidents, incidents_rev=view.incidents_rev,
        open_faults=[_Fault(f.fault, f.agent, f.at, sorted(f.held), index.get(id(f.incident), -1))
                     for f in view.open_faults],
        matrix=view.matrix, messages=view.messages, conflicts=view.conflicts, tokens=view.tokens, cost=view.cost,
        unit_times=list(view.unit_times), throughput=view.throughput, fault_bins=sorted(view.fault_bins),
        partitioned=view.partitioned, seq=view.seq, unpriced=view.unpriced))


def restore(blob: bytes) -> LiveView:
    """A `LiveView` from `snapshot` bytes; its event log is empty."""
    s = _DECODER.decode(blob)
    v = LiveView()
    v.started, v.finished, v.now, v.round, v.waiting_on = s.started, s.finished, s.now, s.round, s.waiting_on
    for a in s.agents:
        view = AgentView(a.name, a.role, a.alive, a.restarting, a.thinking_since, a.acted_at, a.stalled, a.straggler,
                         a.delay, a.task, a.calls, a.busy_s, a.last_latency, a.tokens,
                         deque(a.stream, maxlen=STREAM_LINES), a.stream_seq, a.cost, a.live)
        v.agents[a.name] = view
    v.tasks = {t.id: t for t in s.tasks}
    v.order = s.order
    v.incidents.extend(s.incidents)
    v.incidents_rev = s.incidents_rev
    for f in s.open_faults:
        inc = s.incidents[f.incident] if f.incident >= 0 else Incident(-1, f.at, "fault", f.agent, f.fault)
        v.open_faults.append(OpenFault(f.fault, f.agent, f.at, set(f.held), inc))
    v.matrix, v.messages, v.conflicts, v.tokens, v.cost = s.matrix, s.messages, s.conflicts, s.tokens, s.cost
    v.unit_times.extend(s.unit_times)
    v.throughput, v.fault_bins, v.partitioned, v.seq = s.throughput, set(s.fault_bins), s.partitioned, s.seq
    v.unpriced = s.unpriced
    return v


# -- recordings ------------------------------------------------------------------------------------


class Recording(abc.ABC):
    """A seekable run; subclasses say where the events live (`__len__`, `_fetch`, `pos_at`, `marks`)."""

    run_id = ""

    def __init__(self) -> None:
        self.checkpoints: dict[int, bytes] = {}
        """Position -> snapshot of the view after that many events."""
        self.every = CHECKPOINT_EVERY

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

    def view_at(self, pos: int) -> LiveView:
        """The view after the first `pos` events, folded from the nearest checkpoint (made where missing)."""
        pos = max(0, min(len(self), pos))
        base = max((c for c in self.checkpoints if c <= pos), default=0)
        view = restore(self.checkpoints[base]) if base else LiveView()
        at = base
        while at < pos:
            stop = min(pos, (at // self.every + 1) * self.every)
            for e in self.slice(at, stop):
                view.apply(e)
            at = stop
            if at % self.every == 0 and at not in self.checkpoints:
                self.checkpoints[at] = snapshot(view)
        if pos - base < LOG_EVENTS:  # the log holds the last LOG_EVENTS events, partly from before `base`
            view.log = deque([*self.slice(max(0, pos - LOG_EVENTS), base), *view.log], maxlen=LOG_EVENTS)
        return view

    def close(self) -> None:  # noqa: B027 -- most recordings hold nothing open; SqliteRecording overrides it
        """Release what the recording holds open."""


class MemoryRecording(Recording):
    """A recording held as a list (tests, just-finished runs)."""

    def __init__(self, events: Sequence[ev.Event], run_id: str = "") -> None:
        super().__init__()
        self.events = list(events)
        self.run_id = run_id
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
        rows = self.conn.execute("SELECT payload FROM events WHERE run_id=? AND seq>=? AND seq<? ORDER BY seq",
                                 (self.run_id, lo, hi))
        return [ev.decode(r[0]) for r in rows]

    def pos_at(self, t: float) -> int:
        row = self.conn.execute("SELECT seq FROM events WHERE run_id=? AND t>? ORDER BY t, seq LIMIT 1",
                                (self.run_id, t)).fetchone()
        return int(row[0]) if row and row[0] is not None else self._len

    def marks(self) -> list[int]:
        if self._marks is None:
            kinds = sorted(MARKS)
            rows = self.conn.execute(
                f"SELECT seq FROM events WHERE run_id=? AND kind IN ({','.join('?' * len(kinds))}) ORDER BY seq",
                (self.run_id, *kinds))
            self._marks = [int(r[0]) for r in rows]
        return self._marks

    def close(self) -> None:
        self.conn.close()


class Checkpointer:
    """Folds an event stream given as encoded events, in chunks, keeping a snapshot every CHECKPOINT_EVERY."""

    def __init__(self, run_id: str, every: int = CHECKPOINT_EVERY) -> None:
        self.run_id, self.every = run_id, every
        self.view = LiveView()
        self.count = 0
        self.rows: list[tuple[str, int, bytes]] = []
        """(run, position, snapshot) rows, ready for the checkpoints table."""
        self.marks: list[int] = []

    def feed(self, blobs: Iterable[bytes]) -> None:
        for blob in blobs:
            event = ev.decode(blob)
            if event.kind in MARKS:
                self.marks.append(self.count)
            self.view.apply(event)
            self.count += 1
            if self.count % self.every == 0:
                self.rows.append((self.run_id, self.count, snapshot(self.view)))

    def marks_row(self) -> tuple[str, int, bytes]:
        """The positions of the faults and conflicts, stored as the checkpoint at position -1."""
        return (self.run_id, MARKS_ROW, _ENCODER.encode(self.marks))


def open_recording(path: Path, run_id: str) -> Recording:
    """The recording of a run in a database (which `resolve_run` has already checked)."""
    return SqliteRecording(path, run_id)
