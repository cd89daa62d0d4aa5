"""One run's metrics in one frozen record, read from the run's `RunState` (the one reducer of `teamtui.core.state`).

`summarize(events, baseline=None, fault_free=None)` folds an event list and calls `metrics_of(state,
baseline_makespan, fault_free_makespan, baseline)`, which callers already holding a state (the monitor,
replay) use directly. `baseline` is the event list of a 1-agent run of the same task and seed (for speedup
and efficiency, and the coordination figures of Kim et al. 2025, `KimMetrics`); `fault_free` is the same
scenario and seed without faults (for the fault cost); the fields they feed are None without them. Every
figure is defined once, in `teamtui.core.state`; only the bounds that come from the task graph (p, Amdahl,
the DAG's) are computed here, by `bounds`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.scenario.tasks import Subtask, TaskGraph, amdahl


@dataclass(frozen=True)
class PaperMetrics:
    """The paper's per-run figures (DESIGN.md, "Metric definitions"); see `teamtui.core.state` for each."""

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
    round_gaps: tuple[float, ...] | None = None
    """Per round with two or more replies inside the paper's (0, 180) s latency window, slowest − mean (the
    rounds the paper pools for its straggler gap); None without rounds. Metrics stored before it have none."""
    tokens_in_estimated: int = 0
    tokens_out_estimated: int = 0
    """Tokens of the calls whose server sent no usage, estimated (not in tokens_in / tokens_out)."""


@dataclass(frozen=True)
class KimMetrics:
    """The coordination figures of Kim et al. 2025 ("Towards a science of scaling agent systems", arXiv
    2512.08296) that an event log supports, for one run against its 1-agent baseline run (None without one).

    turns = replies (completed LLM calls); coordination_overhead = turns / baseline_turns − 1 (a fraction:
    0.5 is Kim's 50 %); coordination_efficiency = success (1 or 0) / (turns / baseline_turns);
    error_amplification = failure (1 or 0) / the baseline's failure, defined only when the baseline failed
    (a rate ratio: over many runs it is the report's); message_density = agent-to-agent messages (per
    recipient) / turns, which needs no baseline."""

    turns: int
    baseline_turns: int | None = None
    coordination_overhead: float | None = None
    coordination_efficiency: float | None = None
    error_amplification: float | None = None
    message_density: float | None = None


def kim_of(state: RunState, baseline: RunState | None) -> KimMetrics:
    turns, success = state.replies, state.status == "completed"
    density = state.sent / turns if turns else None
    if baseline is None:
        return KimMetrics(turns, message_density=density)
    base = baseline.replies
    base_failed = baseline.status != "completed"
    ratio = turns / base if base else None
    return KimMetrics(
        turns, base, coordination_overhead=ratio - 1.0 if ratio is not None else None,
        coordination_efficiency=float(success) / ratio if ratio else None,
        error_amplification=float(not success) if base_failed else None, message_density=density)


@dataclass(frozen=True)
class Recovery:
    fault: str
    agent: str
    at: float
    held: tuple[str, ...]
    reclaim_s: float | None
    next_completion_s: float | None


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
    messages_per_subtask: float | None
    messages_by_topic: dict[str, int]
    message_matrix: dict[str, dict[str, int]]
    claim_conflicts: int
    write_conflicts: int
    lock_denied: int
    duplicate_work: int
    rework: int
    idle_fraction: float | None
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
    estimated_calls: int = 0
    """Calls whose server sent no usage: their tokens (and any cost made of them) are estimates."""
    kim: KimMetrics | None = None
    """Kim et al.'s coordination figures (`KimMetrics`); None only in metrics stored before them."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Bounds:
    """What the task graph allows: the parallel fraction p (the run's declared one, else the DAG's), p by work,
    Amdahl's bound 1 / ((1 - p) + p / n) for the run's workers, and the DAG's own bound."""

    p: float
    p_work: float
    amdahl: float
    dag: float


def graph_of(start: ev.RunStarted) -> TaskGraph:
    """The task DAG as announced in a run's first event."""
    return TaskGraph(name=start.scenario, subtasks=tuple(
        Subtask(id=t.id, file=t.file, depends_on=tuple(t.depends_on), work=t.work) for t in start.tasks))


def bounds(start: ev.RunStarted) -> Bounds:
    graph = graph_of(start)
    workers = sum(1 for r in start.roles if r != "lead") or 1
    p = start.p if start.p is not None else graph.p
    return Bounds(p, graph.p_work, amdahl(p, workers), min(graph.dag_bound, float(workers)))


def stored_baselines(stored: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """(baseline makespan, fault-free makespan) that stored metrics were computed with, so they can be again."""
    if not stored:
        return None, None
    base = stored.get("baseline_makespan")
    cost, span = stored.get("fault_cost"), stored.get("makespan")
    fault_free = span - cost if isinstance(cost, int | float) and isinstance(span, int | float) else None
    return (float(base) if isinstance(base, int | float) else None), fault_free


def makespan_of(events: Sequence[ev.Event]) -> float | None:
    """The makespan of a (baseline) event list; None for an empty one."""
    return RunState.of(events).makespan if events else None


def summarize(events: Sequence[ev.Event], baseline: Sequence[ev.Event] | None = None,
              fault_free: Sequence[ev.Event] | None = None) -> RunMetrics:
    if not events or not isinstance(events[0], ev.RunStarted):
        raise ValueError("an event list must begin with RunStarted")
    solo = RunState.of(baseline) if baseline else None
    return metrics_of(RunState.of(events), solo.makespan if solo is not None else None,
                      makespan_of(fault_free) if fault_free is not None else None, baseline=solo)


def metrics_of(state: RunState, baseline_makespan: float | None = None,
               fault_free_makespan: float | None = None, baseline: RunState | None = None) -> RunMetrics:
    """The run's metrics; `baseline` (the 1-agent run's state) feeds the Kim figures, `baseline_makespan` the
    speedup (callers holding only the stored makespan, such as replay, give that alone)."""
    start = state.started
    if start is None:
        raise ValueError("the run has not started: its log has no RunStarted")
    b = bounds(start)
    duplicate, rework = state.work_waste()
    return RunMetrics(
        scenario=start.scenario, architecture=start.architecture, execution=start.execution,
        agents=len(start.agents), workers=state.workers, status=state.status, success=state.status == "completed",
        makespan=state.makespan, subtasks=state.subtasks, done=state.done, p=b.p, p_work=b.p_work,
        amdahl_bound=b.amdahl, dag_bound=b.dag, speedup=state.speedup(baseline_makespan),
        efficiency=state.efficiency(baseline_makespan), baseline_makespan=baseline_makespan,
        paper=PaperMetrics(
            rounds=state.max_round, messages=state.replies, idle_rounds=state.idle_rounds(),
            straggler_gap=state.straggler_gap(), concurrent_writes=state.concurrent_writes(),
            rewrites=state.rewrites(), claims_blocked=state.claims_blocked, test_failures=state.test_failures,
            tokens_in=state.tokens_in, tokens_out=state.tokens_out, tokens_in_estimated=state.est_tokens_in,
            tokens_out_estimated=state.est_tokens_out,
            round_gaps=tuple(g) if (g := state.round_gaps()) is not None else None),
        messages_sent=state.sent, messages_delivered=state.delivered, messages_dropped=state.dropped,
        messages_per_subtask=state.messages_per_subtask, messages_by_topic=state.messages_by_topic(),
        message_matrix={src: dict(row) for src, row in state.matrix.items()},
        claim_conflicts=state.claim_conflicts, write_conflicts=state.write_conflicts, lock_denied=state.lock_denied,
        duplicate_work=duplicate, rework=rework,
        idle_fraction=state.idle_fraction(), idle_by_agent=state.idle_by_agent(),
        stalls=state.stalls, stragglers=tuple(state.stragglers), faults=state.faults,
        recoveries=tuple(Recovery(r.fault, r.agent, r.at, r.held, r.reclaim_s, r.next_completion_s)
                         for r in state.recoveries),
        fault_cost=state.fault_cost(fault_free_makespan), stranded=state.stranded or (),
        cost_usd=state.cost, cost_by_agent={n: a.cost for n, a in state.agents.items() if a.calls},
        unpriced_calls=state.unpriced, failed_calls=state.failed_calls, rejected_replies=state.rejected_replies,
        estimated_calls=state.estimated_calls,
        kim=kim_of(state, baseline),
    )
