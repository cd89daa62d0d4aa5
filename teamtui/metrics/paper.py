"""The paper's per-run metrics, computed its way from an event list (see DESIGN.md, "Metric definitions").

* messages: agent replies per run (completed LLM calls);
* idle rounds: rounds with replies but no completed subtask;
* straggler gap: per round with two or more replies, slowest minus mean reply latency (mean over rounds);
* concurrent writes: (round, file) pairs that two or more agents tried to write;
* rewrites: writes of a file after the round in which it was first written;
* claims blocked; test failures (pytest exit codes 1-3); tokens in and out.

In `async` execution there are no rounds: concurrent writes and rewrites then use windows one median
call latency long, and idle rounds and the straggler gap are None.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from teamtui.core import events as ev


@dataclass(frozen=True)
class PaperMetrics:
    rounds: int
    messages: int
    idle_rounds: int | None
    straggler_gap: float | None
    concurrent_writes: int
    rewrites: int
    claims_blocked: int
    test_failures: int
    tokens_in: int
    tokens_out: int


def round_of(events: Sequence[ev.Event]) -> dict[int, int]:
    """seq -> the round an event happened in (0 before the first round, or in async execution)."""
    current = 0
    out: dict[int, int] = {}
    for e in events:
        if isinstance(e, ev.RoundStarted):
            current = e.round
        out[e.seq] = current
    return out


def _windows(events: Sequence[ev.Event]) -> dict[int, int]:
    """seq -> a window index: the round in rounds execution, else time / median call latency."""
    if any(isinstance(e, ev.RoundStarted) for e in events):
        return round_of(events)
    lat = [e.latency for e in events if isinstance(e, ev.LLMCallCompleted)]
    width = statistics.median(lat) if lat else 1.0
    width = width if width > 0 else 1.0
    return {e.seq: int(e.t // width) + 1 for e in events}


WRITE_ATTEMPTS = (ev.FileWritten, ev.LockDenied, ev.WriteConflicted)


def paper_metrics(events: Sequence[ev.Event]) -> PaperMetrics:
    rounds_mode = any(isinstance(e, ev.RoundStarted) for e in events)
    win = _windows(events)
    replies = [e for e in events if isinstance(e, ev.LLMCallCompleted)]
    n_rounds = max((e.round for e in events if isinstance(e, ev.RoundStarted)), default=0)

    idle_rounds: int | None = None
    gap: float | None = None
    if rounds_mode:
        replied: set[int] = {r.round for r in replies}
        completed = {win[e.seq] for e in events if isinstance(e, ev.TaskCompleted)}
        idle_rounds = len(replied - completed)
        by_round: dict[int, list[float]] = defaultdict(list)
        for reply in replies:
            by_round[reply.round].append(reply.latency)
        gaps = [max(v) - statistics.fmean(v) for v in by_round.values() if len(v) >= 2]
        gap = statistics.fmean(gaps) if gaps else 0.0

    writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    for e in events:
        if isinstance(e, WRITE_ATTEMPTS) and not (isinstance(e, ev.WriteConflicted) and e.outcome == "overwrote"):
            writers[(win[e.seq], e.path)].add(e.agent)
    concurrent = sum(1 for agents in writers.values() if len(agents) >= 2)

    first_written: dict[str, int] = {}
    rewrites = 0
    for e in events:
        if isinstance(e, ev.FileWritten):
            w = win[e.seq]
            if e.path not in first_written:
                first_written[e.path] = w
            elif w > first_written[e.path]:
                rewrites += 1

    return PaperMetrics(
        rounds=n_rounds,
        messages=len(replies),
        idle_rounds=idle_rounds,
        straggler_gap=gap,
        concurrent_writes=concurrent,
        rewrites=rewrites,
        claims_blocked=sum(1 for e in events if isinstance(e, ev.ClaimBlocked)),
        test_failures=sum(1 for e in events if isinstance(e, ev.TestsRan) and e.exit_code in (1, 2, 3)),
        tokens_in=sum(r.tokens_in for r in replies),
        tokens_out=sum(r.tokens_out for r in replies),
    )
