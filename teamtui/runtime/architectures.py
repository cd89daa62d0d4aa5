"""The engine's algorithms over a team architecture: the paper's pre-assignment, and which work is stranded.

`preassign` splits the DAG over the workers before the run (the paper harness's rule); `unreachable`
says which undone subtasks no living agent will ever do, so a run whose remaining work is stranded ends
instead of hanging. The architectures themselves (names, roles, flags) are vocabulary, in
`teamtui.scenario.architectures`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from teamtui.scenario.architectures import Architecture


class TaskLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def work(self) -> float: ...

    @property
    def depends_on(self) -> tuple[str, ...]: ...


def preassign(tasks: Sequence[TaskLike], workers: Sequence[str]) -> dict[str, str]:
    """The paper harness's pre-assignment: subtasks in depth-first topological order (declaration order
    among equals); a subtask whose last dependency is assigned goes to that dependency's worker, so a chain
    stays on one worker; every other subtask goes to the next worker round-robin. The chain's worker also
    gets its round-robin share, which is why pre-assigned teams land near, not above, Amdahl's bound."""
    by_id = {t.id: t for t in tasks}
    order: list[str] = []
    seen: set[str] = set()
    for t in tasks:  # post-order depth first, with a stack of its own (a chain of any length)
        if t.id in seen:
            continue
        seen.add(t.id)
        stack = [(t.id, iter(t.depends_on))]
        while stack:
            tid, pending = stack[-1]
            dep = next(pending, None)
            if dep is None:
                stack.pop()
                order.append(tid)
            elif dep not in seen:
                seen.add(dep)
                stack.append((dep, iter(by_id[dep].depends_on)))
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
    dependents: dict[str, list[str]] = {}
    for t in undone:
        for d in deps[t]:
            dependents.setdefault(d, []).append(t)
    frontier = list(dead_end)
    while frontier:  # everything downstream of a dead end, in time linear in the DAG
        for t in dependents.get(frontier.pop(), ()):
            if t not in dead_end:
                dead_end.add(t)
                frontier.append(t)
    return dead_end
