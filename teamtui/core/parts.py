"""The parts of a run's state (`teamtui.core.state.RunState`): mutable msgspec structs, so a snapshot is one encode.

What each field means is documented here; what each *figure* means (how the fields combine) is documented
once, in the table of `teamtui.core.state`. The structs encode as arrays (small, fast snapshots), so their
field order is part of the snapshot format: any change to a field here bumps `teamtui.core.state.FORMAT`.
"""

from __future__ import annotations

import msgspec

from teamtui.core import events as ev


class Delay(msgspec.Struct, array_like=True):
    """An injected slowdown in force: a latency factor, extra seconds per call, for `duration` s (None: no end)."""

    factor: float
    extra_s: float
    duration: float | None


class Task(msgspec.Struct, array_like=True):
    """One subtask on the board."""

    id: str
    depends_on: tuple[str, ...] = ()
    work: float = 1.0
    file: str = ""
    state: str = "blocked"
    """blocked (an announced dependency is not done) | ready | claimed | done (terminal)."""
    holder: str = ""
    """Who holds it: set by a claim, cleared by a release, a lease expiry or its completion."""
    assigned: str = ""
    reclaimed: bool = False
    """It was released, its lease expired, or someone claimed it from another holder."""
    failed: bool = False
    """Its last tests failed or its completion was refused (cleared by a claim or a completion)."""
    completer: str = ""
    """Who completed it (the last one, if a log completes it twice)."""
    waiting: int = 0
    """Announced dependencies not done yet (0: ready once released)."""


class Agent(msgspec.Struct, array_like=True):
    """One agent: its condition, its counters and the two clocks of its idle fraction."""

    name: str
    role: str
    alive: bool = True
    restarting: bool = False
    """Restarted and not yet in a call."""
    incarnation: int = 0
    restarts: int = 0
    in_call_since: float | None = None
    acted_at: float | None = None
    """Run time of its last reply or file write."""
    stalled: bool = False
    """Flagged by the failure detector (AgentStalled, until AgentRecovered)."""
    stall_injected: bool = False
    """Frozen by a stall fault (until AgentResumed)."""
    straggler: bool = False
    delay: Delay | None = None
    task: str = ""
    """The subtask it last claimed and still holds (what its pane shows)."""
    calls: int = 0
    failed_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    est_tokens_in: int = 0
    est_tokens_out: int = 0
    """Token counts of its calls whose server sent no usage: estimates, kept apart from the server's counts."""
    cost: float | None = None
    """Dollars of its calls with a known price; None until one is priced."""
    unpriced: int = 0
    """Its real-model calls whose price is unknown (never counted as zero)."""
    done: int = 0
    """Subtask completions it made."""
    sent: int = 0
    """Messages it sent, counted per recipient."""
    last_latency: float = 0.0
    busy_s: float = 0.0
    """Seconds in calls whose turn wrote a file or completed a subtask."""
    pending_s: float | None = None
    """Latency of its last reply, until that turn writes or completes something (then added to busy_s)."""
    alive_s: float = 0.0
    """Seconds alive before `alive_since` (closed by kills)."""
    alive_since: float | None = 0.0
    """Alive since this run time; None while dead."""


LATENCY_WINDOW = (0.0, 180.0)
"""The paper's notebook keeps reply latencies strictly inside this window (seconds) for its straggler gap."""


class RoundReplies(msgspec.Struct, array_like=True):
    """The replies (completed calls) of one round: how many, their total and their slowest latency; and the
    same over the replies whose latency is strictly inside `LATENCY_WINDOW` (the paper's straggler gap)."""

    count: int = 0
    total: float = 0.0
    slowest: float = 0.0
    windowed: int = 0
    windowed_total: float = 0.0
    windowed_slowest: float = 0.0


class Attempt(msgspec.Struct, array_like=True):
    """One attempt to write a file, kept only in async execution (its windows need the run's median latency)."""

    t: float
    path: str
    agent: str
    wrote: bool
    """A FileWritten (counts for rewrites), not a denied or rejected write."""


class Recovery(msgspec.Struct, array_like=True):
    """A kill, stall or delay fault and how the team got over it."""

    fault: str
    agent: str
    at: float
    seq: int
    """The fault's position in the log (the seq of its FaultInjected and of its incident)."""
    held: tuple[str, ...]
    """Subtasks the agent held when hit."""
    reclaimed: dict[str, float] = {}
    """Subtask -> seconds after the fault until another agent first claimed it."""
    next_completion_s: float | None = None
    """Seconds until the team next completed a subtask (None: not yet, or never)."""

    @property
    def reclaim_s(self) -> float | None:
        """Seconds until everything held was claimed by others: 0 if it held nothing, None if not (yet) all."""
        if not self.held:
            return 0.0
        return max(self.reclaimed.values()) if len(self.reclaimed) == len(self.held) else None


class Incident(msgspec.Struct, array_like=True):
    """Something worth a line in the incidents list; the UI writes the words.

    kind and the fields it uses:
    conflict  cause claim|write|lock, subject the subtask or path, other the holder or last writer,
              note the write's outcome, value/ref the write's base and current versions;
    stall     value: silent since (run time);
    straggler value: its latency, ref: the team's median;
    fault     cause: the fault, other: its source, note: its parameters, recovered_in once all it held is reclaimed;
    recovery  cause reclaimed (other: the fault, value: seconds) | resumed (value: stalled for) |
              caught_up (value: latency) | healed | elected (other: the previous lead);
    lease     subject: the subtask, other: its holder;
    partition names: the groups, each "a,b";
    stranded  names: the subtasks, note: why;
    end       cause: the final status, note: the reason.
    """

    seq: int
    t: float
    kind: str
    agent: str = ""
    cause: str = ""
    subject: str = ""
    other: str = ""
    value: float | None = None
    ref: float | None = None
    names: tuple[str, ...] = ()
    note: str = ""
    recovered_in: float | None = None


class RunFacts(msgspec.Struct):
    """What the reducer has folded so far: the fields of `teamtui.core.state.RunState`, whose methods read them.
    The handlers (`teamtui.core.fold`, `teamtui.core.failures`) change these, and know nothing of the figures."""

    started: ev.RunStarted | None = None
    finished: ev.RunFinished | None = None
    seq: int = -1
    t_events: float = 0.0
    t_clock: float = 0.0
    round: int = 0
    max_round: int = 0
    waiting_on: tuple[str, ...] = ()
    partitioned: tuple[tuple[str, ...], ...] = ()
    agents: dict[str, Agent] = {}
    tasks: dict[str, Task] = {}
    dependents: dict[str, list[str]] = {}
    total_work: float = 0.0
    done_work: float = 0.0
    done: int = 0
    matrix: dict[str, dict[str, int]] = {}
    by_topic: dict[str, int] = {}
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    replies: int = 0
    failed_calls: int = 0
    rejected_replies: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    est_tokens_in: int = 0
    est_tokens_out: int = 0
    estimated_calls: int = 0
    cost: float | None = None
    unpriced: int = 0
    unit_times: list[float] = []
    claim_conflicts: int = 0
    write_conflicts: int = 0
    lock_denied: int = 0
    claims_blocked: int = 0
    test_failures: int = 0
    writes: dict[str, dict[str, int]] = {}
    stalls: int = 0
    stragglers: list[str] = []
    faults: int = 0
    fault_bins: dict[int, int] = {}
    recoveries: list[Recovery] = []
    awaiting_reclaim: dict[str, list[int]] = {}
    awaiting_completion: list[int] = []
    last_completion_t: float | None = None
    stranded: tuple[str, ...] | None = None
    incidents: list[Incident] = []
    incidents_rev: int = 0
    """Bumped whenever an incident is added or changes (a fault learns its recovery time)."""
    throughput: list[int] = []
    """Completions per 5 s of run time."""
    rounds_mode: bool = False
    by_round: dict[int, RoundReplies] = {}
    completed_in: dict[int, int] = {}
    window_writers: dict[str, list[str]] = {}
    concurrent_closed: int = 0
    first_written: dict[str, int] = {}
    round_rewrites: int = 0
    attempts: list[Attempt] = []
    latencies: list[float] = []
