"""One way to run a scenario: the engine on its clock with its nemesis, the recorder, the baselines and the metrics.

A `Run` is what the monitor, `teamtui run`, `rerun`, `watch --headless` and sweeps all run:

* **Clock.** With no `speed`, on the virtual clock as fast as possible (deterministic: the same seed gives
  the same log, byte for byte). With a `speed`, the sim and cassettes run on the *paced* virtual clock
  (the same run, shown at `speed` run seconds per wall second, pausable), real models on the wall clock.
* **Recording.** With a `db`, a paced or wall-clock run is recorded as it goes (a crash loses at most the
  last moment); an unpaced one, which takes a fraction of a second, is recorded when it ends.
* **Baselines.** For the sim, the comparison runs the metrics need: the same task and seed with one agent
  (speedup) and, when faults were injected, without them (fault cost). A paced run computes its 1-agent
  baseline in the background from the start, so the monitor's speedup estimate uses the real T₁.
* **Metrics** are `summarize(events, baseline, fault_free)`, stored with the run and returned in the
  `Outcome`: a run watched live and the same run headless are stored with the same metrics.

`execute()` runs in the calling thread; `start()` runs on a thread of its own (the monitor) and the
controls (`inject`, `pause`, `set_speed`, `cancel`) may then be called from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from teamtui.core import events as ev
from teamtui.core.clock import Clock, Pace, VirtualClock, VirtualEventLoop, WallClock, run_virtual
from teamtui.core.faults import Fault, Scheduled
from teamtui.faults.nemesis import Nemesis
from teamtui.llm.base import LLMBackend
from teamtui.metrics.summary import RunMetrics, summarize
from teamtui.runtime.context import FaultInjector
from teamtui.runtime.engine import Engine
from teamtui.scenario.spec import AgentSpec, Scenario
from teamtui.store.recorder import Recorder
from teamtui.store.schema import RecorderError
from teamtui.store.writer import record_run, run_status

Listener = Callable[[ev.Event], None]
NemesisFactory = Callable[[Engine], FaultInjector]


def new_engine(scenario: Scenario, clock: Clock, *, backend: LLMBackend | None = None,
               workdir: Path | None = None, nemesis: NemesisFactory | None = None) -> Engine:
    """An engine for `scenario` with its nemesis (the scenario's faults, and live injection) wired in; `nemesis`
    builds another one (`teamtui.faults.replayed`: recorded faults replayed, a fork point)."""
    return Engine(scenario, clock, backend=backend, workdir=workdir, nemesis=nemesis or Nemesis)


def needs_wall_clock(s: Scenario) -> bool:
    """Models behind a network answer in real time: their runs follow the wall clock (sim and cassettes need not)."""
    return any(a.model != "sim" and not a.model.startswith("cassette:") for a in s.agents)


def is_sim(s: Scenario) -> bool:
    return all(a.model == "sim" for a in s.agents)


def baseline_of(s: Scenario) -> Scenario:
    """The 1-agent reference: same task, seed and execution, one worker that is given everything, no faults."""
    first = s.agents[0]
    solo = AgentSpec(name=first.name if first.role != "lead" else s.agents[-1].name, role="worker",
                     model=first.model, api_base=first.api_base, api_key_env=first.api_key_env)  # its model's server
    return replace(s, architecture="preassigned", agents=(solo,), faults=())


def fault_free_of(s: Scenario) -> Scenario:
    return replace(s, faults=())


def run_events(scenario: Scenario) -> list[ev.Event]:
    """One unpaced virtual-clock run's whole log (no recording, no baselines): what baselines and tests need.
    An engine error (a bug) is raised, not returned."""
    run = Run(scenario, baselines=False)
    ran = run_virtual(run._main())  # the log only: no metrics to compute, nothing to record
    if ran.error is not None:
        raise ran.error
    return ran.events


class Baselines:
    """The sim's comparison runs for a scenario, kept for the other runs that share them (a sweep's cells)."""

    def __init__(self, keep: int = 512) -> None:
        self.keep = keep
        self._runs: dict[Scenario, list[ev.Event]] = {}

    def _run(self, s: Scenario) -> list[ev.Event]:
        key = replace(s, name="", description="", source="", text="")
        if key not in self._runs:
            if len(self._runs) >= self.keep:
                self._runs.clear()
            self._runs[key] = run_events(s)
        return self._runs[key]

    def solo(self, s: Scenario, ran: list[ev.Event] | None = None) -> list[ev.Event]:
        """The 1-agent run's events (`ran` itself when the scenario already is that run)."""
        solo = baseline_of(s)
        if ran is not None and solo == s:
            self._runs[replace(solo, name="", description="", source="", text="")] = ran
            return ran
        return self._run(solo)

    def fault_free(self, s: Scenario) -> list[ev.Event]:
        return self._run(fault_free_of(s))


@dataclass
class _Ran:
    """What the run's own loop leaves behind: its log and, for a run recorded live, metrics and recording."""

    events: list[ev.Event]
    error: BaseException | None = None
    metrics: RunMetrics | None = None
    run_id: str | None = None
    recorded: int = 0
    record_error: str = ""


@dataclass
class Outcome:
    """How a run went: its log, its metrics, and what became of its recording."""

    events: list[ev.Event]
    metrics: RunMetrics
    run_id: str | None = None
    record_error: str = ""
    """Why the run is not (wholly) recorded: the database could not be opened, or filled up; "" if it is."""
    recorded: int = 0
    """Events the live recorder wrote (all of them unless `record_error` says otherwise)."""
    error: BaseException | None = None
    """An engine error that failed the run (a bug), kept for tests and the CLI."""


class Run:
    """See the module docstring."""

    def __init__(self, scenario: Scenario, *, speed: float | None = None, db: Path | None = None,
                 baselines: bool | Baselines | None = None, listener: Listener | None = None,
                 workdir: Path | None = None, backend: LLMBackend | None = None,
                 nemesis: NemesisFactory | None = None) -> None:
        self.scenario = scenario
        self.db, self.workdir, self.backend, self.listener = db, workdir, backend, listener
        want = is_sim(scenario) if baselines is None else baselines is not False
        self.baselines: Baselines | None = (baselines if isinstance(baselines, Baselines)
                                            else Baselines() if want else None)
        self.wall = needs_wall_clock(scenario)
        self.pace = Pace(speed) if speed is not None and not self.wall else None
        self.clock: VirtualClock | WallClock = WallClock(speed or 1.0) if self.wall else VirtualClock()
        self.engine: Engine = new_engine(scenario, self.clock, backend=backend, workdir=workdir, nemesis=nemesis)
        """Built here, so a scenario the engine cannot run (a missing cassette...) fails before anything starts."""
        if listener is not None:
            self.engine.on(listener)
        self.outcome: Outcome | None = None
        self.t1: float | None = None
        """The 1-agent baseline's makespan, once known (the sim only)."""
        self.done = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._solo: list[ev.Event] | None = None
        self.signal: int | None = None
        """The signal that interrupted the run, if one did (`interrupt`)."""
        self.failure: BaseException | None = None
        """Why a run started with `start()` ended without an outcome (it could not start: a missing cassette...)."""

    # -- running -----------------------------------------------------------------------------------

    def execute(self) -> Outcome:
        """Run to the end in this thread and return the outcome."""
        try:
            ran = asyncio.run(self._main()) if self.wall else run_virtual(self._main(), self.pace)
            metrics = ran.metrics  # an unpaced run's baselines run now, after its own loop has closed
            if metrics is None:
                metrics = self._summarize(ran.events, self._comparisons(ran.events))
            outcome = Outcome(ran.events, metrics, ran.run_id, ran.record_error, ran.recorded, ran.error)
            if self.db is not None and outcome.run_id is None and not outcome.record_error:
                try:
                    outcome.run_id = record_run(self.db, self.scenario, outcome.events, outcome.metrics.to_dict(),
                                                self._status(outcome.events[-1] if outcome.events else None))
                    outcome.recorded = len(outcome.events)
                except RecorderError as exc:
                    outcome.record_error = str(exc)
            self.outcome = outcome
        finally:
            self.done.set()
        return outcome

    def start(self) -> Run:
        """Run on a thread of its own; `done` is set (and `outcome` filled) when it ends."""
        self._thread = threading.Thread(target=self._thread_main, name=f"run {self.scenario.name}", daemon=True)
        self._thread.start()
        return self

    def _thread_main(self) -> None:
        try:
            self.execute()
        except BaseException as exc:  # a run on its own thread reports its failure: it has nobody to raise to
            self.failure = exc

    def wait(self, timeout: float | None = None) -> Outcome | None:
        self.done.wait(timeout)
        return self.outcome

    async def _main(self) -> _Ran:
        self._loop = asyncio.get_running_loop()
        engine = self.engine
        recorder, record_error = await self._open_recorder(engine) if self.speed_given else (None, "")
        if record_error:  # a live run that cannot be recorded ends before it starts, with that one line
            engine.discard()
            raise RecorderError(f"not recorded, so not run: {record_error}")
        if self.signal is not None:  # interrupted before it began
            engine.finish("cancelled", f"interrupted by {signal.Signals(self.signal).name}")
        solo = self._start_baseline() if self.speed_given else None
        outcome = _Ran(engine.events)
        try:
            await engine.run()
        finally:
            outcome.error = engine.error
            if recorder is not None:  # the recording ends with the metrics: compute them now, off the loop
                async with self.clock.hold():  # real work in other threads: a virtual clock stands still
                    if solo is not None:
                        await asyncio.to_thread(solo.join)
                    comparisons = await asyncio.to_thread(self._comparisons, engine.events)
                outcome.metrics = self._summarize(engine.events, comparisons)
                await self._end_recording(recorder, outcome)
            elif solo is not None:
                async with self.clock.hold():
                    await asyncio.to_thread(solo.join)
        return outcome

    @property
    def speed_given(self) -> bool:
        return self.pace is not None or self.wall

    async def _open_recorder(self, engine: Engine) -> tuple[Recorder | None, str]:
        if self.db is None:
            return None, ""
        recorder = Recorder(self.db)
        try:
            await recorder.open()
            await recorder.begin(self.scenario)
        except RecorderError as exc:
            await recorder.close()
            return None, str(exc)
        engine.on(recorder.listener)
        return recorder, ""

    async def _end_recording(self, recorder: Recorder, outcome: _Ran) -> None:
        end = outcome.events[-1] if outcome.events else None
        finished = isinstance(end, ev.RunFinished)
        await recorder.end(self._status(end),
                           outcome.metrics.to_dict() if finished and outcome.metrics else None,
                           end.makespan if isinstance(end, ev.RunFinished) else None)
        await recorder.close()
        outcome.run_id, outcome.recorded = recorder.run_id, recorder.written
        if recorder.stopped:
            outcome.record_error = recorder.stopped

    def _status(self, end: ev.Event | None) -> str:
        """The recorded status: interrupted when a signal cut the run short (or it has no end), else its end's."""
        if not isinstance(end, ev.RunFinished) or (self.signal is not None and end.status == "cancelled"):
            return "interrupted"
        return run_status(end.status)

    # -- baselines and metrics ---------------------------------------------------------------------

    def _start_baseline(self) -> threading.Thread | None:
        """Compute the 1-agent baseline in the background while the run goes (the monitor shows T₁ early)."""
        if self.baselines is None or baseline_of(self.scenario) == self.scenario:
            return None
        baselines = self.baselines

        def work() -> None:
            self._solo = baselines.solo(self.scenario)
            end = self._solo[-1] if self._solo else None
            self.t1 = end.makespan if isinstance(end, ev.RunFinished) else None

        thread = threading.Thread(target=work, name="baseline", daemon=True)
        thread.start()
        return thread

    def _comparisons(self, events: list[ev.Event]) -> tuple[list[ev.Event] | None, list[ev.Event] | None]:
        """The 1-agent and fault-free runs' events for `events` (None where not wanted or not needed)."""
        if self.baselines is None or not events:
            return None, None
        solo = self._solo if self._solo is not None else self.baselines.solo(self.scenario, events)
        faulted = any(isinstance(e, ev.FaultInjected) for e in events)
        return solo, self.baselines.fault_free(self.scenario) if faulted else None

    def _summarize(self, events: list[ev.Event],
                   comparisons: tuple[list[ev.Event] | None, list[ev.Event] | None]) -> RunMetrics:
        base, faultless = comparisons
        end = base[-1] if base else None
        if isinstance(end, ev.RunFinished):
            self.t1 = end.makespan
        if not events or not isinstance(events[0], ev.RunStarted):
            return _empty(self.scenario)
        return summarize(events, baseline=base, fault_free=faultless)

    # -- controls (any thread) ---------------------------------------------------------------------

    def _call(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed() or self.done.is_set():
            return
        if self._thread is None or threading.current_thread() is self._thread:
            fn()
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the run is over
            loop.call_soon_threadsafe(fn)

    def inject(self, fault: Fault, source: str = "user") -> None:
        engine = self.engine
        if engine is not None:
            self._call(lambda: engine.inject(fault, source))

    def inject_aimed(self, fault: Fault, selector: str, source: str = "user") -> None:
        """Inject `fault` at whoever `selector` (holder, lead, ...) picks when it lands, on the run's thread."""
        nemesis = self.engine.nemesis if hasattr(self.engine, "nemesis") else None
        if isinstance(nemesis, Nemesis):
            self._call(lambda: nemesis.fire(Scheduled(fault, aim=selector), source))

    def cancel(self) -> None:
        engine = self.engine
        if engine is not None:
            self._call(engine.cancel)

    def interrupt(self, signum: int) -> None:
        """End the run because the process got signal `signum` (SIGINT, SIGTERM): it is cancelled, its workspace
        removed, and it is recorded as interrupted. Safe from a signal handler: the loop is only woken."""
        self.signal = signum
        loop = self._loop
        reason = f"interrupted by {signal.Signals(signum).name}"
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the run is over
                loop.call_soon_threadsafe(self.engine.finish, "cancelled", reason)

    @property
    def speed(self) -> float:
        return self.pace.speed if self.pace is not None else self.clock.speed if isinstance(
            self.clock, WallClock) else 1.0

    @property
    def paused(self) -> bool:
        return self.pace.paused if self.pace is not None else isinstance(self.clock, WallClock) and self.clock.paused

    @property
    def parked(self) -> bool:
        """Whether a pause has taken effect: nothing of the run happens until it is lifted."""
        return self.pace.parked if self.pace is not None else self.paused

    def set_speed(self, speed: float) -> None:
        if self.pace is not None:
            self.pace.set(speed=speed)
        elif isinstance(self.clock, WallClock):
            clock = self.clock
            self._call(lambda: clock.set_speed(speed))

    def pause(self, paused: bool = True) -> None:
        if self.pace is not None:
            self.pace.set(paused=paused)
        elif isinstance(self.clock, WallClock):
            clock = self.clock
            self._call(clock.pause if paused else clock.resume)

    def now(self) -> float:
        """Run time as a display should show it (moving smoothly between events on a paced clock)."""
        loop = self._loop
        if self.pace is not None and isinstance(loop, VirtualEventLoop) and isinstance(self.clock, VirtualClock):
            return max(0.0, self.pace.now(loop) - self.clock.origin)
        if isinstance(self.clock, WallClock):
            return self.clock.now()
        return self.engine.events[-1].t if self.engine is not None and self.engine.events else 0.0


def _empty(s: Scenario) -> RunMetrics:
    """Metrics of a run that never started (it failed before its first event)."""
    start = ev.RunStarted(seq=0, scenario=s.name, seed=s.seed, architecture=s.architecture, execution=s.execution,
                          consistency=s.consistency, model=s.model, agents=tuple(a.name for a in s.agents),
                          roles=tuple(a.role for a in s.agents), tasks=())
    return summarize([start])
