"""teamtui's own per-run metrics: communication, conflicts, wasted work, idleness and failures.

All are pure functions of an event list. Definitions:
* message matrix: sender -> recipient -> messages sent (a broadcast counts once per recipient);
* conflicts: claim conflicts, stale-base write conflicts and lock denials, each counted per event;
* duplicate work: writes of a subtask's file by agents other than the one that completed it;
* rework: writes of a subtask's file by its completer beyond the first;
* idle fraction: per agent, 1 - (time in calls whose turn wrote or completed something) / time alive;
* recovery, per kill/stall/delay fault: `reclaim_s` = time until every subtask the agent held when hit was
  claimed by someone else (None if never; 0 if it held nothing), and `next_completion_s` = time until the
  team next completed a subtask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from teamtui.core import events as ev


@dataclass(frozen=True)
class Recovery:
    fault: str
    agent: str
    at: float
    held: tuple[str, ...]
    reclaim_s: float | None
    next_completion_s: float | None


def message_matrix(events: Sequence[ev.Event]) -> dict[str, dict[str, int]]:
    start = next((e for e in events if isinstance(e, ev.RunStarted)), None)
    names = list(start.agents) if start else []
    matrix = {a: dict.fromkeys(names, 0) for a in names}
    for e in events:
        if isinstance(e, ev.MessageSent):
            row = matrix.setdefault(e.agent, {})
            for dst in e.to:
                row[dst] = row.get(dst, 0) + 1
    return matrix


def messages_by_topic(events: Sequence[ev.Event]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for e in events:
        if isinstance(e, ev.MessageSent):
            out[e.topic] += len(e.to)
    return dict(sorted(out.items()))


def work_waste(events: Sequence[ev.Event]) -> tuple[int, int]:
    """(duplicate work, rework), in writes."""
    completer = {e.task: e.agent for e in events if isinstance(e, ev.TaskCompleted)}
    seen: set[tuple[str, str]] = set()
    duplicate = rework = 0
    for e in events:
        if isinstance(e, ev.FileWritten) and e.task:
            if e.task in completer and e.agent != completer[e.task]:
                duplicate += 1
            elif (e.task, e.agent) in seen:
                rework += 1
            seen.add((e.task, e.agent))
    return duplicate, rework


def idle_fractions(events: Sequence[ev.Event]) -> dict[str, float]:
    start = next((e for e in events if isinstance(e, ev.RunStarted)), None)
    if start is None:
        return {}
    end_t = events[-1].t
    alive_since = dict.fromkeys(start.agents, 0.0)
    alive_time = dict.fromkeys(start.agents, 0.0)
    busy = dict.fromkeys(start.agents, 0.0)
    pending: dict[str, float] = {}  # agent -> latency of its last call, until that turn is credited
    for e in events:
        if isinstance(e, ev.LLMCallCompleted):
            pending[e.agent] = e.latency
        elif isinstance(e, ev.LLMCallStarted):
            pending.pop(e.agent, None)
        elif isinstance(e, ev.FileWritten | ev.TaskCompleted) and e.agent in pending:
            busy[e.agent] += pending.pop(e.agent)
        elif isinstance(e, ev.AgentKilled) and alive_since.get(e.agent) is not None:
            alive_time[e.agent] += e.t - (alive_since[e.agent] or 0.0)
            alive_since[e.agent] = None  # type: ignore[assignment]
        elif isinstance(e, ev.AgentRestarted):
            alive_since[e.agent] = e.t
    for a, since in alive_since.items():
        if since is not None:
            alive_time[a] += end_t - since
    return {a: (max(0.0, 1.0 - busy[a] / alive_time[a]) if alive_time[a] > 0 else 1.0) for a in start.agents}


def recoveries(events: Sequence[ev.Event]) -> list[Recovery]:
    out = []
    completions = [e.t for e in events if isinstance(e, ev.TaskCompleted)]
    for i, e in enumerate(events):
        if not (isinstance(e, ev.FaultInjected) and e.fault in ("kill", "stall", "delay") and e.agent):
            continue
        held = _held_at(events[: i + 1], e.agent)
        reclaimed: dict[str, float] = {}
        for later in events[i + 1:]:
            if isinstance(later, ev.TaskClaimed) and later.task in held and later.agent != e.agent:
                reclaimed.setdefault(later.task, later.t - e.t)
        if not held:
            reclaim: float | None = 0.0
        elif len(reclaimed) == len(held):
            reclaim = max(reclaimed.values())
        else:
            reclaim = None
        nxt = next((t - e.t for t in completions if t >= e.t), None)
        out.append(Recovery(e.fault, e.agent, e.t, held, reclaim, nxt))
    return out


def _held_at(events: Sequence[ev.Event], agent: str) -> tuple[str, ...]:
    holder: dict[str, str] = {}
    for e in events:
        if isinstance(e, ev.TaskClaimed):
            holder[e.task] = e.agent
        elif isinstance(e, ev.TaskReleased | ev.LeaseExpired | ev.TaskCompleted):
            holder.pop(e.task, None)
    return tuple(t for t, a in holder.items() if a == agent)
