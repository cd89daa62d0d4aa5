"""Two runs compared: their metrics side by side with deltas, where their logs first differ, and per-agent timelines.

Pure functions of what the run database holds (events, and the metrics stored with each run, which are
`teamtui.metrics.summary.summarize`'s: a figure is never computed here a second way). Logs are compared by
their events' encoded bytes, position by position, so the first divergence is the first event that differs
in anything — for a fork and its parent, the first event after the fork point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teamtui.core import events as ev

METRICS = ("status", "done", "makespan", "speedup", "efficiency", "paper.rounds", "paper.messages",
           "messages_sent", "messages_dropped", "claim_conflicts", "write_conflicts", "lock_denied",
           "duplicate_work", "rework", "paper.test_failures", "idle_fraction", "paper.straggler_gap", "stalls",
           "faults", "fault_cost", "paper.tokens_in", "paper.tokens_out", "cost_usd")
"""The figures a diff sets side by side (keys of `RunMetrics.to_dict()`, dotted for nested ones)."""

TIMELINE_MARKS = {"TaskClaimed": "+", "TaskCompleted": "✓", "FaultInjected": "!", "AgentKilled": "✗",
                  "AgentRestarted": "↺", "StragglerDetected": "~", "ClaimConflicted": "×", "WriteConflicted": "×"}
"""What an agent's timeline shows, by event kind (a later mark in the same cell wins over "+")."""
MARK_RANK = {m: i for i, m in enumerate("·+~×!↺✓✗")}


@dataclass(frozen=True)
class MetricRow:
    name: str
    a: Any
    b: Any

    @property
    def delta(self) -> float | None:
        ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (self.a, self.b))
        return float(self.b) - float(self.a) if ok else None


@dataclass(frozen=True)
class Divergence:
    """The first position where two logs differ (`a` or `b` is None where that log has already ended)."""

    seq: int
    a: ev.Event | None
    b: ev.Event | None

    @property
    def t(self) -> float:
        return min(e.t for e in (self.a, self.b) if e is not None)


def _get(metrics: dict[str, Any] | None, dotted: str) -> Any:
    value: Any = metrics
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def metric_rows(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[MetricRow]:
    return [MetricRow(name, _get(a, name), _get(b, name)) for name in METRICS]


def first_divergence(a: Sequence[ev.Event], b: Sequence[ev.Event]) -> Divergence | None:
    """Where the logs first differ, or None if they are the same."""
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x is None or y is None or ev.encode(x) != ev.encode(y):
            return Divergence(i, x, y)
    return None


def timeline(events: Sequence[ev.Event], agent: str, end: float, width: int) -> str:
    """An agent's run as `width` cells of `end / width` seconds each: claims, completions, faults, deaths."""
    cells = ["·"] * width
    for e in events:
        mark = TIMELINE_MARKS.get(e.kind)
        if mark is None or e.agent != agent:
            continue
        i = min(width - 1, int(e.t / end * width)) if end > 0 else 0
        if MARK_RANK[mark] > MARK_RANK[cells[i]]:
            cells[i] = mark
    return "".join(cells)


def agents_of(events: Sequence[ev.Event]) -> list[str]:
    start = events[0] if events else None
    return list(start.agents) if isinstance(start, ev.RunStarted) else []
