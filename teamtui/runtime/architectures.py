"""Team architectures as a registry: who coordinates, how work is handed out, and what recovers a dead agent.

An `Architecture` says which roles a team of n has, whether work is assigned before the run (and how),
whether claims are leases that expire, and which undone subtasks can still be finished given who is
alive (`unreachable`), so a run whose remaining work is stranded ends instead of hanging. The agents'
behaviour in each role lives in the LLM backend (the sim model, or a prompt for a real model).

Register another one with `register(Architecture(...))`; scenario validation reads this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class TaskLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def work(self) -> float: ...

    @property
    def depends_on(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Architecture:
    """One way of organising a team."""

    name: str
    description: str
    roles: Callable[[int], list[str]]
    min_size: int = 1
    leases: bool = False
    """Claims expire unless renewed, so a dead agent's work becomes claimable again."""
    preassign: bool = False
    """Subtasks are assigned to workers before the run starts."""
    has_lead: bool = False
    aliases: tuple[str, ...] = field(default=())


def _all(role: str) -> Callable[[int], list[str]]:
    return lambda n: [role] * n


ARCHITECTURES: dict[str, Architecture] = {}


def register(arch: Architecture) -> Architecture:
    ARCHITECTURES[arch.name] = arch
    return arch


register(Architecture(
    "preassigned", "work is split programmatically before the run, respecting the DAG (the paper's centralized "
    "condition); no recovery from a dead worker", _all("worker"), preassign=True))
register(Architecture(
    "lead", "a lead agent assigns ready subtasks as it goes and reassigns a failed worker's work",
    lambda n: ["lead"] + ["worker"] * (n - 1), min_size=2, has_lead=True))
register(Architecture(
    "decentralized", "no lead: agents announce, claim and release subtasks themselves; claims are leases",
    _all("peer"), leases=True))


def preassign(tasks: Sequence[TaskLike], workers: Sequence[str]) -> dict[str, str]:
    """The paper harness's pre-assignment: subtasks in depth-first topological order (declaration order
    among equals); a subtask whose last dependency is assigned goes to that dependency's worker, so a chain
    stays on one worker; every other subtask goes to the next worker round-robin. The chain's worker also
    gets its round-robin share, which is why pre-assigned teams land near, not above, Amdahl's bound."""
    by_id = {t.id: t for t in tasks}
    order: list[str] = []
    seen: set[str] = set()

    def visit(tid: str) -> None:
        if tid in seen:
            return
        seen.add(tid)
        for dep in by_id[tid].depends_on:
            visit(dep)
        order.append(tid)

    for t in tasks:
        visit(t.id)
    owner: dict[str, str] = {}
    rr = 0
    for tid in order:
        deps = by_id[tid].depends_on
        if deps and deps[-1] in owner:
            owner[tid] = owner[deps[-1]]
        else:
            owner[tid] = workers[rr % len(workers)]
            rr += 1
    return owner


def unreachable(arch: Architecture, deps: Mapping[str, Sequence[str]], undone: Sequence[str],
                owner: Mapping[str, str], alive: set[str], lead_alive: bool, failover: bool) -> set[str]:
    """Undone subtasks no living agent will ever do (and everything that depends on them)."""
    if not alive:
        return set(undone)
    dead_end: set[str] = set()
    if arch.preassign or (arch.has_lead and not lead_alive and not failover):
        dead_end = {t for t in undone if owner.get(t, "") not in alive}
    changed = True
    while changed:
        changed = False
        for t in undone:
            if t not in dead_end and any(d in dead_end for d in deps[t]):
                dead_end.add(t)
                changed = True
    return dead_end
