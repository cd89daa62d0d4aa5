"""The nemesis: applies faults to a running engine, from the scenario's `[[faults]]` schedule or live.

Every fault is first recorded as `FaultInjected` (with its source: schedule or user), then as the
specific change it made (`AgentKilled`, `AgentDelayed`, `NetworkPartitioned`, ...), so a replay shows
both the intent and its effect. Faults with `seconds` undo themselves when that time has passed (their
timers run in the engine's task group, so a failing one fails the run). A fault aimed at an agent that
cannot take it (killing the dead) is recorded and has no effect.

A scheduled fault aimed by a selector (`Scheduled.aim`: holder, lead, ...) is resolved when it fires, from the
board and the nemesis's own per-agent counters (`teamtui.core.aim.resolve`); `FaultInjected.aim` and `.why` record
what was picked and why. `when = "holding"` waits (in a task of its own, so later faults keep their times) for
the board to change until the target holds a subtask, at most `timeout_s`; a fault that cannot fire is recorded
as `FaultSkipped` with the reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

from teamtui.core import aim as aiming
from teamtui.core import events as ev
from teamtui.core.clock import wait_for
from teamtui.core.faults import (
    Delay,
    Drop,
    Duplicate,
    Fault,
    Heal,
    Kill,
    Partition,
    Restart,
    Resume,
    Scheduled,
    SlowNetwork,
    Stall,
    Undelay,
)

if TYPE_CHECKING:
    from teamtui.runtime.engine import Engine

DEFAULT_DELAY_FACTOR = 3.0


def _at(fault: Fault, agent: str) -> Fault:
    """The fault aimed at `agent` (a scheduled fault aimed by a selector holds a placeholder until it fires)."""
    out: Fault = dataclasses.replace(fault, agent=agent)  # type: ignore[arg-type]  # every aimed fault has `agent`
    return out


class Nemesis:
    """See the module docstring."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        faults = engine.scenario.faults
        self.timed = sorted((s for s in faults if s.at is not None), key=lambda s: s.at or 0.0)
        self.by_round: dict[int, list[Scheduled]] = {}
        for s in faults:
            if s.round is not None:
                self.by_round.setdefault(s.round, []).append(s)
        engine.pending_restarts = sum(1 for s in faults if isinstance(s.fault, Restart))
        self.completed: dict[str, int] = {}
        self.latency: dict[str, tuple[float, int]] = {}
        """Per agent: subtasks completed, and (total latency, calls) of its completed LLM calls."""
        self.draws = 0
        self.board_changed = asyncio.Event()
        engine.on(self._count)

    def _count(self, e: ev.Event) -> None:
        if isinstance(e, ev.TaskCompleted):
            self.completed[e.agent] = self.completed.get(e.agent, 0) + 1
        elif isinstance(e, ev.LLMCallCompleted):
            total, n = self.latency.get(e.agent, (0.0, 0))
            self.latency[e.agent] = (total + e.latency, n + 1)
        if isinstance(e, ev.TaskClaimed | ev.TaskAssigned | ev.AgentRestarted | ev.LeaderElected):
            self.board_changed.set()

    async def run(self) -> None:
        for s in self.timed:
            delay = (s.at or 0.0) - self.engine.clock.now()
            if delay > 0:
                await self.engine.clock.sleep(delay)
            self.fire(s)

    def at_round(self, rnd: int) -> None:
        for s in self.by_round.pop(rnd, []):
            self.fire(s)

    # -- aiming ------------------------------------------------------------------------------------

    def team(self) -> list[aiming.Member]:
        """The team as a selector sees it now (`teamtui.core.aim.Member`s, in team order)."""
        eng = self.engine
        out = []
        for name, st in eng.agents.items():
            held = tuple(eng.board.held_by(name))
            total, calls = self.latency.get(name, (0.0, 0))
            out.append(aiming.Member(name, "lead" if name == eng.lead else st.role, st.alive, held,
                                     sum(eng.board.tasks[t].work for t in held), self.completed.get(name, 0),
                                     total / calls if calls else None))
        return out

    def aim(self, target: str, holding: bool = False) -> aiming.Aimed:
        """Resolve a selector (or a name) now; each `random` pick takes the run's next seeded draw."""
        draw = 0.0
        if target == "random":
            draw = aiming.seeded_draw(self.engine.scenario.seed, self.draws)
            self.draws += 1
        return aiming.resolve(target, self.team(), holding=holding, draw=draw)

    def fire(self, s: Scheduled, source: str = "schedule") -> None:
        """Apply a scheduled fault: at once, or (`when = "holding"`) once its target holds a subtask."""
        if not s.aim and s.when == "now":
            self.apply(s.fault, source)
            return
        if s.when == "holding":
            if not self._try(s, source):
                self.engine.spawn(self._wait_holding(s, source))
            return
        aimed = self.aim(s.aim)
        if aimed.agent:
            self.apply(_at(s.fault, aimed.agent), source, aim=s.aim, why=aimed.why)
        elif not self.engine.finished:
            self.engine.emit(ev.FaultSkipped(fault=s.fault.action, source=source, aim=s.aim, reason=aimed.why))

    def _try(self, s: Scheduled, source: str) -> bool:
        aimed = self.aim(s.aim or s.fault.target, holding=True)
        if not aimed.agent:
            return False
        why = aimed.why if s.aim else f"{aimed.why}; waited for it to hold work"
        self.apply(_at(s.fault, aimed.agent), source, aim=s.aim, why=why)
        return True

    async def _wait_holding(self, s: Scheduled, source: str) -> None:
        eng = self.engine
        deadline = eng.clock.now() + (s.timeout_s or aiming.DEFAULT_TIMEOUT_S)
        while not eng.finished:
            left = deadline - eng.clock.now()
            if left <= 0:
                target = s.aim or s.fault.target
                eng.emit(ev.FaultSkipped(agent="" if s.aim else target, fault=s.fault.action, source=source,
                                         aim=s.aim, reason=f"gave up after {s.timeout_s or aiming.DEFAULT_TIMEOUT_S:g}"
                                                           f"s: {self.aim(target, holding=True).why}"))
                return
            self.board_changed.clear()
            await wait_for(eng.clock, self.board_changed.wait(), left)
            if not eng.finished and self._try(s, source):
                return

    def apply(self, fault: Fault, source: str, aim: str = "", why: str = "") -> None:
        eng = self.engine
        if eng.finished:
            return
        eng.emit(ev.FaultInjected(agent=fault.target, fault=fault.action, source=source, params=fault.params,
                                  aim=aim, why=why))
        if source == "schedule" and isinstance(fault, Restart):
            eng.pending_restarts = max(0, eng.pending_restarts - 1)
        match fault:
            case Kill(agent=name):
                self._kill(name)
            case Restart(agent=name):
                self._restart(name)
            case Delay():
                self._delay(fault)
            case Undelay(agent=name):
                self._end_delay(name, eng.agents[name].incarnation)
            case Stall(agent=name, seconds=seconds):
                self._stall(name, seconds)
            case Resume(agent=name):
                self._unstall(name, eng.agents[name].incarnation)
            case Partition():
                self._partition(fault)
            case Heal():
                self._heal()
            case Drop(rate=rate, seconds=seconds):
                self._link(drop=rate, seconds=seconds)
            case Duplicate(rate=rate, seconds=seconds):
                self._link(duplicate=rate, seconds=seconds)
            case SlowNetwork(latency_s=latency, seconds=seconds):
                self._link(extra=latency, seconds=seconds)
            case _:
                assert_never(fault)
        eng.check_end()

    # -- agent faults ------------------------------------------------------------------------------

    def _kill(self, name: str) -> None:
        eng = self.engine
        st = eng.agents[name]
        if not st.alive:
            return
        st.alive = False
        st.cancel_reason = "agent killed"
        held = tuple(eng.board.held_by(st.name))
        eng.emit(ev.AgentKilled(agent=st.name, held=held))
        for task in (st.turn, st.loop):
            if task is not None:
                task.cancel()
        st.inbox.clear()
        st.resumed.set()

    def _restart(self, name: str) -> None:
        eng = self.engine
        st = eng.agents[name]
        if st.alive:
            self._kill(name)
        st.alive = True
        st.incarnation += 1
        st.cancel_reason = ""
        st.stall_flagged = st.straggler = False
        st.delay_factor, st.delay_extra = 1.0, 0.0
        st.last_seen = eng.clock.now()
        st.feedback.clear()
        eng.backend.forget(st.name)
        eng.emit(ev.AgentRestarted(agent=st.name, incarnation=st.incarnation))
        if eng.scenario.execution == "async":
            from teamtui.runtime.executions import start_loop
            start_loop(eng, st)

    def _delay(self, f: Delay) -> None:
        eng = self.engine
        st = eng.agents[f.agent]
        if not st.alive:
            return
        factor = f.factor if f.factor is not None else (1.0 if f.latency_s else DEFAULT_DELAY_FACTOR)
        st.delay_factor, st.delay_extra = factor, f.latency_s or 0.0
        eng.emit(ev.AgentDelayed(agent=st.name, factor=factor, extra_s=st.delay_extra, duration=f.seconds))
        if f.seconds is not None:
            name, incarnation = st.name, st.incarnation
            self._later(f.seconds, lambda: self._end_delay(name, incarnation))

    def _end_delay(self, name: str, incarnation: int) -> None:
        st = self.engine.agents[name]
        if st.incarnation == incarnation and (st.delay_factor != 1.0 or st.delay_extra):
            st.delay_factor, st.delay_extra = 1.0, 0.0
            self.engine.emit(ev.AgentDelayEnded(agent=name))

    def _stall(self, name: str, seconds: float | None) -> None:
        eng = self.engine
        st = eng.agents[name]
        if not st.alive:
            return
        st.resumed.clear()
        eng.emit(ev.AgentStallInjected(agent=st.name, duration=seconds))
        if seconds is not None:
            incarnation = st.incarnation
            self._later(seconds, lambda: self._unstall(name, incarnation))

    def _unstall(self, name: str, incarnation: int) -> None:
        st = self.engine.agents[name]
        if st.incarnation == incarnation and not st.resumed.is_set():
            st.resumed.set()
            self.engine.emit(ev.AgentResumed(agent=name))

    # -- network faults ----------------------------------------------------------------------------

    def _partition(self, f: Partition) -> None:
        eng = self.engine
        groups = [set(g) for g in f.groups] if f.groups else [{f.agent}]
        rest = set(eng.agents) - set().union(*groups)
        if rest:
            groups.append(rest)
        eng.network.partition(groups)
        eng.emit(ev.NetworkPartitioned(groups=tuple(tuple(n for n in eng.agents if n in g) for g in groups)))
        if f.seconds is not None:
            self._later(f.seconds, self._heal)

    def _heal(self) -> None:
        eng = self.engine
        if eng.network.groups:
            eng.network.heal()
            eng.emit(ev.NetworkHealed())

    def _link(self, drop: float | None = None, duplicate: float | None = None, extra: float | None = None,
              seconds: float | None = None) -> None:
        net = self.engine.network
        before = (net.drop, net.duplicate, net.extra_latency)
        net.drop = before[0] if drop is None else drop
        net.duplicate = before[1] if duplicate is None else duplicate
        net.extra_latency = before[2] if extra is None else extra
        self.engine.emit(ev.LinkFaultSet(drop=net.drop, duplicate=net.duplicate, extra_latency=net.extra_latency))
        if seconds is not None:
            self._later(seconds, lambda: self._link(*before))

    def _later(self, seconds: float, undo: Callable[[], None]) -> None:
        """Undo a fault after `seconds` of run time (unless the run has finished by then)."""

        async def timer() -> None:
            await self.engine.clock.sleep(seconds)
            if not self.engine.finished:
                undo()

        self.engine.spawn(timer())
