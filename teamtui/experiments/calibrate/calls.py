"""Every LLM call of the selected runs with what its reply did: latency, files written, tests run, by run.

An imported run maps each harness reply to an `LLMCallCompleted` and logs the reply's actions right after it
(`teamtui.experiments.paper.events`); a simulated run emits its actions as its turn carries them out. Either
way a `FileWritten` or `TestsRan` belongs to the latest call of the agent it names, which is how both are read
here. Per run this gives the arrays the direct estimators (`teamtui.experiments.calibrate.direct`) and the
latency distances of validation need.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np
import numpy.typing as npt

from teamtui.core import events as ev
from teamtui.experiments.table import connect

KINDS = ("LLMCallCompleted", "FileWritten", "TestsRan")


@dataclass(frozen=True)
class RunCalls:
    """One run's calls (in log order) and its test runs."""

    run_id: str
    rounds: npt.NDArray[np.int64]
    agents: npt.NDArray[np.int64]
    """The agent of each call, as a number within the run."""
    latency: npt.NDArray[np.float64]
    files: npt.NDArray[np.int64]
    """Files each call's reply wrote (FileWritten events)."""
    tested: npt.NDArray[np.bool_]
    """Whether each call's reply ran the tests."""
    test_seconds: npt.NDArray[np.float64]
    last_test_failed: bool | None
    """Whether the run's last test run failed (None without any)."""

    def round_slowest(self) -> npt.NDArray[np.float64]:
        """The slowest reply latency of each round (what a round's barrier waits for)."""
        if not len(self.rounds):
            return np.zeros(0)
        order = np.argsort(self.rounds, kind="stable")
        r, lat = self.rounds[order], self.latency[order]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        return np.maximum.reduceat(lat, starts)


class _Payload(msgspec.Struct):
    latency: float = 0.0
    round: int = 0
    duration: float = 0.0
    exit_code: int = 0
    passed: bool = True


_DECODE = msgspec.json.Decoder(_Payload)


class _Builder:
    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.agent_ids: dict[str, int] = {}
        self.latest: dict[str, int] = {}
        self.rounds: list[int] = []
        self.agents: list[int] = []
        self.latency: list[float] = []
        self.files: list[int] = []
        self.tested: list[bool] = []
        self.tests: list[float] = []
        self.last_failed: bool | None = None

    def add(self, agent: str, kind: str, payload: _Payload) -> None:
        if kind == "LLMCallCompleted":
            self.latest[agent] = len(self.rounds)
            self.rounds.append(payload.round)
            self.agents.append(self.agent_ids.setdefault(agent, len(self.agent_ids)))
            self.latency.append(payload.latency)
            self.files.append(0)
            self.tested.append(False)
            return
        call = self.latest.get(agent)
        if kind == "FileWritten" and call is not None:
            self.files[call] += 1
        elif kind == "TestsRan":
            self.tests.append(payload.duration)
            self.last_failed = not payload.passed
            if call is not None:
                self.tested[call] = True

    def build(self) -> RunCalls:
        return RunCalls(self.run_id, np.array(self.rounds, dtype=np.int64), np.array(self.agents, dtype=np.int64),
                        np.array(self.latency, dtype=np.float64), np.array(self.files, dtype=np.int64),
                        np.array(self.tested, dtype=np.bool_), np.array(self.tests, dtype=np.float64),
                        self.last_failed)


def from_events(run_id: str, events: Iterable[ev.Event]) -> RunCalls:
    """A run's calls from its event list (a simulated run, before or without recording)."""
    b = _Builder(run_id)
    for e in events:
        if isinstance(e, ev.LLMCallCompleted):
            b.add(e.agent, "LLMCallCompleted", _Payload(latency=e.latency, round=e.round))
        elif isinstance(e, ev.FileWritten):
            b.add(e.agent, "FileWritten", _Payload())
        elif isinstance(e, ev.TestsRan):
            b.add(e.agent, "TestsRan", _Payload(duration=e.duration, exit_code=e.exit_code, passed=e.passed))
    return b.build()


def read_calls(db: Path, run_ids: Sequence[str]) -> dict[str, RunCalls]:
    """The calls of these recorded runs, by run id (a run without events has no calls)."""
    out: dict[str, RunCalls] = {}
    with connect(db) as conn:
        for run_id in run_ids:
            out[run_id] = _read_one(conn, run_id)
    return out


def _read_one(conn: sqlite3.Connection, run_id: str) -> RunCalls:
    b = _Builder(run_id)
    rows = conn.execute("SELECT agent, kind, payload FROM events WHERE run_id = ? AND kind IN (?, ?, ?) ORDER BY seq",
                        (run_id, *KINDS))
    for agent, kind, payload in rows:
        b.add(agent, kind, _DECODE.decode(payload))
    return b.build()
