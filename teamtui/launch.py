"""Running scenarios without a UI: one run, its baselines, and a rich progress display and summary.

`run_events(scenario)` runs on the virtual clock (as fast as possible, deterministic) unless a `speed`
is given, in which case it follows the wall clock scaled by that speed. `run_with_baselines` adds the
runs the metrics need for comparison: a 1-agent run of the same task and seed (speedup) and the same
scenario without faults (fault cost); they are sim-only, since they would cost real money otherwise.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from teamtui.core import events as ev
from teamtui.core.clock import Clock, VirtualClock, WallClock, run_virtual
from teamtui.faults.nemesis import Nemesis
from teamtui.llm.base import LLMBackend
from teamtui.metrics.summary import RunMetrics, summarize
from teamtui.runtime.engine import Engine
from teamtui.scenario.spec import AgentSpec, Scenario

Listener = Callable[[ev.Event], None]


def new_engine(scenario: Scenario, clock: Clock, *, backend: LLMBackend | None = None,
               workdir: Path | None = None) -> Engine:
    """An engine for `scenario` with its nemesis (the scenario's faults, and live injection) wired in."""
    return Engine(scenario, clock, backend=backend, workdir=workdir, nemesis=Nemesis)


def run_events(scenario: Scenario, speed: float | None = None, listener: Listener | None = None,
               recorder: Any = None) -> list[ev.Event]:
    """Run one scenario to its final event and return the whole log. A `Recorder` given here (wall-clock
    runs) records the events as they happen; its run is begun and ended around the engine's run."""

    async def main(clock: VirtualClock | WallClock) -> list[ev.Event]:
        engine = new_engine(scenario, clock)
        if listener is not None:
            engine.on(listener)
        if recorder is not None:
            await recorder.open()
            await recorder.begin(scenario)
            engine.on(recorder.listener)
        try:
            events = await engine.run()
        finally:
            if recorder is not None:
                from teamtui.store.writer import run_status

                end = engine.events[-1] if engine.events else None
                await recorder.end(run_status(end.status) if isinstance(end, ev.RunFinished) else "interrupted",
                                   None, end.makespan if isinstance(end, ev.RunFinished) else None)
                await recorder.close()
        if engine.error is not None:
            raise engine.error
        return events

    if speed is None and not needs_wall_clock(scenario):
        return run_virtual(main(VirtualClock()))
    return asyncio.run(main(WallClock(speed or 1.0)))


def needs_wall_clock(s: Scenario) -> bool:
    """Models behind a network answer in real time: their runs follow the wall clock (sim and cassettes need not)."""
    return any(a.model != "sim" and not a.model.startswith("cassette:") for a in s.agents)


def baseline_of(s: Scenario) -> Scenario:
    """The 1-agent reference: same task, seed and execution, one worker that is given everything, no faults."""
    solo = AgentSpec(name=s.agents[0].name if s.agents[0].role != "lead" else s.agents[-1].name,
                     role="worker", model=s.agents[0].model)
    return replace(s, architecture="preassigned", agents=(solo,), faults=())


def fault_free_of(s: Scenario) -> Scenario:
    return replace(s, faults=())


def is_sim(s: Scenario) -> bool:
    return all(a.model == "sim" for a in s.agents)


@dataclasses.dataclass
class Outcome:
    events: list[ev.Event]
    metrics: RunMetrics


def run_with_baselines(scenario: Scenario, speed: float | None = None, listener: Listener | None = None,
                       baselines: bool | None = None, recorder: Any = None) -> Outcome:
    events = run_events(scenario, speed, listener, recorder)
    want = is_sim(scenario) if baselines is None else baselines
    base = faultless = None
    if want:
        base = run_events(baseline_of(scenario)) if scenario.size > 1 or scenario.faults else events
        if scenario.faults:
            faultless = run_events(fault_free_of(scenario))
    return Outcome(events, summarize(events, baseline=base, fault_free=faultless))
