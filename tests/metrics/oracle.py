"""Test oracles: the run figures written the obvious way, as whole-list functions of an event list.

These are the list-based checkers teamtui had before the reducer (`teamtui.core.state`), kept only as
independent references for the property tests: the incremental reducer must agree with them on any valid
history. They are deliberately naive (quadratic where that is simplest) and never used by the product.
Two documented differences from the reducer: `held` is compared as a set (the reducer lists subtasks in
board order), and a straggler gap with no round of two replies is None (the old checker said 0.0).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

from teamtui.core import events as ev

WRITE_ATTEMPTS = (ev.FileWritten, ev.LockDenied, ev.WriteConflicted)


def _windows(events: Sequence[ev.Event]) -> tuple[bool, dict[int, int]]:
    if any(isinstance(e, ev.RoundStarted) for e in events):
        current, out = 0, {}
        for e in events:
            if isinstance(e, ev.RoundStarted):
                current = e.round
            out[e.seq] = current
        return True, out
    lat = [e.latency for e in events if isinstance(e, ev.LLMCallCompleted)]
    width = statistics.median(lat) if lat else 1.0
    width = width if width > 0 else 1.0
    return False, {e.seq: int(e.t // width) + 1 for e in events}


def paper(events: Sequence[ev.Event]) -> dict[str, object]:
    rounds_mode, win = _windows(events)
    replies = [e for e in events if isinstance(e, ev.LLMCallCompleted)]
    idle_rounds = gap = None
    if rounds_mode:
        completed = {win[e.seq] for e in events if isinstance(e, ev.TaskCompleted)}
        idle_rounds = len({r.round for r in replies} - completed)
        by_round: dict[int, list[float]] = defaultdict(list)
        for r in replies:
            by_round[r.round].append(r.latency)
        gaps = [max(v) - statistics.fmean(v) for v in by_round.values() if len(v) >= 2]
        gap = statistics.fmean(gaps) if gaps else None
    writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    rewrites = 0
    for e in events:
        if isinstance(e, WRITE_ATTEMPTS) and not (isinstance(e, ev.WriteConflicted) and e.outcome == "overwrote"):
            writers[(win[e.seq], e.path)].add(e.agent)
        if isinstance(e, ev.FileWritten):
            w = win[e.seq]
            if e.path not in first:
                first[e.path] = w
            elif w > first[e.path]:
                rewrites += 1
    return {
        "rounds": max((e.round for e in events if isinstance(e, ev.RoundStarted)), default=0),
        "messages": len(replies), "idle_rounds": idle_rounds, "straggler_gap": gap,
        "concurrent_writes": sum(1 for a in writers.values() if len(a) >= 2), "rewrites": rewrites,
        "claims_blocked": sum(1 for e in events if isinstance(e, ev.ClaimBlocked)),
        "test_failures": sum(1 for e in events if isinstance(e, ev.TestsRan) and e.exit_code in (1, 2, 3)),
        "tokens_in": sum(r.tokens_in for r in replies), "tokens_out": sum(r.tokens_out for r in replies),
    }


def message_matrix(events: Sequence[ev.Event]) -> dict[str, dict[str, int]]:
    start = next(e for e in events if isinstance(e, ev.RunStarted))
    matrix = {a: dict.fromkeys(start.agents, 0) for a in start.agents}
    for e in events:
        if isinstance(e, ev.MessageSent):
            row = matrix.setdefault(e.agent, {})
            for dst in e.to:
                row[dst] = row.get(dst, 0) + 1
    return matrix


def work_waste(events: Sequence[ev.Event]) -> tuple[int, int]:
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
    start = next(e for e in events if isinstance(e, ev.RunStarted))
    end_t = events[-1].t
    alive_since: dict[str, float | None] = dict.fromkeys(start.agents, 0.0)
    alive_time = dict.fromkeys(start.agents, 0.0)
    busy = dict.fromkeys(start.agents, 0.0)
    pending: dict[str, float] = {}
    for e in events:
        if isinstance(e, ev.LLMCallCompleted):
            pending[e.agent] = e.latency
        elif isinstance(e, ev.LLMCallStarted):
            pending.pop(e.agent, None)
        elif isinstance(e, ev.FileWritten | ev.TaskCompleted) and e.agent in pending:
            busy[e.agent] += pending.pop(e.agent)
        elif isinstance(e, ev.AgentKilled) and alive_since.get(e.agent) is not None:
            alive_time[e.agent] += e.t - (alive_since[e.agent] or 0.0)
            alive_since[e.agent] = None
        elif isinstance(e, ev.AgentRestarted):
            alive_since[e.agent] = e.t
    for a, since in alive_since.items():
        if since is not None:
            alive_time[a] += end_t - since
    return {a: (max(0.0, 1.0 - busy[a] / alive_time[a]) if alive_time[a] > 0 else 1.0) for a in start.agents}


def recoveries(events: Sequence[ev.Event]) -> list[tuple[str, str, float, frozenset[str], float | None, float | None]]:
    out = []
    completions = [e.t for e in events if isinstance(e, ev.TaskCompleted)]
    for i, e in enumerate(events):
        if not (isinstance(e, ev.FaultInjected) and e.fault in ("kill", "stall", "delay") and e.agent):
            continue
        holder: dict[str, str] = {}
        for before in events[: i + 1]:
            if isinstance(before, ev.TaskClaimed):
                holder[before.task] = before.agent
            elif isinstance(before, ev.TaskReleased | ev.LeaseExpired | ev.TaskCompleted):
                holder.pop(before.task, None)
        held = frozenset(t for t, a in holder.items() if a == e.agent)
        reclaimed: dict[str, float] = {}
        for later in events[i + 1:]:
            if isinstance(later, ev.TaskClaimed) and later.task in held and later.agent != e.agent:
                reclaimed.setdefault(later.task, later.t - e.t)
        reclaim = 0.0 if not held else max(reclaimed.values()) if len(reclaimed) == len(held) else None
        nxt = next((t - e.t for t in completions if t >= e.t), None)
        out.append((e.fault, e.agent, e.t, held, reclaim, nxt))
    return out
