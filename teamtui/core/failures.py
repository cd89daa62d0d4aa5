"""How failures fold into a `RunFacts`: the failure detector's flags, faults and the team's recovery from them,
partitions, leader elections, stranded work — and the bounded list of incidents they make.

Used by `teamtui.core.fold`; the figures are defined in `teamtui.core.state`.
"""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.core.parts import Delay, Incident, Recovery, RunFacts

INCIDENTS = 1_000
"""The incidents list keeps at least this many of the latest (at most twice as many before it is trimmed)."""
BIN_S = 5.0
"""Width of the throughput and fault bins, in run seconds."""
MAX_BINS = 1_000_000
"""The bins' bound: 5,000,000 s of run time (58 days; the throughput list 8 MB at most); anything later counts in
the last bin, so a run time however large (a stored run from elsewhere) keeps memory and snapshots bounded."""
RECOVERABLE = ("kill", "stall", "delay")


def incident(s: RunFacts, inc: Incident) -> None:
    s.incidents.append(inc)
    s.incidents_rev += 1
    if len(s.incidents) > 2 * INCIDENTS:
        del s.incidents[:-INCIDENTS]


def claimed(s: RunFacts, e: ev.TaskClaimed) -> None:
    """Another agent claims work a faulty one held: note when, and close the recovery once all of it is."""
    waiting = s.awaiting_reclaim[e.task]
    for i in list(waiting):
        rec = s.recoveries[i]
        if rec.agent != e.agent:
            waiting.remove(i)
            rec.reclaimed[e.task] = e.t - rec.at
            if len(rec.reclaimed) == len(rec.held):
                _recovered(s, rec, e)
    if not waiting:
        del s.awaiting_reclaim[e.task]


def _recovered(s: RunFacts, rec: Recovery, e: ev.Event) -> None:
    took = rec.reclaim_s
    for inc in reversed(s.incidents):
        if inc.seq == rec.seq and inc.kind == "fault":
            inc.recovered_in = took
            break
    incident(s, Incident(e.seq, e.t, "recovery", rec.agent, cause="reclaimed", other=rec.fault, value=took))


def completed(s: RunFacts, e: ev.TaskCompleted) -> None:
    """A completion: the next one after every fault still waiting for one."""
    s.last_completion_t = e.t
    for i in s.awaiting_completion:
        s.recoveries[i].next_completion_s = e.t - s.recoveries[i].at
    s.awaiting_completion = []


def stranded(s: RunFacts, e: ev.WorkStranded) -> None:
    if s.stranded is None:
        s.stranded = e.tasks
    incident(s, Incident(e.seq, e.t, "stranded", e.agent, names=e.tasks, note=e.reason))


def detector(s: RunFacts, e: ev.Event) -> None:
    a = s.agents.get(e.agent)
    if isinstance(e, ev.AgentStalled):
        s.stalls += 1
        incident(s, Incident(e.seq, e.t, "stall", e.agent, value=e.since))
    elif isinstance(e, ev.AgentRecovered):
        incident(s, Incident(e.seq, e.t, "recovery", e.agent, cause="resumed", value=e.stalled_for))
    elif isinstance(e, ev.StragglerDetected):
        if e.agent not in s.stragglers:
            s.stragglers.append(e.agent)
        incident(s, Incident(e.seq, e.t, "straggler", e.agent, value=e.latency, ref=e.team_median))
    elif isinstance(e, ev.StragglerCleared):
        incident(s, Incident(e.seq, e.t, "recovery", e.agent, cause="caught_up", value=e.latency))
    if a is not None:
        if isinstance(e, ev.AgentStalled | ev.AgentRecovered):
            a.stalled = isinstance(e, ev.AgentStalled)
        else:
            a.straggler = isinstance(e, ev.StragglerDetected)


def fault(s: RunFacts, e: ev.FaultInjected) -> None:
    s.faults += 1
    b = min(int(e.t // BIN_S), MAX_BINS - 1)
    s.fault_bins[b] = s.fault_bins.get(b, 0) + 1
    incident(s, Incident(e.seq, e.t, "fault", e.agent, cause=e.fault, other=e.source, note=ev.params_text(e.params)))
    if e.fault not in RECOVERABLE or not e.agent:
        return
    held = tuple(t.id for t in s.tasks.values() if t.holder == e.agent)
    rec = Recovery(e.fault, e.agent, e.t, e.seq, held)
    i = len(s.recoveries)
    s.recoveries.append(rec)
    for tid in held:
        s.awaiting_reclaim.setdefault(tid, []).append(i)
    if s.last_completion_t is not None and s.last_completion_t >= e.t:  # a completion at this very moment
        rec.next_completion_s = s.last_completion_t - e.t
    else:
        s.awaiting_completion.append(i)


def agent_fault(s: RunFacts, e: ev.Event) -> None:
    a = s.agents.get(e.agent)
    if a is None:
        return
    if isinstance(e, ev.AgentKilled):
        a.alive, a.in_call_since, a.delay = False, None, None
        a.stalled = a.stall_injected = a.straggler = False
        if a.alive_since is not None:
            a.alive_s += e.t - a.alive_since
            a.alive_since = None
    elif isinstance(e, ev.AgentRestarted):
        a.alive, a.restarting, a.task, a.incarnation = True, True, "", e.incarnation
        if a.role == "lead" and any(b.role == "lead" for b in s.agents.values() if b is not a):
            a.role = "worker"  # a lead that died and was replaced comes back as a worker (as the engine has it)
        a.restarts += 1
        if a.alive_since is None:
            a.alive_since = e.t
    elif isinstance(e, ev.AgentDelayed):
        a.delay = Delay(e.factor, e.extra_s, e.duration)
    elif isinstance(e, ev.AgentDelayEnded):
        a.delay = None
    elif isinstance(e, ev.AgentStallInjected | ev.AgentResumed):
        a.stall_injected = isinstance(e, ev.AgentStallInjected)


def network(s: RunFacts, e: ev.Event) -> None:
    if isinstance(e, ev.NetworkPartitioned):
        s.partitioned = e.groups
        incident(s, Incident(e.seq, e.t, "partition", e.agent, names=tuple(",".join(g) for g in e.groups)))
    else:
        s.partitioned = ()
        incident(s, Incident(e.seq, e.t, "recovery", e.agent, cause="healed"))


def leader(s: RunFacts, e: ev.LeaderElected) -> None:
    for a in s.agents.values():
        if a.role == "lead" and a.alive:  # a dead lead keeps its label (it died as the lead) until it restarts
            a.role = "worker"
    if e.agent in s.agents:
        s.agents[e.agent].role = "lead"
    incident(s, Incident(e.seq, e.t, "recovery", e.agent, cause="elected", other=e.previous))
