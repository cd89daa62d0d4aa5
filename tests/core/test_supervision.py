"""The run's task group on the virtual clock: a crash in any background task fails the run loudly and stops
everything; cancellation still ends a run with exactly one `RunFinished`."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.core.clock import VirtualClock, run_virtual
from teamtui.faults.nemesis import Nemesis
from teamtui.launch import new_engine
from teamtui.runtime import executions
from teamtui.runtime.detector import FailureDetector
from teamtui.runtime.engine import Engine
from teamtui.scenario.spec import Scenario

from ..conftest import CHAIN5, scenario_from

SLOW = '[team.sim.think_time]\ndist = "constant"\nmedian_s = 3.0\n'


def _scenario(extra: str = "", execution: str = "rounds") -> Scenario:
    return scenario_from(f'[scenario]\nname = "sup"\n[team]\nsize = 3\nexecution = "{execution}"\n'
                         f'architecture = "decentralized"\n{SLOW}[limits]\nstall_after_s = 8\n' + CHAIN5 + extra)


def _run(engine_of: Callable[[], Engine],
         meanwhile: Callable[[Engine, asyncio.Task[list[ev.Event]]], None] | None = None,
         ) -> tuple[Engine, list[ev.Event], list[asyncio.Task[Any]]]:
    """Run an engine to its end on the virtual clock; also returns the tasks still alive after it."""

    async def main() -> tuple[Engine, list[ev.Event], list[asyncio.Task[Any]]]:
        engine = engine_of()
        run = asyncio.ensure_future(engine.run())
        if meanwhile is not None:
            meanwhile(engine, run)
        events = await run
        await asyncio.sleep(0)  # let anything a careless shutdown left behind show itself
        return engine, events, [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

    return run_virtual(main())


def _ended(events: list[ev.Event]) -> ev.RunFinished:
    finished = [e for e in events if isinstance(e, ev.RunFinished)]
    assert len(finished) == 1 and events[-1] is finished[0]
    return finished[0]


def test_a_crashing_detector_fails_the_run_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(self: FailureDetector) -> None:
        raise RuntimeError("detector bug")

    monkeypatch.setattr(FailureDetector, "check", check)
    engine, events, left = _run(lambda: new_engine(_scenario(), VirtualClock()))
    end = _ended(events)
    assert (end.status, end.reason, end.t) == ("failed", "engine error: RuntimeError('detector bug')", 2.0)
    assert isinstance(engine.error, RuntimeError) and str(engine.error) == "detector bug"
    assert left == []
    assert not any(e.t > 2.0 for e in events)


@pytest.mark.parametrize("execution", ["rounds", "async"])
def test_a_crashing_fault_timer_fails_the_run(execution: str) -> None:
    class BrokenHeal(Nemesis):
        def _heal(self) -> None:
            raise ValueError("heal bug")

    s = _scenario('[[faults]]\nat = 1\naction = "partition"\nagent = "cy"\nseconds = 4\n', execution)
    engine, events, left = _run(lambda: Engine(s, VirtualClock(), nemesis=BrokenHeal))
    end = _ended(events)
    assert (end.status, end.reason, end.t) == ("failed", "engine error: ValueError('heal bug')", 5.0)
    assert isinstance(engine.error, ValueError)
    assert left == []


def test_a_crashing_nemesis_schedule_fails_the_run() -> None:
    class BrokenSchedule(Nemesis):
        async def run(self) -> None:
            await self.engine.clock.sleep(3.5)
            raise KeyError("schedule bug")

    engine, events, left = _run(lambda: Engine(_scenario(), VirtualClock(), nemesis=BrokenSchedule))
    end = _ended(events)
    assert (end.status, end.t) == ("failed", 3.5) and "KeyError('schedule bug')" in end.reason
    assert isinstance(engine.error, KeyError) and left == []


def test_a_crashing_or_vanishing_execution_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    async def crashes(engine: Engine) -> None:
        await engine.clock.sleep(6.0)
        raise ZeroDivisionError("execution bug")

    async def returns(engine: Engine) -> None:
        await engine.clock.sleep(6.0)

    monkeypatch.setitem(executions.EXECUTIONS, "rounds", crashes)
    engine, events, left = _run(lambda: new_engine(_scenario(), VirtualClock()))
    end = _ended(events)
    assert (end.status, end.reason, end.t) == ("failed", "engine error: ZeroDivisionError('execution bug')", 6.0)
    assert isinstance(engine.error, ZeroDivisionError) and left == []

    monkeypatch.setitem(executions.EXECUTIONS, "rounds", returns)
    engine, events, left = _run(lambda: new_engine(_scenario(), VirtualClock()))
    end = _ended(events)
    assert (end.status, end.reason) == ("failed", "the execution ended early")
    assert engine.error is None and left == []


@pytest.mark.parametrize("execution", ["rounds", "async"])
@pytest.mark.parametrize("how", ["cancel()", "task.cancel()"])
def test_a_cancelled_run_ends_once_with_nothing_left_running(how: str, execution: str) -> None:
    def cancel_later(engine: Engine, run: asyncio.Task[list[ev.Event]]) -> None:
        def stop() -> None:
            if how == "cancel()":
                engine.cancel()
            else:
                run.cancel()

        engine.clock.call_later(4.5, stop)

    engine, events, left = _run(lambda: new_engine(_scenario(execution=execution), VirtualClock()), cancel_later)
    end = _ended(events)
    assert (end.status, end.reason, end.t) == ("cancelled", "the run was cancelled", 4.5)
    assert engine.error is None and left == []
    abandoned = [e for e in events if isinstance(e, ev.LLMCallAbandoned)]
    assert abandoned and all(e.reason == "run finished" and e.t == 4.5 for e in abandoned)


def test_background_work_given_before_the_run_starts_with_it_and_is_refused_after() -> None:
    seen: list[float] = []

    async def probe(engine: Engine) -> None:
        await engine.clock.sleep(1.0)
        seen.append(engine.clock.now())

    def engine_of() -> Engine:
        engine = new_engine(_scenario(), VirtualClock())
        engine.spawn(probe(engine))
        return engine

    engine, events, left = _run(engine_of)
    assert seen == [1.0] and _ended(events).status == "completed" and left == []
    late: Coroutine[Any, Any, None] = probe(engine)
    with pytest.raises(RuntimeError, match="the run is over"):
        engine.spawn(late)
    assert inspect.getcoroutinestate(late) == "CORO_CLOSED"  # never left un-awaited
