"""The one reducer of a run: `RunState.apply(event)` folds the log, and every figure of a run is read from it.

The live monitor, the summary and the stored metrics, replay checkpoints and the headless output all read
these figures, so a figure cannot mean two things on two screens. `apply` is O(1) amortised per event
(`teamtui.core.fold` has a handler per event type, `teamtui.core.failures` those of failures; both change
the facts of `teamtui.core.parts.RunFacts`, which `RunState` extends with the figures); the parts
are msgspec structs (`teamtui.core.parts`), so `snapshot()` is one msgpack encode carrying `FORMAT`, and
`restore(blob)` gives None for any other format or an undecodable blob (the caller then folds the log
instead). The reducer (these four modules) imports only the event vocabulary, the standard library and
msgspec.

Figures — the one definition of each (T1: the makespan of a 1-agent run of the same task and seed; "now":
the latest event time, or while the run goes the clock as `advance` moves it):

    figure                  read as                    definition
    ----------------------  -------------------------  ---------------------------------------------------------
    makespan                makespan                   RunFinished.makespan; before the end, now
    subtasks done           done                       TaskCompleted events (an imported log without subtask ids
                                                       completes its unnamed subtask once per completion)
    work done               done_work, total_work      work of the subtasks done / of every subtask on the board
    workers                 workers                    agents whose role at the start is not lead (at least 1)
    speedup                 speedup(t1)                T1 / makespan for a completed run, else None
    speedup estimate        speedup_estimate(t1)       while running T1 / (now × total work / work done), None
                                                       before any work is done; once finished, speedup(t1)
    T1 estimate             t1_estimate()              total work × median model seconds per unit of work over
                                                       the latest 200 file writes (the writer's last call
                                                       latency / the subtask's work)
    efficiency              efficiency(t1)             speedup / workers
    fault cost              fault_cost(t_fault_free)   makespan − the same seed's makespan without faults, for a
                                                       run with a fault
    replies                 replies                    completed LLM calls (the paper's "messages"); tokens_in
                                                       and tokens_out are theirs as the servers counted them;
                                                       est_tokens_in/out those of the estimated_calls whose
                                                       server sent no usage (estimates, never summed with them)
    cost                    cost, unpriced             dollars of the calls with a known price (None until one
                                                       is priced); real-model calls without a price
    messages                sent, matrix,              MessageSent counted once per recipient: in all, sender →
                            messages_by_topic()        recipient, per topic
    messages per subtask    messages_per_subtask       messages sent / announced subtasks (None without any)
    delivered, dropped      delivered, dropped         MessageDelivered, MessageDropped events
    conflicts               conflicts                  claim_conflicts + write_conflicts + lock_denied, one per
                                                       ClaimConflicted, WriteConflicted, LockDenied event
    claims blocked          claims_blocked             ClaimBlocked events
    test failures           test_failures              TestsRan with pytest exit code 1, 2 or 3
    idle fraction           idle_by_agent(),           per agent 1 − time in calls whose turn wrote a file or
                            idle_fraction()            completed a subtask / time alive (1 if never alive);
                                                       the team's: the mean over agents
    idle rounds             idle_rounds()              rounds with a reply (by the reply's round) but no
                                                       completion (by the round in progress); None without rounds
    straggler gap           straggler_gap()            per round with ≥ 2 replies, slowest − mean reply latency;
                                                       the mean over those rounds; None without such a round
    round gaps              round_gaps()               the paper's per-round gaps: per round, in round order,
                                                       with ≥ 2 replies whose latency is strictly inside
                                                       (0, 180) s, the slowest − mean of those; None without
                                                       rounds
    concurrent writes       concurrent_writes()        (window, file) pairs that ≥ 2 agents tried to write
                                                       (FileWritten, LockDenied, WriteConflicted not overwriting);
                                                       the window is the round in progress, or without rounds
                                                       int(t / the run's median call latency) + 1
    rewrites                rewrites()                 FileWritten of a file in a later window than its first
    duplicate work, rework  work_waste()               writes of a subtask's file by agents other than its
                                                       completer; by one agent beyond its first (for a subtask
                                                       never completed, every agent's beyond its first)
    stalls                  stalls                     AgentStalled events
    stragglers              stragglers                 agents ever detected as stragglers, in order
    faults                  faults                     FaultInjected events
    recoveries              recoveries                 per kill/stall/delay fault on an agent: what it held
                                                       then, when another agent first claimed each, reclaim_s
                                                       (all claimed; 0 if it held nothing; None if not all),
                                                       and the next completion at or after it
    open faults             open_faults()              recoveries whose held work is not all reclaimed yet
    stranded                stranded                   the subtasks of the first WorkStranded (None if none)
    incidents               incident_list()            the latest 1,000 conflicts, stalls, stragglers, faults
                                                       (with recovered_in), recoveries, lease expiries,
                                                       partitions, stranded work and the end

Memory is bounded except where a definition needs history: recoveries (one per fault), replies and
completions per round (a few numbers per round), the round of each file's first write, writes per subtask
and agent, throughput bins (one per 5 s of run time), and — in async execution only, where windows are a
whole-run median call latency wide — every call latency and write attempt (O(calls + writes)).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

import msgspec

from teamtui.core import events as ev
from teamtui.core.failures import INCIDENTS
from teamtui.core.fold import HANDLERS, UNIT_TIMES
from teamtui.core.parts import Agent, Incident, Recovery, RunFacts, Task

FORMAT = 2
"""The snapshot format; bump it whenever a field of the state or of its parts changes meaning or type."""


class RunState(RunFacts):
    """See the module docstring. Its fields are the folded facts (`RunFacts`); its methods are the figures."""

    # -- folding -----------------------------------------------------------------------------------

    def apply(self, e: ev.Event) -> None:
        """Fold one event (events come in log order: seq and t never go back)."""
        self.seq = e.seq
        if e.t > self.t_events:
            self.t_events = e.t
        handler = HANDLERS.get(type(e))
        if handler is not None:
            handler(self, e)

    @classmethod
    def of(cls, events: Iterable[ev.Event]) -> RunState:
        """The state after a whole event list."""
        state = cls()
        for e in events:
            state.apply(e)
        return state

    def advance(self, t: float) -> None:
        """Move `now` on to the run clock's `t` while the run goes (the monitor's clock between events)."""
        if self.finished is None and t > self.t_clock:
            self.t_clock = t

    def snapshot(self) -> bytes:
        """The whole state as msgpack, with its format version."""
        return _ENCODER.encode(_Snapshot(FORMAT, self))

    @staticmethod
    def restore(blob: bytes) -> RunState | None:
        """The state a `snapshot` holds; None for another format or anything that does not decode."""
        try:
            if _HEADER.decode(blob).format != FORMAT:
                return None
            return _DECODER.decode(blob).state
        except (msgspec.DecodeError, TypeError):
            return None

    # -- time and progress -------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.t_events if self.finished is not None else max(self.t_events, self.t_clock)

    @property
    def makespan(self) -> float:
        return self.finished.makespan if self.finished is not None else self.now

    @property
    def status(self) -> str:
        return self.finished.status if self.finished is not None else "running"

    @property
    def workers(self) -> int:
        if self.started is None:
            return 0
        return sum(1 for r in self.started.roles if r != "lead") or 1

    @property
    def subtasks(self) -> int:
        return len(self.started.tasks) if self.started is not None else 0

    def unit_time(self) -> float | None:
        """Median model seconds per unit of subtask work over the latest file writes."""
        return statistics.median(self.unit_times[-UNIT_TIMES:]) if self.unit_times else None

    def t1_estimate(self) -> float | None:
        unit = self.unit_time()
        return self.total_work * unit if unit else None

    def speedup(self, t1: float | None) -> float | None:
        span = self.makespan
        if not t1 or self.status != "completed" or span <= 0:
            return None
        return t1 / span

    def speedup_estimate(self, t1: float | None) -> float | None:
        if self.finished is not None:
            return self.speedup(t1)
        now = self.now
        if not t1 or now <= 0 or self.done_work <= 0 or self.total_work <= 0:
            return None
        return t1 * self.done_work / (now * self.total_work)

    def efficiency(self, t1: float | None) -> float | None:
        sp = self.speedup(t1)
        return sp / self.workers if sp is not None and self.workers else None

    def fault_cost(self, fault_free_makespan: float | None) -> float | None:
        if fault_free_makespan is None or not self.faults:
            return None
        return self.makespan - fault_free_makespan

    # -- communication and conflicts ---------------------------------------------------------------

    def messages_by_topic(self) -> dict[str, int]:
        return dict(sorted(self.by_topic.items()))

    @property
    def messages_per_subtask(self) -> float | None:
        return self.sent / self.subtasks if self.subtasks else None

    @property
    def conflicts(self) -> int:
        return self.claim_conflicts + self.write_conflicts + self.lock_denied

    def work_waste(self) -> tuple[int, int]:
        """(duplicate work, rework), in writes."""
        duplicate = rework = 0
        for tid, by_agent in self.writes.items():
            t = self.tasks.get(tid)
            completer = t.completer if t is not None and t.state == "done" else None
            for agent, n in by_agent.items():
                if completer is not None and agent != completer:
                    duplicate += n
                else:
                    rework += n - 1
        return duplicate, rework

    # -- idleness and the paper's per-round figures ------------------------------------------------

    def idle_by_agent(self) -> dict[str, float]:
        now = self.now
        out = {}
        for name, a in self.agents.items():
            alive = a.alive_s + (now - a.alive_since if a.alive_since is not None else 0.0)
            out[name] = max(0.0, 1.0 - a.busy_s / alive) if alive > 0 else 1.0
        return out

    def idle_fraction(self) -> float | None:
        idle = self.idle_by_agent()
        return sum(idle.values()) / len(idle) if idle else None

    def idle_rounds(self) -> int | None:
        if not self.rounds_mode:
            return None
        return sum(1 for r in self.by_round if r not in self.completed_in)

    def straggler_gap(self) -> float | None:
        if not self.rounds_mode:
            return None
        gaps = [r.slowest - r.total / r.count for r in self.by_round.values() if r.count >= 2]
        return statistics.fmean(gaps) if gaps else None

    def round_gaps(self) -> list[float] | None:
        if not self.rounds_mode:
            return None
        return [r.windowed_slowest - r.windowed_total / r.windowed for _, r in sorted(self.by_round.items())
                if r.windowed >= 2]

    def concurrent_writes(self) -> int:
        if self.rounds_mode:
            return self.concurrent_closed + sum(1 for agents in self.window_writers.values() if len(agents) >= 2)
        writers: dict[tuple[int, str], set[str]] = defaultdict(set)
        window = self._window()
        for a in self.attempts:
            writers[(window(a.t), a.path)].add(a.agent)
        return sum(1 for agents in writers.values() if len(agents) >= 2)

    def rewrites(self) -> int:
        if self.rounds_mode:
            return self.round_rewrites
        window = self._window()
        first: dict[str, int] = {}
        count = 0
        for a in self.attempts:
            if a.wrote:
                w = window(a.t)
                if first.setdefault(a.path, w) < w:
                    count += 1
        return count

    def _window(self) -> _Window:
        width = statistics.median(self.latencies) if self.latencies else 1.0
        return _Window(width if width > 0 else 1.0)

    # -- failures ----------------------------------------------------------------------------------

    def open_faults(self) -> list[Recovery]:
        """Faults whose agent held work that is not all reclaimed yet."""
        return [r for r in self.recoveries if r.held and r.reclaim_s is None]

    def incident_list(self) -> list[Incident]:
        return self.incidents[-INCIDENTS:]

    def held_by(self, agent: str) -> list[str]:
        return [t.id for t in self.tasks.values() if t.holder == agent and t.state == "claimed"]

    def fate(self, agent: str) -> str:
        a = self.agents[agent]
        return "killed" if not a.alive else "restarted" if a.restarts else "alive"


class _Window:
    """Async execution's windows: int(t / width) + 1, width the run's median call latency."""

    def __init__(self, width: float) -> None:
        self.width = width

    def __call__(self, t: float) -> int:
        return int(t // self.width) + 1


class _Header(msgspec.Struct):
    format: int


class _Snapshot(msgspec.Struct):
    format: int
    state: RunState


_ENCODER = msgspec.msgpack.Encoder()
_HEADER = msgspec.msgpack.Decoder(_Header)
_DECODER = msgspec.msgpack.Decoder(_Snapshot)

__all__ = ["FORMAT", "Agent", "Incident", "Recovery", "RunState", "Task"]
