"""One run's metrics in one frozen record: the paper's, teamtui's own, and speedup against baselines.

`summarize(events, baseline=None, fault_free=None)` composes every checker over one event list.
`baseline` is the event list of a 1-agent run of the same task and seed (for speedup and efficiency);
`fault_free` is the same scenario and seed without faults (for the fault cost). Both are optional, and
the corresponding fields are None without them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teamtui.core import events as ev
from teamtui.metrics.paper import PaperMetrics, paper_metrics
from teamtui.metrics.team import (
    Recovery,
    idle_fractions,
    message_matrix,
    messages_by_topic,
    recoveries,
    work_waste,
)
from teamtui.scenario.tasks import Subtask, TaskGraph, amdahl


@dataclass(frozen=True)
class RunMetrics:
    scenario: str
    architecture: str
    execution: str
    agents: int
    workers: int
    status: str
    success: bool
    makespan: float
    subtasks: int
    done: int
    p: float
    p_work: float
    amdahl_bound: float
    dag_bound: float
    speedup: float | None
    efficiency: float | None
    baseline_makespan: float | None
    paper: PaperMetrics
    messages_sent: int
    messages_delivered: int
    messages_dropped: int
    messages_per_subtask: float
    messages_by_topic: dict[str, int]
    message_matrix: dict[str, dict[str, int]]
    claim_conflicts: int
    write_conflicts: int
    lock_denied: int
    duplicate_work: int
    rework: int
    idle_fraction: float
    idle_by_agent: dict[str, float]
    stalls: int
    stragglers: tuple[str, ...]
    faults: int
    recoveries: tuple[Recovery, ...]
    fault_cost: float | None
    stranded: tuple[str, ...]
    cost_usd: float | None
    """Sum of the calls whose price is known; None when none is (the sim, or a model litellm cannot price)."""
    cost_by_agent: dict[str, float | None] = dataclasses.field(default_factory=dict)
    unpriced_calls: int = 0
    """Real-model calls whose cost is unknown (not counted in cost_usd: unknown, not free)."""
    failed_calls: int = 0
    rejected_replies: int = 0
    """Parts of model replies outside the protocol (each one a ReplyRejected event)."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def graph_of(start: ev.RunStarted) -> TaskGraph:
    """The task DAG as announced in a run's first event."""
    return TaskGraph(name=start.scenario, subtasks=tuple(
        Subtask(id=t.id, file=t.file, depends_on=tuple(t.depends_on), work=t.work) for t in start.tasks))


def makespan(events: Sequence[ev.Event]) -> float:
    end = next((e for e in reversed(events) if isinstance(e, ev.RunFinished)), None)
    return end.makespan if end else (events[-1].t if events else 0.0)


def summarize(events: Sequence[ev.Event], baseline: Sequence[ev.Event] | None = None,
              fault_free: Sequence[ev.Event] | None = None) -> RunMetrics:
    if not events or not isinstance(events[0], ev.RunStarted):
        raise ValueError("an event list must begin with RunStarted")
    start = events[0]
    end = next((e for e in reversed(events) if isinstance(e, ev.RunFinished)), None)
    graph = graph_of(start)
    workers = sum(1 for r in start.roles if r != "lead") or 1
    p = start.p if start.p is not None else graph.p
    span = makespan(events)
    done = sum(1 for e in events if isinstance(e, ev.TaskCompleted))
    status = end.status if end else "running"
    success = status == "completed"
    base_span = makespan(baseline) if baseline else None
    speedup = base_span / span if base_span and span > 0 and success else None
    sent = [e for e in events if isinstance(e, ev.MessageSent)]
    deliveries = sum(len(e.to) for e in sent)
    idle = idle_fractions(events)
    duplicate, rework = work_waste(events)
    costs = [e.cost_usd for e in events if isinstance(e, ev.LLMCallCompleted)]
    known = [c for c in costs if c is not None]
    fault_cost = None
    if fault_free is not None and any(isinstance(e, ev.FaultInjected) for e in events):
        fault_cost = span - makespan(fault_free)
    return RunMetrics(
        scenario=start.scenario, architecture=start.architecture, execution=start.execution,
        agents=len(start.agents), workers=workers, status=status, success=success, makespan=span,
        subtasks=len(start.tasks), done=done, p=p, p_work=graph.p_work, amdahl_bound=amdahl(p, workers),
        dag_bound=min(graph.dag_bound, float(workers)) if workers else 1.0,
        speedup=speedup, efficiency=speedup / workers if speedup is not None else None,
        baseline_makespan=base_span, paper=paper_metrics(events),
        messages_sent=deliveries,
        messages_delivered=sum(1 for e in events if isinstance(e, ev.MessageDelivered)),
        messages_dropped=sum(1 for e in events if isinstance(e, ev.MessageDropped)),
        messages_per_subtask=deliveries / len(start.tasks) if start.tasks else 0.0,
        messages_by_topic=messages_by_topic(events), message_matrix=message_matrix(events),
        claim_conflicts=sum(1 for e in events if isinstance(e, ev.ClaimConflicted)),
        write_conflicts=sum(1 for e in events if isinstance(e, ev.WriteConflicted)),
        lock_denied=sum(1 for e in events if isinstance(e, ev.LockDenied)),
        duplicate_work=duplicate, rework=rework,
        idle_fraction=sum(idle.values()) / len(idle) if idle else 0.0, idle_by_agent=idle,
        stalls=sum(1 for e in events if isinstance(e, ev.AgentStalled)),
        stragglers=tuple(dict.fromkeys(e.agent for e in events if isinstance(e, ev.StragglerDetected))),
        faults=sum(1 for e in events if isinstance(e, ev.FaultInjected)),
        recoveries=tuple(recoveries(events)), fault_cost=fault_cost,
        stranded=next((e.tasks for e in events if isinstance(e, ev.WorkStranded)), ()),
        cost_usd=sum(known) if known else None, cost_by_agent=_cost_by_agent(events),
        unpriced_calls=len(costs) - len(known) if start.model != "sim" else 0,
        failed_calls=sum(1 for e in events if isinstance(e, ev.LLMCallFailed)),
        rejected_replies=sum(1 for e in events if isinstance(e, ev.ReplyRejected)),
    )


def _cost_by_agent(events: Sequence[ev.Event]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for e in events:
        if isinstance(e, ev.LLMCallCompleted):
            prev = out.get(e.agent)
            out[e.agent] = prev if e.cost_usd is None else (prev or 0.0) + e.cost_usd
    return out
