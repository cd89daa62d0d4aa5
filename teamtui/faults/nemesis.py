"""The nemesis: applies faults to a running engine, from the scenario's `[[faults]]` schedule or live.

Every fault is first recorded as `FaultInjected` (with its source: schedule or user), then as the
specific change it made (`AgentKilled`, `AgentDelayed`, `NetworkPartitioned`, ...), so a replay shows
both the intent and its effect. Faults with `seconds` undo themselves when that time has passed (their
timers run in the engine's task group, so a failing one fails the run). A fault aimed at an agent that
cannot take it (killing the dead) is recorded and has no effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

from teamtui.core import events as ev
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
    SlowNetwork,
    Stall,
    Undelay,
)

if TYPE_CHECKING:
    from teamtui.runtime.engine import Engine

DEFAULT_DELAY_FACTOR = 3.0


class Nemesis:
    """See the module docstring."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        faults = engine.scenario.faults
        self.timed = sorted((s for s in faults if s.at is not None), key=lambda s: s.at or 0.0)
        self.by_round: dict[int, list[Fault]] = {}
        for s in faults:
            if s.round is not None:
                self.by_round.setdefault(s.round, []).append(s.fault)
        engine.pending_restarts = sum(1 for s in faults if isinstance(s.fault, Restart))

    async def run(self) -> None:
        for s in self.timed:
            delay = (s.at or 0.0) - self.engine.clock.now()
            if delay > 0:
                await self.engine.clock.sleep(delay)
            self.apply(s.fault, "schedule")

    def at_round(self, rnd: int) -> None:
        for fault in self.by_round.pop(rnd, []):
            self.apply(fault, "schedule")

    def apply(self, fault: Fault, source: str) -> None:
        eng = self.engine
        if eng.finished:
            return
        eng.emit(ev.FaultInjected(agent=fault.target, fault=fault.action, source=source, params=fault.params))
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
