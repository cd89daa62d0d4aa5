"""The live monitor: a Textual app that runs a scenario's engine on its own loop and draws it at a steady rate.

The run goes the one way every run goes (`teamtui.launch.Run`), on a thread of its own: the sim on the
paced virtual clock (so what the monitor shows is the run `teamtui run` would make of the same seed),
real models on the wall clock; it is recorded, and its metrics computed with its baselines, exactly as
headless. Its listener only appends to a deque, so the UI never blocks it; a timer folds the pending
events into a `LiveView` and redraws the panes at `FPS` frames per second, however bursty the stream
is. The UI only posts intents back: `run.inject(fault)`, pause, speed, cancel.
`TeamApp(events=...)` draws a finished or recorded event list with no run (snapshots, replay).
The summary (`m`, and at the end of a live run) shows the run's stored metrics and the view's `RunState`,
the same state the metrics panel reads, with the 1-agent baseline's makespan on the view (known early
from the run's background baseline), so the panel and the summary show the same figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from teamtui.core import events as ev
from teamtui.core.clock import WallClock
from teamtui.core.faults import Fault
from teamtui.core.state import RunState
from teamtui.launch import NemesisFactory, Run
from teamtui.runtime.engine import Engine
from teamtui.scenario.spec import Scenario
from teamtui.ui.aimbreak import BreakWatch
from teamtui.ui.host import MonitorClock
from teamtui.ui.screens.monitor import MonitorScreen
from teamtui.ui.screens.run import RunScreen
from teamtui.ui.screens.summary import SummaryScreen
from teamtui.ui.view import LiveView
from teamtui.ui.widgets.panes import AgentPane


class TeamApp(App[int]):
    """See the module docstring."""

    CSS_PATH = "app.tcss"
    TITLE = "teamtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit_run", "Quit", show=False, priority=True, id="app.quit_ctrl",
                tooltip="Stop the run cleanly and quit"),
        Binding("ctrl+c", "interrupt", "Interrupt", show=False, priority=True, id="app.interrupt",
                tooltip="Interrupt the run (recorded as interrupted) and quit with exit code 130"),
    ]

    def __init__(self, scenario: Scenario | None = None, *, speed: float = 1.0, events: Iterable[ev.Event] = (),
                 workdir: Path | None = None, summary_at_end: bool = True, db: Path | None = None,
                 baseline: Sequence[ev.Event] | None = None, nemesis: NemesisFactory | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.run_handle: Run | None = None
        self.clock: MonitorClock = WallClock(speed)
        self.breaks = BreakWatch(scenario.breakpoints if scenario is not None else ())
        """The breakpoints, matched on the run's thread (`teamtui.ui.aimbreak`)."""
        if scenario is not None:
            self.run_handle = Run(scenario, speed=speed, db=db, workdir=workdir,
                                  listener=self.breaks.listener(self.pending_append),
                                  nemesis=nemesis)  # a nemesis of its own: a fork (teamtui.faults.replayed)
            self.breaks.run = self.run_handle
            self.clock = RunClock(self.run_handle)
        self.view = LiveView()
        self.pending: deque[ev.Event] = deque()
        self.pending.extend(events)
        self.summary_at_end = summary_at_end
        if baseline:  # a recorded run shown with its 1-agent baseline (a live run computes its own)
            from teamtui.metrics.summary import makespan_of

            self.view.baseline_makespan = makespan_of(baseline)
        self.quitting = False
        self.db = db
        self.ended = False
        """Whether the end of the run has been handled (the recording note taken, the summary shown)."""
        self.recording_note = ""
        """What became of the recording (its run id, or why it stopped), printed after the UI closes."""
        self.error_line = ""
        """Why the run could not go on at all (its recording could not start...), printed after the UI closes."""
        self.signal: int | None = None
        """The signal (SIGINT, SIGTERM, or ctrl+c as SIGINT) that interrupted the run, if one did."""
        self._app_loop: asyncio.AbstractEventLoop | None = None
        self.prompt_paused = False
        """Whether an open prompt paused the clock (it resumes when the prompt closes)."""
        self.main: MonitorScreen = self.make_screen()
        """The main screen (the run's or the replay's), under any help, prompt or summary on top of it."""

    def make_screen(self) -> MonitorScreen:
        """The main screen: a live run's (replay makes its own)."""
        return RunScreen()

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    # The main screen's state, named on the app for tests and scripts.
    @property
    def panes(self) -> list[AgentPane]:
        return self.main.panes

    @property
    def target(self) -> str:
        return self.main.target

    @target.setter
    def target(self, name: str) -> None:
        self.main.target = name

    selected = target

    def frame(self, body: bool = True) -> None:
        """Fold the pending events and redraw what they changed (`MonitorScreen.frame`)."""
        self.main.frame(body)

    @property
    def frame_timer(self) -> Any:
        return getattr(self.main, "frame_timer", None)

    def pending_append(self, event: ev.Event) -> None:
        """The run's listener (called on the run's thread): queue the event for the next frame."""
        self.pending.append(event)

    @property
    def engine(self) -> Engine | None:
        return self.run_handle.engine if self.run_handle is not None else None

    def on_mount(self) -> None:
        self._app_loop = asyncio.get_running_loop()
        if self.run_handle is not None:
            self.run_handle.start()

    # -- the run -----------------------------------------------------------------------------------

    def fold_pending(self) -> None:
        while self.pending:
            self.view.apply(self.pending.popleft())

    def fold(self) -> bool:
        """Fold the pending events into the view and note the run's end; whether there is a run to draw."""
        self.fold_pending()
        run = self.run_handle
        if run is not None and not self.ended and run.done.is_set() and run.outcome is None:
            self._run_ended()  # a run that failed before its first event has nothing to draw
            return False
        if self.view.started is None:
            return False
        if run is not None and not self.ended and run.done.is_set() and not self.pending:
            self._run_ended()
        if run is not None and self.view.baseline_makespan is None and run.t1 is not None:
            self.view.baseline_makespan = run.t1  # the 1-agent baseline, computed alongside the run
        if run is not None and not run.done.is_set() and self.view.finished is None:
            self.view.state.advance(self.clock.now())
        return True

    def _run_ended(self) -> None:
        """Once, when the run's thread is done: say what became of the recording, then show the summary."""
        run = self.run_handle
        assert run is not None
        self.ended = True
        outcome = run.outcome
        if outcome is None:  # the run could not start or go on: say so after the UI closes, and exit 2
            self.error_line = str(run.failure) if run.failure is not None else "the run ended without an outcome"
            self.exit(return_code=2)
            return
        if self.db is not None:
            self.recording_note = (f"recorded as run {outcome.run_id} in {self.db}" if not outcome.record_error
                                   else f"not recorded: {outcome.record_error}" if outcome.run_id is None
                                   else outcome.record_error)
            if outcome.record_error:
                self.notify(self.recording_note, severity="warning", timeout=15)
        if outcome.error is not None:
            self.notify(f"the engine failed: {outcome.error!r}", severity="error", timeout=30)
        if self.summary_at_end and self.is_running and not self.quitting:
            self.call_later(self.push_summary)

    def live_run(self) -> Run | None:
        """The run, if it can take a fault now (else None, said in a notice)."""
        run = self.run_handle
        if run is None:
            self.notify("this is a recorded run: faults need a live run", severity="warning")
            return None
        if run.engine is None or run.engine.finished or run.done.is_set():
            self.notify("the run is over: faults have nothing to act on", severity="warning")
            return None
        return run

    def inject(self, fault: Fault) -> bool:
        """Send a fault to the live run (as the user's); whether it went."""
        run = self.live_run()
        if run is None:
            return False
        run.inject(fault, "user")
        self.frame()
        return True

    # -- the summary -------------------------------------------------------------------------------

    async def summary_inputs(self) -> tuple[RunState, float | None, float | None]:
        """The final state, and the makespans of the 1-agent baseline and of the fault-free run (None: unknown).
        Replay overrides it (the recording's end, and the baselines stored with the run)."""
        self.fold_pending()
        return self.view.state, self.view.baseline_makespan, None

    async def push_summary(self) -> None:
        from teamtui.metrics.summary import metrics_of

        state, base, fault_free = await self.summary_inputs()
        if state.finished is None:
            why = f"no summary: {self.error_line}" if self.error_line else "the summary appears when the run ends"
            self.notify(why, severity="information")
            return
        outcome = self.run_handle.outcome if self.run_handle is not None else None
        metrics = outcome.metrics if outcome is not None else metrics_of(state, base, fault_free)
        if metrics.baseline_makespan != self.view.baseline_makespan:
            self.view.baseline_makespan = metrics.baseline_makespan  # the panel shows the summary's speedup
            self.frame()
        if not isinstance(self.screen, SummaryScreen):
            self.push_screen(SummaryScreen(state, metrics))

    # -- quitting ----------------------------------------------------------------------------------

    async def action_quit_run(self, signum: int | None = None) -> None:
        """Stop the run cleanly and quit (exit 0); with a signal, the run is interrupted (exit 128 + signal)."""
        self.quitting = True
        run = self.run_handle
        if signum is not None:
            self.signal = signum
        if run is not None and not run.done.is_set():
            if signum is not None:
                run.interrupt(signum)
            else:
                run.cancel()
            await asyncio.to_thread(run.wait, 10)
        if run is not None and run.done.is_set() and not self.ended:
            self._run_ended()
        self.exit(return_code=128 + signum if signum is not None else 2 if self.error_line else 0)

    async def action_interrupt(self) -> None:
        await self.action_quit_run(signal.SIGINT)

    def interrupt_from_signal(self, signum: int) -> None:
        """A signal handler's request (main thread, maybe mid-loop): interrupt on the app's loop, soon."""
        loop = self._app_loop
        if loop is None or loop.is_closed():
            if self.run_handle is not None:
                self.run_handle.interrupt(signum)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.action_quit_run(signum)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from teamtui.ui.screens.palette import commands

        yield from commands(self.main)


class RunClock:
    """The monitor's handle on its run's clock: the speed, the pause and the run time to show."""

    def __init__(self, run: Run) -> None:
        self.run = run

    @property
    def speed(self) -> float:
        return self.run.speed

    @property
    def paused(self) -> bool:
        return self.run.paused

    def now(self) -> float:
        return self.run.now()

    def pause(self) -> None:
        self.run.pause(True)

    def resume(self) -> None:
        self.run.pause(False)

    def set_speed(self, speed: float) -> None:
        self.run.set_speed(speed)
