"""The live monitor: a Textual app that runs a scenario's engine on its own loop and draws it at a steady rate.

The engine publishes every event to a listener that only appends to a deque, so the UI never blocks it;
a timer folds the pending events into a `LiveView` and redraws the panes at `FPS` frames per second,
however bursty the stream is. The UI only posts intents back: `engine.inject(fault)`, pause, speed.
`TeamApp(events=...)` draws a finished or recorded event list with no engine (snapshots, replay). The
summary (`m`, and at the end of a live run) is built from the view's `RunState`, the same state the metrics
panel reads, with the 1-agent baseline's makespan set on the view too, so both show the same speedup.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events as tev
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from teamtui.core import events as ev
from teamtui.core.clock import WallClock
from teamtui.core.state import RunState
from teamtui.runtime.engine import Engine
from teamtui.scenario.load import Fault, Scenario
from teamtui.ui import render
from teamtui.ui.screens.main import HelpScreen, PromptScreen, SummaryScreen, parse_delay, parse_groups
from teamtui.ui.view import LiveView
from teamtui.ui.widgets.panes import AgentPane, EventLog, Incidents

FPS = 10
MIN_SIZE = (100, 30)
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def _fault_binding(key: str, action: str, text: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, text, id=f"fault.{action}", tooltip=tip, show=show)


class TeamApp(App[int]):
    """See the module docstring."""

    CSS_PATH = "app.tcss"
    TITLE = "teamtui"
    ENABLE_COMMAND_PALETTE = True
    AUTO_FOCUS = ".agent"  # never the log filter: typed keys are fault keys until the user presses /
    BINDINGS: ClassVar[list[BindingType]] = [
        _fault_binding("k", "kill", "Kill", "Kill the focused agent; the team must reclaim what it held"),
        _fault_binding("r", "restart", "Restart", "Restart the focused agent if it is dead (fresh memory)",
                       show=False),
        _fault_binding("d", "delay", "Delay", "Slow the focused agent: a factor (3x), a duration (20s), +latency"),
        _fault_binding("s", "stall", "Stall/resume", "Freeze the focused agent mid-call, or let it go on"),
        _fault_binding("x", "isolate", "Isolate", "Partition the focused agent from the rest of the team"),
        _fault_binding("g", "partition", "Partition…", "Split the team into groups that cannot talk", show=False),
        _fault_binding("h", "heal", "Heal", "Heal every partition and link fault"),
        Binding("space", "pause", "Pause", id="run.pause", tooltip="Pause or resume the run clock"),
        Binding("plus,equals_sign", "faster", "Faster", id="run.faster", show=False, tooltip="Double the clock speed"),
        Binding("minus", "slower", "Slower", id="run.slower", show=False, tooltip="Halve the clock speed"),
        *(Binding(str(i), f"focus_agent({i})", f"Agent {i}", show=False, id=f"focus.{i}",
                  tooltip=f"Focus agent {i}") for i in range(1, 10)),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="focus.next", tooltip="Focus the next pane"),
        Binding("slash", "filter_log", "Filter log", id="log.filter", show=False,
                tooltip="Filter and search the event log"),
        Binding("m", "summary", "Summary", id="run.summary", tooltip="The metrics summary (at the end of the run)"),
        Binding("question_mark,f1", "help", "Help", id="app.help", tooltip="Every key and what it does"),
        Binding("q", "quit_run", "Quit", id="app.quit", tooltip="Stop the run cleanly and quit"),
    ]

    def __init__(self, scenario: Scenario | None = None, *, speed: float = 1.0, clock: WallClock | None = None,
                 events: Iterable[ev.Event] = (), workdir: Path | None = None, summary_at_end: bool = True,
                 baseline: list[ev.Event] | None = None, db: Path | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.clock = clock or WallClock(speed)
        self.view = LiveView()
        self.pending: deque[ev.Event] = deque()
        self.pending.extend(events)
        self.engine: Engine | None = None
        self.workdir = workdir
        self.summary_at_end = summary_at_end
        self.baseline = baseline
        """A 1-agent run of the same task and seed, for the summary's speedup (computed when None and sim)."""
        if baseline:
            from teamtui.metrics.summary import makespan_of

            self.view.baseline_makespan = makespan_of(baseline)
        self.selected = ""
        self.finished = asyncio.Event()
        self.quitting = False
        self.db = db
        self.recorder: Any = None
        self.recording_note = ""
        self._drawn: tuple[object, ...] = ()
        """What the last frame showed (view position, clock, size); a frame with nothing new draws nothing."""
        """What became of the recording (its run id, or why it stopped), printed after the UI closes."""

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The main screen's widgets are kept as attributes: `query_one` would search a modal screen on top.
        self.w_header, self.w_board, self.w_metrics = Static(id="header"), Static(id="board"), Static(id="metrics")
        self.w_agents, self.w_log, self.w_incidents = Vertical(id="agents"), EventLog(), Incidents()
        self.panes: list[AgentPane] = []
        yield self.w_header
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield self.w_agents
                yield self.w_log
            with Vertical(id="right"):
                with VerticalScroll(id="board-box"):
                    yield self.w_board
                yield self.w_incidents
                yield self.w_metrics
        yield Static(f"The terminal is too small for teamtui: it needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}. "
                     "Enlarge the window or reduce the font size.", id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#board-box").border_title = "task board"
        self.w_incidents.border_title = "conflicts & faults"
        self.w_metrics.border_title = "metrics"
        self.w_log.border_title = "event log"
        if self.scenario is not None:
            self.engine = Engine(self.scenario, self.clock, workdir=self.workdir)
            self.engine.on(self.pending.append)
            self.run_worker(self._run_engine(), name="engine", exit_on_error=False)
        self.frame()
        self.set_interval(1 / FPS, self.frame)
        self._check_size(self.size.width, self.size.height)

    def on_resize(self, event: tev.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        self.screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")

    async def _run_engine(self) -> None:
        assert self.engine is not None and self.scenario is not None
        if self.db is not None:
            from teamtui.store.recorder import Recorder
            from teamtui.store.schema import RecorderError

            self.recorder = Recorder(self.db)
            try:
                await self.recorder.open()
                run_id = await self.recorder.begin(self.scenario)
                self.engine.on(self.recorder.listener)
                self.recording_note = f"recorded as run {run_id} in {self.db}"
            except RecorderError as exc:
                self.recorder, self.recording_note = None, f"not recorded: {exc}"
                self.notify(self.recording_note, severity="warning", timeout=15)
        try:
            await self.engine.run()
        finally:
            await self._end_recording()
            self.finished.set()
        self.frame()
        if self.engine.error is not None:
            self.notify(f"the engine failed: {self.engine.error!r}", severity="error", timeout=30)
        if self.summary_at_end and self.is_running and not self.quitting:
            await self._push_summary()

    async def _end_recording(self) -> None:
        if self.recorder is None or self.engine is None:
            return
        from teamtui.metrics.summary import summarize
        from teamtui.store.recorder import run_status

        end = self.engine.events[-1] if self.engine.events else None
        status = run_status(end.status) if isinstance(end, ev.RunFinished) else "interrupted"
        metrics = summarize(self.engine.events).to_dict() if isinstance(end, ev.RunFinished) else None
        await self.recorder.end(status, metrics, end.makespan if isinstance(end, ev.RunFinished) else None)
        await self.recorder.close()
        if self.recorder.stopped:
            self.recording_note = self.recorder.stopped

    # -- the frame ---------------------------------------------------------------------------------

    def _fold_pending(self) -> None:
        while self.pending:
            self.view.apply(self.pending.popleft())

    def frame(self) -> None:
        """Fold pending events into the view and redraw what they changed."""
        self._fold_pending()
        if self.view.started is None:
            return
        if not self.panes:
            self._build_agents()
        if self.engine is not None and not self.engine.finished:
            self.view.state.advance(self.clock.now())
        key = (self.view.seq, self.view.now, self.view.baseline_makespan, self.clock.speed, self.clock.paused,
               self.size)
        if key == self._drawn:
            return  # nothing changed (a finished or paused run): redrawing every pane would only burn CPU
        self._drawn = key
        self.w_header.update(render.header(self.view, self.clock.speed, self.clock.paused))
        for pane in self.panes:
            pane.sync(self.view)
        self.w_board.update(render.task_board(self.view))
        self.w_incidents.sync(self.view)
        self.w_metrics.update(render.metrics(self.view, max(20, self.w_metrics.size.width - 2)))
        self.w_metrics.border_title = render.metrics_title(self.view)
        self.w_log.sync(self.view)

    def _build_agents(self) -> None:
        names = list(self.view.agents)
        cols = 1 if len(names) == 1 else 2 if len(names) <= 4 else 3
        self.w_agents.styles.grid_size_columns = cols
        self.w_agents.styles.grid_size_rows = -(-len(names) // cols)
        self.panes = [AgentPane(n, i + 1) for i, n in enumerate(names)]
        self.w_agents.mount_all(self.panes)
        self.selected = next((n for n, a in self.view.agents.items() if a.role != "lead"), names[0])

    def _focus_selected(self) -> None:
        for pane in self.panes:
            if pane.agent == self.selected:
                pane.focus()

    def on_descendant_focus(self, event: tev.DescendantFocus) -> None:
        if isinstance(event.widget, AgentPane):
            self.selected = event.widget.agent

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        inc = self.w_incidents
        if event.option_list is inc and 0 <= event.option_index < len(inc.seqs):
            self.w_log.jump_to(inc.seqs[event.option_index], self.view)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "log-filter":
            self._focus_selected()

    # -- intents -----------------------------------------------------------------------------------

    def _live(self) -> Engine | None:
        if self.engine is None:
            self.notify("this is a recorded run: faults need a live run", severity="warning")
            return None
        if self.engine.finished:
            self.notify("the run is over: faults have nothing to act on", severity="warning")
            return None
        return self.engine

    def inject(self, action: str, agent: str = "", **params: Any) -> bool:
        engine = self._live()
        if engine is None:
            return False
        engine.inject(Fault(action=action, agent=agent, **params), "user")
        self.frame()
        return True

    def action_kill(self, agent: str = "") -> None:
        name = agent or self.selected
        if not self.view.agents[name].alive:
            self.notify(f"{name} is already dead; press r to restart it", severity="warning")
            return
        self.inject("kill", name)

    def action_restart(self, agent: str = "") -> None:
        name = agent or self.selected
        if self.view.agents[name].alive:
            self.notify(f"{name} is alive; kill it first (k) to restart it", severity="warning")
            return
        self.inject("restart", name)

    def action_delay(self, agent: str = "") -> None:
        name = agent or self.selected
        if self._live() is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.inject("delay", name, **parse_delay(text))

        self.push_screen(PromptScreen(f"Delay {name}", "3x = three times slower, 20s = for 20 s, +5s = 5 s extra "
                                      "per call; Enter for 3x 20s", parse_delay), done)

    def action_stall(self, agent: str = "") -> None:
        name = agent or self.selected
        self.inject("resume" if self.view.agents[name].stall_injected else "stall", name)

    def action_isolate(self, agent: str = "") -> None:
        name = agent or self.selected
        self.inject("partition", groups=parse_groups("", list(self.view.agents), name))

    def action_partition(self) -> None:
        if self._live() is None:
            return
        names = list(self.view.agents)

        def done(text: str | None) -> None:
            if text is not None:
                self.inject("partition", groups=parse_groups(text, names, self.selected))

        self.push_screen(PromptScreen("Partition the team", f"groups like {names[0]},{names[-1]} | … (the rest form "
                                      f"a group); Enter alone isolates {self.selected}",
                                      lambda t: parse_groups(t, names, self.selected)), done)

    def action_heal(self) -> None:
        self.inject("heal")

    def action_pause(self) -> None:
        if self.clock.paused:
            self.clock.resume()
        else:
            self.clock.pause()
        self.frame()

    def _set_speed(self, step: int) -> None:
        now = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.clock.speed))
        self.clock.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, now + step))])
        self.frame()

    def action_faster(self) -> None:
        self._set_speed(+1)

    def action_slower(self) -> None:
        self._set_speed(-1)

    def action_focus_agent(self, index: int) -> None:
        panes = self.panes
        if 1 <= index <= len(panes):
            panes[index - 1].focus()
            self.selected = panes[index - 1].agent

    def action_filter_log(self) -> None:
        self.w_log.query_one("#log-filter", Input).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_summary(self) -> None:
        await self._push_summary()

    async def _summary_inputs(self) -> tuple[RunState, float | None, float | None]:
        """The final state, and the makespans of the 1-agent baseline and of the fault-free run (None: unknown)."""
        from teamtui.launch import baseline_of, is_sim, run_events
        from teamtui.metrics.summary import makespan_of

        self._fold_pending()
        base = self.view.baseline_makespan
        finished = self.view.finished is not None
        if base is None and finished and self.scenario is not None and is_sim(self.scenario):
            base = makespan_of(await asyncio.to_thread(run_events, baseline_of(self.scenario)))
        return self.view.state, base, None

    async def _push_summary(self) -> None:
        from teamtui.metrics.summary import metrics_of

        state, base, fault_free = await self._summary_inputs()
        if state.finished is None:
            self.notify("the summary appears when the run ends", severity="information")
            return
        if base != self.view.baseline_makespan:
            self.view.baseline_makespan = base  # the panel shows the summary's final speedup from now on
            self.frame()
        if not isinstance(self.screen, SummaryScreen):
            self.push_screen(SummaryScreen(state, metrics_of(state, base, fault_free)))

    async def action_quit_run(self) -> None:
        self.quitting = True
        if self.engine is not None and not self.engine.finished:
            self.engine.cancel()
            await asyncio.wait_for(self.finished.wait(), timeout=10)
        self.exit(0)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name in self.view.agents:
            yield SystemCommand(f"Fault: kill {name}", f"Kill {name}", lambda n=name: self.action_kill(n))
            yield SystemCommand(f"Fault: restart {name}", f"Restart {name}", lambda n=name: self.action_restart(n))
            yield SystemCommand(f"Fault: delay {name}", f"Slow {name} down", lambda n=name: self.action_delay(n))
            yield SystemCommand(f"Fault: stall or resume {name}", f"Freeze {name}", lambda n=name: self.action_stall(n))
            yield SystemCommand(f"Fault: isolate {name}", f"Partition {name} from the team",
                                lambda n=name: self.action_isolate(n))
        yield SystemCommand("Fault: partition into groups", "Split the team", self.action_partition)
        yield SystemCommand("Fault: heal the network", "Heal every partition", self.action_heal)
        yield SystemCommand("Run: pause or resume", "Pause the run clock", self.action_pause)
        yield SystemCommand("Run: faster", "Double the speed", self.action_faster)
        yield SystemCommand("Run: slower", "Halve the speed", self.action_slower)
        yield SystemCommand("View: summary", "The end-of-run summary", self.action_summary)
        yield SystemCommand("View: keys", "Every key binding", self.action_help)
        yield SystemCommand("Log: filter", "Filter and search the event log", self.action_filter_log)
