"""A live, incrementally updated picture of a run, folded from its events; what the monitor UI draws.

`LiveView.apply(event)` costs O(1) per event (buffers are bounded deques), so a UI can fold every event
the engine emits and redraw at its own frame rate. Agent badges are derived at draw time from what the
events said (`agent_state(name, now)`), task states from the board events, incidents (conflicts,
stalls, stragglers, faults, recoveries) keep their run times, and recovery of a kill, stall or delay is
measured as in `teamtui.metrics.team.recoveries`: until everything the agent held is claimed by others.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from teamtui.core import events as ev
from teamtui.scenario.tasks import amdahl

STREAM_LINES = 200
LOG_EVENTS = 5_000
INCIDENTS = 1_000
ACT_WINDOW_S = 0.8
BIN_S = 5.0
BADGES = ("thinking", "acting", "waiting", "idle", "stalled", "straggler", "killed", "restarting")


@dataclass
class AgentView:
    name: str
    role: str
    alive: bool = True
    restarting: bool = False
    thinking_since: float | None = None
    acted_at: float = -1e9
    stalled: bool = False
    straggler: bool = False
    delay: str = ""
    task: str = ""
    calls: int = 0
    busy_s: float = 0.0
    last_latency: float = 0.0
    tokens: int = 0
    stream: deque[str] = field(default_factory=lambda: deque(maxlen=STREAM_LINES))
    stream_seq: int = 0
    cost: float | None = None
    """Dollars of its calls with a known price (None: no priced call yet, e.g. the sim)."""
    live: str = ""
    """The tail of the reply streaming in for the call under way (real models)."""


@dataclass
class TaskView:
    id: str
    depends_on: tuple[str, ...]
    work: float
    state: str = "blocked"
    holder: str = ""
    assigned: str = ""
    reclaimed: bool = False
    failed: bool = False


@dataclass
class Incident:
    seq: int
    t: float
    kind: str
    agent: str
    text: str


@dataclass
class OpenFault:
    fault: str
    agent: str
    at: float
    held: set[str]
    incident: Incident


class LiveView:
    """See the module docstring."""

    def __init__(self) -> None:
        self.started: ev.RunStarted | None = None
        self.finished: ev.RunFinished | None = None
        self.now = 0.0
        self.round = 0
        self.waiting_on: tuple[str, ...] = ()
        self.agents: dict[str, AgentView] = {}
        self.tasks: dict[str, TaskView] = {}
        self.order: list[str] = []
        self.log: deque[ev.Event] = deque(maxlen=LOG_EVENTS)
        self.incidents: deque[Incident] = deque(maxlen=INCIDENTS)
        self.incidents_rev = 0
        """Bumped whenever an incident is added or its text changes (a fault learns its recovery time)."""
        self.open_faults: list[OpenFault] = []
        self.matrix: dict[str, dict[str, int]] = {}
        self.messages = 0
        self.conflicts = 0
        self.tokens = 0
        self.cost = 0.0
        self.unpriced = 0
        """Real-model calls whose price litellm does not know (their cost is unknown, not zero)."""
        self.unit_times: deque[float] = deque(maxlen=200)
        self.throughput: list[int] = []
        self.fault_bins: set[int] = set()
        self.partitioned: tuple[tuple[str, ...], ...] = ()
        self.seq = -1

    # -- folding -----------------------------------------------------------------------------------

    def apply(self, e: ev.Event) -> None:
        self.seq, self.now = e.seq, max(self.now, e.t)
        self.log.append(e)
        if isinstance(e, _TASK_EVENTS) and e.task not in self.tasks:  # imported logs may not announce a task
            self.tasks[e.task] = TaskView(e.task, (), 1.0, state="ready")
            self.order.append(e.task)
        handler = _HANDLERS.get(type(e))
        if handler is not None:
            handler(self, e)

    def _say(self, agent: str, text: str) -> None:
        a = self.agents.get(agent)
        if a is not None:
            a.stream.append(text)
            a.stream_seq += 1

    def _incident(self, e: ev.Event, kind: str, text: str) -> Incident:
        inc = Incident(e.seq, e.t, kind, e.agent, text)
        self.incidents.append(inc)
        self.incidents_rev += 1
        return inc

    def _refresh_ready(self) -> None:
        for t in self.tasks.values():
            if t.state in ("blocked", "ready"):
                deps_done = all(self.tasks[d].state == "done" for d in t.depends_on if d in self.tasks)
                t.state = "ready" if deps_done else "blocked"

    def _claimed_by_other(self, task: str, agent: str, t: float) -> None:
        for of in list(self.open_faults):
            if task in of.held and agent != of.agent:
                of.held.discard(task)
                if not of.held:
                    self.open_faults.remove(of)
                    self._incident_recovered(of, t)

    def _incident_recovered(self, of: OpenFault, t: float) -> None:
        took = t - of.at
        of.incident.text += f" · recovered in {took:.1f}s"
        self.incidents_rev += 1
        self.incidents.append(Incident(self.seq, t, "recovery", of.agent,
                                       f"{of.agent}'s work reclaimed {took:.1f}s after the {of.fault}"))

    # -- derived -----------------------------------------------------------------------------------

    def agent_state(self, name: str, now: float | None = None) -> str:
        a = self.agents[name]
        now = self.now if now is None else now
        if not a.alive:
            return "killed"
        if a.restarting:
            return "restarting"
        if a.stalled:
            return "stalled"
        if a.straggler:
            return "straggler"
        if a.thinking_since is not None:
            return "thinking"
        if now - a.acted_at <= ACT_WINDOW_S:
            return "acting"
        return "waiting" if a.task else "idle"

    @property
    def workers(self) -> int:
        return sum(1 for a in self.agents.values() if a.role != "lead") or len(self.agents)

    @property
    def p(self) -> float:
        s = self.started
        if s is None or not s.tasks:
            return 0.0
        if s.p is not None:
            return s.p
        return 0.0

    def unit_time(self) -> float | None:
        """Median seconds of model time per unit of subtask work, from the coding calls so far."""
        return statistics.median(self.unit_times) if self.unit_times else None

    def estimates(self) -> dict[str, float | None]:
        """Live figures: Amdahl bound, predicted makespan at the bound, speedup so far (estimates)."""
        n = self.workers
        bound = amdahl(self.p, n) if n else 1.0
        unit = self.unit_time()
        total = sum(t.work for t in self.tasks.values())
        done_work = sum(t.work for t in self.tasks.values() if t.state == "done")
        t1 = total * unit if unit else None
        return {
            "bound": bound,
            "t1_est": t1,
            "predicted": t1 / bound if t1 else None,
            "speedup_est": (done_work * unit / self.now) if unit and self.now > 0 else None,
            "done": float(sum(1 for t in self.tasks.values() if t.state == "done")),
            "total": float(len(self.tasks)),
        }

    def idle_fraction(self) -> float:
        alive = list(self.agents.values())
        if not alive or self.now <= 0:
            return 0.0
        return max(0.0, 1.0 - sum(a.busy_s for a in alive) / (self.now * len(alive)))

    def straggler_gap(self) -> float:
        lat = [a.last_latency for a in self.agents.values() if a.alive and a.last_latency > 0]
        return max(lat) - statistics.median(lat) if len(lat) >= 2 else 0.0


def _started(v: LiveView, e: ev.RunStarted) -> None:
    v.started = e
    v.agents = {n: AgentView(n, r) for n, r in zip(e.agents, e.roles, strict=True)}
    v.matrix = {n: dict.fromkeys(e.agents, 0) for n in e.agents}
    v.tasks = {t.id: TaskView(t.id, t.depends_on, t.work) for t in e.tasks}
    v.order = [t.id for t in e.tasks]
    v._refresh_ready()


def _finished(v: LiveView, e: ev.RunFinished) -> None:
    v.finished = e
    for a in v.agents.values():
        a.thinking_since = None
    v._incident(e, "end", f"run {e.status}: {e.reason}")


def _round(v: LiveView, e: ev.RoundStarted) -> None:
    v.round, v.waiting_on = e.round, e.waiting_on


def _call_started(v: LiveView, e: ev.LLMCallStarted) -> None:
    a = v.agents[e.agent]
    a.thinking_since, a.restarting = e.t, False


def _call_completed(v: LiveView, e: ev.LLMCallCompleted) -> None:
    a = v.agents[e.agent]
    a.thinking_since, a.acted_at = None, e.t
    a.calls += 1
    a.busy_s += e.latency
    a.last_latency = e.latency
    a.tokens += e.tokens_in + e.tokens_out
    v.tokens += e.tokens_in + e.tokens_out
    v.cost += e.cost_usd or 0.0
    a.live = ""
    if e.cost_usd is not None:
        a.cost = (a.cost or 0.0) + e.cost_usd
    elif v.started is not None and v.started.model != "sim":
        v.unpriced += 1
    v._say(e.agent, f"{e.t:6.1f} ◆ {e.text[:70]} ({e.latency:.1f}s, {e.tokens_out} tok)")


def _call_ended(v: LiveView, e: ev.LLMCallFailed | ev.LLMCallAbandoned) -> None:
    a = v.agents[e.agent]
    a.thinking_since, a.live = None, ""
    why = e.error if isinstance(e, ev.LLMCallFailed) else e.reason
    v._say(e.agent, f"{e.t:6.1f} ✗ call {e.call} {'failed' if isinstance(e, ev.LLMCallFailed) else 'abandoned'}: {why}")


def _streamed(v: LiveView, e: ev.LLMTokensStreamed) -> None:
    a = v.agents.get(e.agent)
    if a is not None:
        a.live = (a.live + e.text)[-400:]


def _retried(v: LiveView, e: ev.LLMCallRetried) -> None:
    v._say(e.agent, f"{e.t:6.1f} ↻ retry {e.attempt} in {e.wait_s:.0f}s: {e.error[:60]}")


def _reply_rejected(v: LiveView, e: ev.ReplyRejected) -> None:
    v._say(e.agent, f"{e.t:6.1f} ⚠ {e.problem[:80]}")


def _sent(v: LiveView, e: ev.MessageSent) -> None:
    row = v.matrix.setdefault(e.agent, {})
    for dst in e.to:
        row[dst] = row.get(dst, 0) + 1
        v.messages += 1
    to = "all" if len(e.to) > 1 and len(e.to) == len(v.agents) - 1 else ",".join(e.to)
    v._say(e.agent, f"{e.t:6.1f} → {to} [{e.topic}] {e.text[:60]}")


def _claimed(v: LiveView, e: ev.TaskClaimed) -> None:
    t = v.tasks[e.task]
    t.reclaimed = t.reclaimed or bool(e.reclaimed_from) or t.holder not in ("", e.agent)
    t.state, t.holder, t.failed = "claimed", e.agent, False
    v.agents[e.agent].task = e.task
    v._claimed_by_other(e.task, e.agent, e.t)
    v._say(e.agent, f"{e.t:6.1f} ⚑ claimed {e.task}" + (f" (from {e.reclaimed_from})" if e.reclaimed_from else ""))


def _assigned(v: LiveView, e: ev.TaskAssigned) -> None:
    v.tasks[e.task].assigned = e.to
    if e.agent:
        v._say(e.agent, f"{e.t:6.1f} ⇢ assigned {e.task} to {e.to}")


def _released(v: LiveView, e: ev.TaskReleased | ev.LeaseExpired) -> None:
    t = v.tasks[e.task]
    holder = t.holder
    t.holder, t.state = "", "ready"
    t.reclaimed = True
    if holder in v.agents and v.agents[holder].task == e.task:
        v.agents[holder].task = ""
    v._refresh_ready()
    if isinstance(e, ev.LeaseExpired):
        v._incident(e, "lease", f"lease on {e.task} held by {e.holder} expired")


def _completed(v: LiveView, e: ev.TaskCompleted) -> None:
    t = v.tasks[e.task]
    t.state, t.failed = "done", False
    a = v.agents.get(e.agent)
    if a is not None and a.task == e.task:
        a.task = ""
    b = int(e.t // BIN_S)
    v.throughput.extend([0] * (b + 1 - len(v.throughput)))
    v.throughput[b] += 1
    v._refresh_ready()
    v._say(e.agent, f"{e.t:6.1f} ✓ completed {e.task}")


def _written(v: LiveView, e: ev.FileWritten) -> None:
    a = v.agents[e.agent]
    a.acted_at = e.t
    work = v.tasks[e.task].work if e.task in v.tasks else 0.0
    if work > 0 and a.last_latency > 0:
        v.unit_times.append(a.last_latency / work)
    v._say(e.agent, f"{e.t:6.1f} ✎ wrote {e.path} v{e.version}")


def _tests(v: LiveView, e: ev.TestsRan) -> None:
    if not e.passed and e.task in v.tasks:
        v.tasks[e.task].failed = True
    v._say(e.agent, f"{e.t:6.1f} {'✓' if e.passed else '✗'} tests {e.task} {'pass' if e.passed else 'FAIL'}")


def _conflict(v: LiveView, e: ev.Event) -> None:
    v.conflicts += 1
    if isinstance(e, ev.ClaimConflicted):
        text = f"claim conflict on {e.task}" + (f" (held by {e.holder})" if e.holder else " (already done)")
    elif isinstance(e, ev.WriteConflicted):
        text = f"write conflict on {e.path}: v{e.base_version} < v{e.current_version} by {e.last_writer}, {e.outcome}"
    else:
        assert isinstance(e, ev.LockDenied)
        text = f"lock denied on {e.path} (held by {e.holder})"
    v._incident(e, "conflict", text)
    v._say(e.agent, f"{e.t:6.1f} ⚠ {text}")


def _detector(v: LiveView, e: ev.Event) -> None:
    a = v.agents[e.agent]
    if isinstance(e, ev.AgentStalled):
        a.stalled = True
        v._incident(e, "stall", f"{e.agent} stalled (silent since {e.since:.1f}s)")
    elif isinstance(e, ev.AgentRecovered):
        a.stalled = False
        v._incident(e, "recovery", f"{e.agent} recovered after {e.stalled_for:.1f}s")
    elif isinstance(e, ev.StragglerDetected):
        a.straggler = True
        v._incident(e, "straggler", f"{e.agent} is a straggler: {e.latency:.1f}s vs team median {e.team_median:.1f}s")
    elif isinstance(e, ev.StragglerCleared):
        a.straggler = False
        v._incident(e, "recovery", f"{e.agent} no longer a straggler ({e.latency:.1f}s)")


def _fault(v: LiveView, e: ev.FaultInjected) -> None:
    v.fault_bins.add(int(e.t // BIN_S))
    who = f" {e.agent}" if e.agent else ""
    params = ", ".join(f"{k}={val}" for k, val in e.params.items())
    inc = v._incident(e, "fault", f"{e.fault}{who}" + (f" ({params})" if params else "") + f" [{e.source}]")
    a = v.agents.get(e.agent)
    if a is not None and e.fault in ("kill", "stall", "delay") and a.alive:
        held = {t.id for t in v.tasks.values() if t.holder == e.agent and t.state == "claimed"}
        if held:
            v.open_faults.append(OpenFault(e.fault, e.agent, e.t, held, inc))


def _agent_fault(v: LiveView, e: ev.Event) -> None:
    a = v.agents[e.agent]
    if isinstance(e, ev.AgentKilled):
        a.alive, a.thinking_since, a.stalled, a.straggler = False, None, False, False
        a.delay = ""
        v._say(e.agent, f"{e.t:6.1f} ☠ killed" + (f", held {', '.join(e.held)}" if e.held else ""))
    elif isinstance(e, ev.AgentRestarted):
        a.alive, a.restarting, a.task = True, True, ""
        v._say(e.agent, f"{e.t:6.1f} ↻ restarted (incarnation {e.incarnation})")
    elif isinstance(e, ev.AgentDelayed):
        a.delay = f"×{e.factor:g}" + (f" +{e.extra_s:g}s" if e.extra_s else "") + (
            f" for {e.duration:g}s" if e.duration else "")
        v._say(e.agent, f"{e.t:6.1f} ⏱ delayed {a.delay}")
    elif isinstance(e, ev.AgentDelayEnded):
        a.delay = ""
        v._say(e.agent, f"{e.t:6.1f} ⏱ delay over")
    elif isinstance(e, ev.AgentStallInjected):
        a.stalled = True
        v._say(e.agent, f"{e.t:6.1f} ‖ stalled" + (f" for {e.duration:g}s" if e.duration else ""))
    elif isinstance(e, ev.AgentResumed):
        a.stalled = False
        v._say(e.agent, f"{e.t:6.1f} ▶ resumed")


def _network(v: LiveView, e: ev.Event) -> None:
    if isinstance(e, ev.NetworkPartitioned):
        v.partitioned = e.groups
        v._incident(e, "partition", "partition " + " | ".join(",".join(g) for g in e.groups))
    elif isinstance(e, ev.NetworkHealed):
        v.partitioned = ()
        v._incident(e, "recovery", "network healed")


def _stranded(v: LiveView, e: ev.WorkStranded) -> None:
    v._incident(e, "stranded", f"stranded: {', '.join(e.tasks)} ({e.reason})")


def _rejected(v: LiveView, e: ev.CompletionRejected) -> None:
    if e.task in v.tasks:
        v.tasks[e.task].failed = True
    v._say(e.agent, f"{e.t:6.1f} ✗ completion of {e.task} refused: {e.reason}")


def _leader(v: LiveView, e: ev.LeaderElected) -> None:
    for a in v.agents.values():
        if a.role == "lead":
            a.role = "worker"
    v.agents[e.agent].role = "lead"
    v._incident(e, "recovery", f"{e.agent} elected lead (was {e.previous or 'none'})")


_TASK_EVENTS = (ev.TaskClaimed, ev.TaskAssigned, ev.TaskReleased, ev.LeaseExpired, ev.TaskCompleted)
_HANDLERS: dict[type, Callable[[LiveView, Any], None]] = {
    ev.RunStarted: _started, ev.RunFinished: _finished, ev.RoundStarted: _round,
    ev.LLMCallStarted: _call_started, ev.LLMCallCompleted: _call_completed,
    ev.LLMCallFailed: _call_ended, ev.LLMCallAbandoned: _call_ended, ev.MessageSent: _sent,
    ev.LLMTokensStreamed: _streamed, ev.LLMCallRetried: _retried, ev.ReplyRejected: _reply_rejected,
    ev.TaskClaimed: _claimed, ev.TaskAssigned: _assigned, ev.TaskReleased: _released, ev.LeaseExpired: _released,
    ev.TaskCompleted: _completed, ev.FileWritten: _written, ev.TestsRan: _tests,
    ev.ClaimConflicted: _conflict, ev.WriteConflicted: _conflict, ev.LockDenied: _conflict,
    ev.AgentStalled: _detector, ev.AgentRecovered: _detector, ev.StragglerDetected: _detector,
    ev.StragglerCleared: _detector, ev.FaultInjected: _fault,
    ev.AgentKilled: _agent_fault, ev.AgentRestarted: _agent_fault, ev.AgentDelayed: _agent_fault,
    ev.AgentDelayEnded: _agent_fault, ev.AgentStallInjected: _agent_fault, ev.AgentResumed: _agent_fault,
    ev.NetworkPartitioned: _network, ev.NetworkHealed: _network, ev.WorkStranded: _stranded,
    ev.CompletionRejected: _rejected, ev.LeaderElected: _leader,
}
