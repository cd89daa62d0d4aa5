"""The nemesis: applies faults to a running engine, from the scenario's `[[faults]]` schedule or live.

Every fault is first recorded as `FaultInjected` (with its source: schedule or user), then as the
specific change it made (`AgentKilled`, `AgentDelayed`, `NetworkPartitioned`, ...), so a replay shows
both the intent and its effect. Faults with `seconds` undo themselves when that time has passed.
A fault aimed at an agent that cannot take it (killing the dead) is recorded and has no effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from teamtui.core import events as ev
from teamtui.scenario.spec import Fault

if TYPE_CHECKING:
    from teamtui.runtime.engine import Engine

DEFAULT_DELAY_FACTOR = 3.0


class Nemesis:
    """See the module docstring."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.timed = sorted((f for f in engine.scenario.faults if f.at is not None), key=lambda f: f.at or 0.0)
        self.by_round: dict[int, list[Fault]] = {}
        for f in engine.scenario.faults:
            if f.round is not None:
                self.by_round.setdefault(f.round, []).append(f)
        engine.pending_restarts = sum(1 for f in engine.scenario.faults if f.action == "restart")

    async def run(self) -> None:
        for fault in self.timed:
            delay = (fault.at or 0.0) - self.engine.clock.now()
            if delay > 0:
                await self.engine.clock.sleep(delay)
            self.apply(fault, "schedule")

    def at_round(self, rnd: int) -> None:
        for fault in self.by_round.pop(rnd, []):
            self.apply(fault, "schedule")

    def apply(self, f: Fault, source: str) -> None:
        eng = self.engine
        if eng.finished:
            return
        params: dict[str, Any] = {k: v for k, v in (("seconds", f.seconds), ("factor", f.factor), ("rate", f.rate),
                                                    ("latency_s", f.latency_s)) if v is not None}
        if f.groups:
            params["groups"] = [list(g) for g in f.groups]
        eng.emit(ev.FaultInjected(agent=f.agent, fault=f.action, source=source, params=params))
        if source == "schedule" and f.action == "restart":
            eng.pending_restarts = max(0, eng.pending_restarts - 1)
        handler = getattr(self, f"_{f.action}")
        handler(f)
        eng.check_end()

    # -- agent faults ------------------------------------------------------------------------------

    def _kill(self, f: Fault) -> None:
        eng = self.engine
        st = eng.agents[f.agent]
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

    def _restart(self, f: Fault) -> None:
        eng = self.engine
        st = eng.agents[f.agent]
        if st.alive:
            self._kill(f)
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

    def _delay(self, f: Fault) -> None:
        eng = self.engine
        st = eng.agents[f.agent]
        if not st.alive:
            return
        factor = f.factor if f.factor is not None else (1.0 if f.latency_s else DEFAULT_DELAY_FACTOR)
        st.delay_factor, st.delay_extra = factor, f.latency_s or 0.0
        eng.emit(ev.AgentDelayed(agent=st.name, factor=factor, extra_s=st.delay_extra, duration=f.seconds))
        if f.seconds is not None:
            eng.spawn(self._later(f.seconds, self._end_delay, st.name, st.incarnation))

    def _end_delay(self, name: str, incarnation: int) -> None:
        st = self.engine.agents[name]
        if st.incarnation == incarnation and (st.delay_factor != 1.0 or st.delay_extra):
            st.delay_factor, st.delay_extra = 1.0, 0.0
            self.engine.emit(ev.AgentDelayEnded(agent=name))

    def _stall(self, f: Fault) -> None:
        eng = self.engine
        st = eng.agents[f.agent]
        if not st.alive:
            return
        st.resumed.clear()
        eng.emit(ev.AgentStallInjected(agent=st.name, duration=f.seconds))
        if f.seconds is not None:
            eng.spawn(self._later(f.seconds, self._unstall, st.name, st.incarnation))

    def _resume(self, f: Fault) -> None:
        self._unstall(f.agent, self.engine.agents[f.agent].incarnation)

    def _unstall(self, name: str, incarnation: int) -> None:
        st = self.engine.agents[name]
        if st.incarnation == incarnation and not st.resumed.is_set():
            st.resumed.set()
            self.engine.emit(ev.AgentResumed(agent=name))

    # -- network faults ----------------------------------------------------------------------------

    def _partition(self, f: Fault) -> None:
        eng = self.engine
        groups = [set(g) for g in f.groups] if f.groups else [{f.agent}]
        rest = set(eng.agents) - set().union(*groups)
        if rest:
            groups.append(rest)
        eng.network.partition(groups)
        eng.emit(ev.NetworkPartitioned(groups=tuple(tuple(n for n in eng.agents if n in g) for g in groups)))
        if f.seconds is not None:
            eng.spawn(self._later(f.seconds, self._heal_now))

    def _heal(self, f: Fault) -> None:
        self._heal_now()

    def _heal_now(self) -> None:
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
            self.engine.spawn(self._later(seconds, self._link, *before))

    def _drop(self, f: Fault) -> None:
        self._link(drop=f.rate, seconds=f.seconds)

    def _duplicate(self, f: Fault) -> None:
        self._link(duplicate=f.rate, seconds=f.seconds)

    def _slow_network(self, f: Fault) -> None:
        self._link(extra=f.latency_s, seconds=f.seconds)

    async def _later(self, seconds: float, fn: Any, *args: Any) -> None:
        await self.engine.clock.sleep(seconds)
        if not self.engine.finished:
            fn(*args)
