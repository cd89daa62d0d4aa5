"""How each event changes a `RunFacts`: one small handler per event type, each O(1) amortised.

Only `teamtui.core.state` uses this module (`RunState.apply` dispatches on `HANDLERS` by the event's type);
failures, faults and recoveries are folded by `teamtui.core.failures`. The figures these fields make up
are defined in `teamtui.core.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teamtui.core import events as ev
from teamtui.core import failures
from teamtui.core.failures import BIN_S, MAX_BINS, incident
from teamtui.core.parts import LATENCY_WINDOW, Agent, Attempt, Incident, RoundReplies, RunFacts, Task

UNIT_TIMES = 200
"""The T1 estimate uses the model time per unit of work of this many latest file writes."""


def _task(s: RunFacts, tid: str) -> Task:
    """The subtask, created (ready) if the log never announced it (imported logs may not)."""
    t = s.tasks.get(tid)
    if t is None:
        t = s.tasks[tid] = Task(tid, state="ready")
        s.total_work += t.work
    return t


def _credit(a: Agent | None) -> None:
    """The turn of the agent's last reply wrote or completed something: its call time counts as busy."""
    if a is not None and a.pending_s is not None:
        a.busy_s += a.pending_s
        a.pending_s = None


# -- the run ---------------------------------------------------------------------------------------


def started(s: RunFacts, e: ev.RunStarted) -> None:
    s.started = e
    s.agents = {n: Agent(n, r) for n, r in zip(e.agents, e.roles, strict=True)}
    s.matrix = {n: dict.fromkeys(e.agents, 0) for n in e.agents}
    s.tasks = {t.id: Task(t.id, tuple(t.depends_on), t.work, t.file) for t in e.tasks}
    s.dependents = {}
    s.total_work = sum(t.work for t in s.tasks.values())
    for t in s.tasks.values():
        deps = [d for d in dict.fromkeys(t.depends_on) if d in s.tasks]
        for d in deps:
            s.dependents.setdefault(d, []).append(t.id)
        t.waiting = len(deps)
        t.state = "blocked" if deps else "ready"


def finished(s: RunFacts, e: ev.RunFinished) -> None:
    s.finished = e
    for a in s.agents.values():
        a.in_call_since = None
    incident(s, Incident(e.seq, e.t, "end", cause=e.status, note=e.reason))


def round_started(s: RunFacts, e: ev.RoundStarted) -> None:
    if not s.rounds_mode:  # what came before the first round is its round 0: fold the async history into it
        s.rounds_mode = True
        for at in s.attempts:
            _writer(s, at.path, at.agent)
            if at.wrote:
                s.first_written.setdefault(at.path, 0)
        s.attempts, s.latencies = [], []
    if e.round != s.round:
        s.concurrent_closed += sum(1 for agents in s.window_writers.values() if len(agents) >= 2)
        s.window_writers = {}
    s.round, s.waiting_on = e.round, e.waiting_on
    s.max_round = max(s.max_round, e.round)


def _writer(s: RunFacts, path: str, agent: str) -> None:
    agents = s.window_writers.setdefault(path, [])
    if agent not in agents:
        agents.append(agent)


# -- LLM calls ---------------------------------------------------------------------------------------


def call_started(s: RunFacts, e: ev.LLMCallStarted) -> None:
    a = s.agents.get(e.agent)
    if a is not None:
        a.in_call_since, a.restarting, a.pending_s = e.t, False, None


def call_completed(s: RunFacts, e: ev.LLMCallCompleted) -> None:
    s.replies += 1
    if e.tokens_estimated:  # never summed with the server's counts
        s.est_tokens_in += e.tokens_in
        s.est_tokens_out += e.tokens_out
        s.estimated_calls += 1
    else:
        s.tokens_in += e.tokens_in
        s.tokens_out += e.tokens_out
    r = s.by_round.get(e.round)
    if r is None:
        r = s.by_round[e.round] = RoundReplies()
    r.count += 1
    r.total += e.latency
    r.slowest = max(r.slowest, e.latency)
    if LATENCY_WINDOW[0] < e.latency < LATENCY_WINDOW[1]:
        r.windowed += 1
        r.windowed_total += e.latency
        r.windowed_slowest = max(r.windowed_slowest, e.latency)
    if not s.rounds_mode:
        s.latencies.append(e.latency)
    priced = e.cost_usd is not None
    if priced:
        s.cost = (s.cost or 0.0) + (e.cost_usd or 0.0)
    elif s.started is not None and s.started.model != "sim":
        s.unpriced += 1
    a = s.agents.get(e.agent)
    if a is None:
        return
    a.in_call_since, a.acted_at, a.pending_s = None, e.t, e.latency
    a.calls += 1
    a.last_latency = e.latency
    if e.tokens_estimated:
        a.est_tokens_in += e.tokens_in
        a.est_tokens_out += e.tokens_out
    else:
        a.tokens_in += e.tokens_in
        a.tokens_out += e.tokens_out
    if priced:
        a.cost = (a.cost or 0.0) + (e.cost_usd or 0.0)
    elif s.started is not None and s.started.model != "sim":
        a.unpriced += 1


def call_ended(s: RunFacts, e: ev.LLMCallFailed | ev.LLMCallAbandoned) -> None:
    a = s.agents.get(e.agent)
    if isinstance(e, ev.LLMCallFailed):
        s.failed_calls += 1
        if a is not None:
            a.failed_calls += 1
    if a is not None:
        a.in_call_since = None


def reply_rejected(s: RunFacts, e: ev.ReplyRejected) -> None:
    s.rejected_replies += 1


# -- messages --------------------------------------------------------------------------------------


def sent(s: RunFacts, e: ev.MessageSent) -> None:
    row = s.matrix.setdefault(e.agent, {})
    for dst in e.to:
        row[dst] = row.get(dst, 0) + 1
    n = len(e.to)
    s.sent += n
    s.by_topic[e.topic] = s.by_topic.get(e.topic, 0) + n
    a = s.agents.get(e.agent)
    if a is not None:
        a.sent += n


def delivered(s: RunFacts, e: ev.MessageDelivered) -> None:
    s.delivered += 1


def dropped(s: RunFacts, e: ev.MessageDropped) -> None:
    s.dropped += 1


# -- the board -------------------------------------------------------------------------------------


def claimed(s: RunFacts, e: ev.TaskClaimed) -> None:
    t = _task(s, e.task)
    t.reclaimed = t.reclaimed or bool(e.reclaimed_from) or t.holder not in ("", e.agent)
    t.holder, t.failed = e.agent, False
    if t.state != "done":
        t.state = "claimed"
    a = s.agents.get(e.agent)
    if a is not None:
        a.task = e.task
    if e.task in s.awaiting_reclaim:
        failures.claimed(s, e)


def assigned(s: RunFacts, e: ev.TaskAssigned) -> None:
    _task(s, e.task).assigned = e.to


def released(s: RunFacts, e: ev.TaskReleased | ev.LeaseExpired) -> None:
    t = _task(s, e.task)
    holder, t.holder, t.reclaimed = t.holder, "", True
    if t.state != "done":
        t.state = "ready" if t.waiting == 0 else "blocked"
    a = s.agents.get(holder)
    if a is not None and a.task == e.task:
        a.task = ""
    if isinstance(e, ev.LeaseExpired):
        incident(s, Incident(e.seq, e.t, "lease", e.agent, subject=e.task, other=e.holder))


def completed(s: RunFacts, e: ev.TaskCompleted) -> None:
    t = _task(s, e.task)
    s.done += 1
    t.completer, t.holder, t.failed = e.agent, "", False
    if t.state != "done":
        t.state = "done"
        s.done_work += t.work
        for d in s.dependents.get(e.task, ()):
            dep = s.tasks[d]
            dep.waiting -= 1
            if dep.waiting == 0 and dep.state == "blocked":
                dep.state = "ready"
    a = s.agents.get(e.agent)
    if a is not None:
        a.done += 1
        if a.task == e.task:
            a.task = ""
    _credit(a)
    b = min(int(e.t // BIN_S), MAX_BINS - 1)  # a run time past the last bin counts in it: memory stays bounded
    if b >= len(s.throughput):
        s.throughput.extend([0] * (b + 1 - len(s.throughput)))
    s.throughput[b] += 1
    s.completed_in[s.round] = s.completed_in.get(s.round, 0) + 1
    failures.completed(s, e)


def blocked(s: RunFacts, e: ev.ClaimBlocked) -> None:
    s.claims_blocked += 1


def rejected(s: RunFacts, e: ev.CompletionRejected) -> None:
    if e.task in s.tasks:
        s.tasks[e.task].failed = True


# -- the workspace ---------------------------------------------------------------------------------


def _attempt(s: RunFacts, e: ev.Event, path: str, wrote: bool) -> None:
    if s.rounds_mode:
        _writer(s, path, e.agent)
        if wrote:
            first = s.first_written.setdefault(path, s.round)
            if s.round > first:
                s.round_rewrites += 1
    else:
        s.attempts.append(Attempt(e.t, path, e.agent, wrote))


def written(s: RunFacts, e: ev.FileWritten) -> None:
    a = s.agents.get(e.agent)
    if a is not None:
        a.acted_at = e.t
        work = s.tasks[e.task].work if e.task in s.tasks else 0.0
        if work > 0 and a.last_latency > 0:
            s.unit_times.append(a.last_latency / work)
            if len(s.unit_times) > 2 * UNIT_TIMES:
                del s.unit_times[:-UNIT_TIMES]
    _credit(a)
    if e.task:
        by_agent = s.writes.setdefault(e.task, {})
        by_agent[e.agent] = by_agent.get(e.agent, 0) + 1
    _attempt(s, e, e.path, True)


def tests_ran(s: RunFacts, e: ev.TestsRan) -> None:
    if e.exit_code in (1, 2, 3):
        s.test_failures += 1
    if not e.passed and e.task in s.tasks:
        s.tasks[e.task].failed = True


def conflict_of(e: ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied) -> Incident:
    """The incident a conflict event records (also what the agent's pane says about it)."""
    if isinstance(e, ev.ClaimConflicted):
        return Incident(e.seq, e.t, "conflict", e.agent, cause="claim", subject=e.task, other=e.holder)
    if isinstance(e, ev.WriteConflicted):
        return Incident(e.seq, e.t, "conflict", e.agent, cause="write", subject=e.path, other=e.last_writer,
                        value=float(e.base_version), ref=float(e.current_version), note=e.outcome)
    return Incident(e.seq, e.t, "conflict", e.agent, cause="lock", subject=e.path, other=e.holder)


def claim_conflict(s: RunFacts, e: ev.ClaimConflicted) -> None:
    s.claim_conflicts += 1
    incident(s, conflict_of(e))


def write_conflict(s: RunFacts, e: ev.WriteConflicted) -> None:
    s.write_conflicts += 1
    incident(s, conflict_of(e))
    if e.outcome != "overwrote":
        _attempt(s, e, e.path, False)


def lock_denied(s: RunFacts, e: ev.LockDenied) -> None:
    s.lock_denied += 1
    incident(s, conflict_of(e))
    _attempt(s, e, e.path, False)


HANDLERS: dict[type, Callable[[RunFacts, Any], None]] = {
    ev.RunStarted: started, ev.RunFinished: finished, ev.RoundStarted: round_started,
    ev.LLMCallStarted: call_started, ev.LLMCallCompleted: call_completed,
    ev.LLMCallFailed: call_ended, ev.LLMCallAbandoned: call_ended, ev.ReplyRejected: reply_rejected,
    ev.MessageSent: sent, ev.MessageDelivered: delivered, ev.MessageDropped: dropped,
    ev.TaskClaimed: claimed, ev.TaskAssigned: assigned, ev.TaskReleased: released, ev.LeaseExpired: released,
    ev.TaskCompleted: completed, ev.ClaimBlocked: blocked, ev.CompletionRejected: rejected,
    ev.WorkStranded: failures.stranded, ev.FileWritten: written, ev.TestsRan: tests_ran,
    ev.ClaimConflicted: claim_conflict, ev.WriteConflicted: write_conflict, ev.LockDenied: lock_denied,
    **dict.fromkeys((ev.AgentStalled, ev.AgentRecovered, ev.StragglerDetected, ev.StragglerCleared), failures.detector),
    **dict.fromkeys((ev.AgentKilled, ev.AgentRestarted, ev.AgentDelayed, ev.AgentDelayEnded, ev.AgentStallInjected,
                     ev.AgentResumed), failures.agent_fault),
    ev.FaultInjected: failures.fault, ev.NetworkPartitioned: failures.network, ev.NetworkHealed: failures.network,
    ev.LeaderElected: failures.leader,
}
