"""The shared task board: subtask states, claims with optional leases, assignments and completions.

Invariants: a subtask is held by at most one agent; a claim is granted only when every dependency is
done (otherwise it is *blocked*) and nobody else holds it (otherwise it *conflicts*); a held subtask
whose lease ran out is released with `LeaseExpired` the next time anyone looks at the board. Every
decision is reported through `emit`, so the board itself has no other output.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from teamtui.core import events as ev
from teamtui.core.agent import TaskView
from teamtui.scenario.tasks import TaskGraph

Emit = Callable[[ev.Event], object]
"""Where the board reports its decisions (the engine's `emit`, which stamps and logs each event)."""


@dataclass
class TaskState:
    id: str
    depends_on: tuple[str, ...]
    work: float
    file: str
    spec: str
    done: bool = False
    holder: str = ""
    lease_until: float = math.inf
    assigned_to: str = ""
    held_by: list[str] = field(default_factory=list)
    """Every agent that ever held it, in order."""
    lost_by: str = ""
    """The last holder that lost it (killed, expired, reassigned): the next claim is a reclaim."""


class Board:
    """See the module docstring."""

    def __init__(self, graph: TaskGraph, emit: Emit, lease_s: float | None) -> None:
        self.tasks: dict[str, TaskState] = {
            st.id: TaskState(st.id, st.depends_on, st.work, st.file, st.spec) for st in graph.subtasks
        }
        self.order = list(self.tasks)
        self._emit = emit
        self.lease_s = lease_s
        self.by_file = {t.file: t.id for t in self.tasks.values() if t.file}
        self._earliest = math.inf
        """No lease runs out before this run time (a lower bound: renewals only push leases later)."""
        self._view: tuple[TaskView, ...] | None = None
        """The last `view()`, shared by every agent that observes before the board changes again."""

    # -- queries -----------------------------------------------------------------------------------

    def deps_done(self, tid: str) -> bool:
        return all(self.tasks[d].done for d in self.tasks[tid].depends_on)

    def undone(self) -> list[str]:
        return [t for t in self.order if not self.tasks[t].done]

    def all_done(self) -> bool:
        return all(t.done for t in self.tasks.values())

    def held_by(self, agent: str) -> list[str]:
        return [t for t in self.order if self.tasks[t].holder == agent and not self.tasks[t].done]

    def view(self) -> tuple[TaskView, ...]:
        if self._view is not None:
            return self._view
        out = []
        for tid in self.order:
            t = self.tasks[tid]
            state = ("done" if t.done else "claimed" if t.holder else "ready" if self.deps_done(tid) else "pending")
            out.append(TaskView(tid, state, t.holder, t.assigned_to, t.depends_on, t.work, t.file, t.spec))
        self._view = tuple(out)
        return self._view

    # -- changes -----------------------------------------------------------------------------------

    def expire(self, now: float) -> None:
        if now < self._earliest:  # called on every observation: most of the time nothing can be due
            return
        self._earliest = math.inf
        for tid in self.order:
            t = self.tasks[tid]
            if t.holder and not t.done and t.lease_until <= now:
                holder = t.holder
                t.holder, t.lease_until, t.lost_by = "", math.inf, holder
                self._view = None
                self._emit(ev.LeaseExpired(agent=holder, task=tid, holder=holder))
            elif t.holder and not t.done:
                self._earliest = min(self._earliest, t.lease_until)

    def renew(self, agent: str, now: float) -> None:
        if self.lease_s is None:
            return
        for tid in self.held_by(agent):
            self.tasks[tid].lease_until = now + self.lease_s

    def claim(self, agent: str, tid: str, now: float) -> bool:
        t = self.tasks[tid]
        if t.done:
            self._emit(ev.ClaimConflicted(agent=agent, task=tid, holder=""))
            return False
        if t.holder == agent:
            return True
        if t.holder:
            self._emit(ev.ClaimConflicted(agent=agent, task=tid, holder=t.holder))
            return False
        missing = tuple(d for d in t.depends_on if not self.tasks[d].done)
        if missing:
            self._emit(ev.ClaimBlocked(agent=agent, task=tid, missing=missing))
            return False
        t.holder = agent
        self._view = None
        t.lease_until = now + self.lease_s if self.lease_s is not None else math.inf
        self._earliest = min(self._earliest, t.lease_until)
        t.held_by.append(agent)
        reclaimed, t.lost_by = t.lost_by, ""
        self._emit(ev.TaskClaimed(agent=agent, task=tid, reclaimed_from=reclaimed))
        return True

    def release(self, agent: str, tid: str, reason: str) -> bool:
        t = self.tasks[tid]
        if not t.holder or t.done:
            return False
        holder = t.holder
        t.holder, t.lease_until = "", math.inf
        self._view = None
        if reason != "voluntary":
            t.lost_by = holder
        self._emit(ev.TaskReleased(agent=agent, task=tid, reason=reason))
        return True

    def assign(self, by: str, tid: str, to: str) -> None:
        t = self.tasks[tid]
        t.assigned_to = to
        self._view = None
        self._emit(ev.TaskAssigned(agent=by, task=tid, to=to))

    def complete(self, agent: str, tid: str) -> None:
        t = self.tasks[tid]
        t.done, t.holder, t.lease_until = True, agent, math.inf
        self._view = None
        self._emit(ev.TaskCompleted(agent=agent, task=tid))
