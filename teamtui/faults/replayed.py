"""Faults replayed from a recorded log, and a fork point where a re-executed run takes a different turn.

A run's log records every fault as `FaultInjected`. Those from its scenario's schedule (source
`schedule`) come back by themselves when the scenario runs again; the others — injected from the
keyboard or the palette (`user`), or added by a fork (`fork`) — exist only in the log. `ReplayNemesis`
applies them again as the monitor's key press did: after the event that preceded it in the log, at the
first moment, at or after its recorded run time, when the loop has nothing left to do at that instant (a
key press reaches a loop that waits for its next timer, or is paused). On the virtual clock a run of the sim
with those faults is the recorded run again, event for event. Two caveats: the log keeps run times to the
microsecond, so a key pressed while the run was going (not paused) is replayed at its time rounded to the
microsecond, which can move later times by a microsecond; and a key press that reached the loop just as its
next timer fell due landed before that timer's work, where its replay lands after it.

A `ForkPoint` is where a fork leaves its parent: after the engine step that emitted event `at_seq`, or at
run time `at_t`. There, and only there, the fork's changes are applied: faults of the schedule or of the
replayed list that have not happened yet are dropped, new faults are injected (source `fork`), agents
beyond a smaller team are killed, and the model backend is swapped for the rest of the run. Before it the
run is the parent's; a change that would have to reach back (dropping a fault that already happened) is
refused with a `RunError`, which fails the run rather than making a fork that is not one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from teamtui.core import events as ev
from teamtui.core.errors import RunError
from teamtui.core.faults import FAULTS, Fault, Kill, Scheduled
from teamtui.faults.nemesis import Nemesis

if TYPE_CHECKING:
    from teamtui.llm.base import LLMBackend
    from teamtui.runtime.engine import Engine


@dataclass(frozen=True)
class Replayed:
    """A fault that is not in the schedule, as the log recorded it: when, what, from where, and its position."""

    t: float
    fault: Fault
    source: str
    seq: int
    layer: int = 0
    """How many fork points come before the log that recorded it: it follows that log's events until the next
    fork point lands, and its run time alone after that."""

    def describe(self) -> str:
        target = f" {self.fault.target}" if self.fault.target else ""
        return f"{self.source} {self.fault.action}{target} at {self.t:g} s"


def fault_of(e: ev.FaultInjected) -> Fault:
    """The fault a `FaultInjected` event records (its params are the fault's settings, by name)."""
    cls = FAULTS.get(e.fault)
    if cls is None:
        raise RunError(f"event {e.seq}: unknown fault {e.fault!r}; this run was recorded by another teamtui")
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {k: v for k, v in e.params.items() if k in names}
    if "groups" in kwargs:
        kwargs["groups"] = tuple(tuple(g) for g in kwargs["groups"])
    if "agent" in names:
        kwargs["agent"] = e.agent
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise RunError(f"event {e.seq}: the {e.fault} fault cannot be rebuilt ({exc})") from None


def recorded_faults(events: Sequence[ev.Event]) -> list[Replayed]:
    """The faults of a log that its schedule does not bring back: keyboard, palette, fork."""
    return [Replayed(e.t, fault_of(e), e.source, e.seq) for e in events
            if isinstance(e, ev.FaultInjected) and e.source != "schedule"]


def fault_agents(fault: Fault) -> set[str]:
    """Every agent a fault names (its target, and a partition's groups)."""
    out = {fault.target} if fault.target else set()
    for group in getattr(fault, "groups", ()):
        out.update(group)
    return out


@dataclass
class ForkPoint:
    """Where a fork leaves its parent, and what changes there (see the module docstring)."""

    at_seq: int | None = None
    at_t: float | None = None
    drop: frozenset[int] = frozenset()
    """1-based numbers of the parent's faults to drop: its scenario's [[faults]] in file order, then the others."""
    add: tuple[Fault, ...] = ()
    keep_agents: int | None = None
    """Kill the agents after the first `keep_agents` at the fork point."""
    backend: Callable[[], LLMBackend] | None = None
    landed_seq: int | None = None
    """The last event the child shares with its parent (set when the fork point is reached)."""
    landed_t: float | None = None
    error: str = ""
    killed: list[str] = field(default_factory=list)
    on_land: Callable[[], None] | None = None
    """Called once the change is applied (the monitor pauses there)."""


class ReplayNemesis(Nemesis):
    """The nemesis with recorded faults replayed at their times, and fork points (a fork of a fork has two)."""

    def __init__(self, engine: Engine, replayed: Sequence[Replayed] = (), forks: Sequence[ForkPoint] = ()) -> None:
        super().__init__(engine)
        faults = engine.scenario.faults
        self.n_scheduled = len(faults)
        self._numbers = {id(s.fault): i + 1 for i, s in enumerate(faults)}
        """The schedule's faults by identity -> their numbers (the nemesis applies the scenario's own objects)."""
        self.replayed = list(replayed)
        self.fired: set[int] = set()
        """Numbers (1-based, as `ForkPoint.drop` counts) of the faults applied so far."""
        self.dropped: set[int] = set()
        self.forks = list(forks)
        self._landed: set[int] = set()
        self._after: dict[int, list[int]] = {}
        """Event seq -> the replayed faults (by index) that come next after it."""
        engine.on(self._watch)

    async def run(self) -> None:
        eng = self.engine
        for i, fork in enumerate(self.forks):
            if fork.at_seq is not None and fork.at_seq < len(eng.events):
                self._land(i)
            elif fork.at_t is not None:
                eng.clock.call_later(fork.at_t - eng.clock.now(), functools.partial(
                    when_idle, functools.partial(self._land, i)))
        for k, r in enumerate(self.replayed):
            if r.seq - 1 < len(eng.events):
                eng.clock.call_later(r.t - eng.clock.now(), functools.partial(when_idle, functools.partial(
                    self._fire, k)))
            else:
                self._after.setdefault(r.seq - 1, []).append(k)
        await super().run()  # the schedule, as any run has it (`apply` below strikes dropped faults)

    def fire(self, s: Scheduled, source: str = "schedule") -> None:
        """A scheduled fault, struck here when dropped: an aimed one reaches `apply` as a new object (its agent
        picked when it fires), so the schedule's own object is looked up before that."""
        number = self._numbers.get(id(s.fault)) if source == "schedule" else None
        if number is not None and number in self.dropped:
            return
        if number is not None:
            self.fired.add(number)
        super().fire(s, source)

    def apply(self, fault: Fault, source: str, aim: str = "", why: str = "") -> None:
        number = self._numbers.get(id(fault)) if source == "schedule" else None
        if number is not None:
            if number in self.dropped:
                return
            self.fired.add(number)
        super().apply(fault, source, aim, why)

    def _fire(self, k: int) -> None:
        number, r = self.n_scheduled + k + 1, self.replayed[k]
        if number in self.dropped or number in self.fired or self.engine.finished:
            return
        self.fired.add(number)
        super().apply(r.fault, r.source)

    def _when_due(self, k: int) -> None:
        """After the event before it, once idle: now if its time has come (to the microsecond), else at its time."""
        clock = self.engine.clock
        wait = self.replayed[k].t - clock.now()
        if wait <= 5e-7:
            self._fire(k)
        else:
            clock.call_later(wait, functools.partial(when_idle, functools.partial(self._fire, k)))

    # -- the fork point ----------------------------------------------------------------------------

    def _watch(self, e: ev.Event) -> None:
        """After the event before a replayed fault, fire it when due; at the fork's event, land the fork."""
        for k in self._after.pop(e.seq, ()):
            asyncio.get_running_loop().call_soon(when_idle, functools.partial(self._when_due, k))
        for i, fork in enumerate(self.forks):
            if i in self._landed or e.seq != fork.at_seq or any(j not in self._landed for j in range(i)):
                continue
            loop = asyncio.get_running_loop()
            handle = loop.call_soon(self._land, i)
            ready = getattr(loop, "_ready", None)  # asyncio's run queue: land first, right after this engine step
            if ready is not None and ready and ready[-1] is handle:
                ready.pop()
                ready.appendleft(handle)

    def _land(self, i: int) -> None:
        fork = self.forks[i]
        eng = self.engine
        if i in self._landed:
            return
        self._landed.add(i)
        fork.landed_seq, fork.landed_t = len(eng.events) - 1, eng.clock.now()
        for seq in list(self._after):  # faults of the logs before this fork point follow their run time from now on
            for k in list(self._after[seq]):
                if self.replayed[k].layer <= i:
                    self._after[seq].remove(k)
                    self._when_due(k)
            if not self._after[seq]:
                del self._after[seq]
        if eng.finished:
            fork.error = f"the run had already ended at the fork point (event {fork.landed_seq}); fork earlier"
            return
        late = sorted(n for n in fork.drop if n in self.fired)
        if late:
            fork.error = (f"--drop-fault {late[0]}: that fault happened before the fork point (event "
                          f"{fork.landed_seq}); fork at an earlier event to drop it")
            eng.finish("cancelled", fork.error)
            return
        for n in fork.drop:
            self.dropped.add(n)
            if n <= self.n_scheduled and type(eng.scenario.faults[n - 1].fault).__name__ == "Restart":
                eng.pending_restarts = max(0, eng.pending_restarts - 1)
        if fork.backend is not None:
            eng.backend = fork.backend()
        for fault in fork.add:
            self.apply(fault, "fork")
        if fork.keep_agents is not None:
            for name in list(eng.agents)[fork.keep_agents:]:
                fork.killed.append(name)
                self.apply(Kill(name), "fork")
        eng.check_end()
        if fork.on_land is not None:
            fork.on_land()


IDLE_TRIES = 100_000
"""How many times `when_idle` waits behind other work of the same instant before it gives up waiting."""


def when_idle(fn: Callable[[], None], tries: int = IDLE_TRIES) -> None:
    """Call `fn` once the running loop has nothing else ready at this instant (as a key press lands)."""
    loop = asyncio.get_running_loop()
    ready = getattr(loop, "_ready", None)  # asyncio's run queue; without one, land at once
    if ready and tries > 0:
        loop.call_soon(when_idle, fn, tries - 1)
    else:
        fn()


def nemesis_for(replayed: Sequence[Replayed] = (), forks: Sequence[ForkPoint] = ()) -> Callable[[Engine], Nemesis]:
    """The nemesis factory an engine is built with (see `teamtui.launch.Run`'s `nemesis`)."""
    return lambda engine: ReplayNemesis(engine, replayed, forks)
