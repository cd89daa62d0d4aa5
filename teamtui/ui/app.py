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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events as tev
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static

from teamtui.core import events as ev
from teamtui.core.clock import WallClock
from teamtui.core.faults import Fault, Heal, Kill, Partition, Restart, Resume, Stall, Undelay
from teamtui.core.printable import shown
from teamtui.core.state import RunState
from teamtui.launch import Run
from teamtui.runtime.engine import Engine
from teamtui.scenario.spec import Scenario
from teamtui.ui import redraw, render
from teamtui.ui.aimbreak import AimBreakActions, BreakWatch
from teamtui.ui.parsers import filter_problem, parse_agent, parse_delay, parse_groups
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.prompt import PromptScreen
from teamtui.ui.screens.summary import SummaryScreen
from teamtui.ui.view import LiveView
from teamtui.ui.widgets.panes import AgentGrid, AgentPane, EventLog, Incidents
from teamtui.ui.widgets.status import StatusLine

FPS = 5
"""Frames a second: the header's clock (shown to a tenth of a second) moves on at this rate."""
BODY_EVERY = 2
"""The frame timer redraws all but the header at most every second frame (2.5 times a second)."""
MIN_SIZE = (100, 30)
RIGHT_COLUMN = (37, 46)
"""The right column's width, least and most. Narrowing the terminal takes columns from it first: the panes
keep their width (the terminal's least width less its least) until it is down to its least, at MIN_SIZE."""
PANE_MIN_ROWS = 6
"""An agent pane's least height: its border, its title and three lines of its stream."""
PANE_MIN_WIDTH = 28
"""Four columns of panes only when each gets at least this many columns."""
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def _fault_binding(key: str, action: str, text: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, text, id=f"fault.{action}", tooltip=tip, show=show)


class TeamApp(AimBreakActions, App[int]):
    """See the module docstring."""

    target: reactive[str] = reactive("", init=False)
    """The agent the next fault key acts on: the last agent pane focused ("" until the team has started). The
    status line names it, and it stays when `tab` moves the focus out of the panes."""

    CSS_PATH = "app.tcss"
    TITLE = "teamtui"
    ENABLE_COMMAND_PALETTE = True
    AUTO_FOCUS = ".agent"  # never the log filter: typed keys are fault keys until the user presses /
    BINDINGS: ClassVar[list[BindingType]] = [
        _fault_binding("k", "kill", "Kill", "Kill the target (named in the status line); the team must reclaim "
                       "what it held"),
        _fault_binding("r", "restart", "Restart", "Restart the target if it is dead (fresh memory)",
                       show=False),
        _fault_binding("d", "delay", "Delay/clear", "Slow the target: a factor (3x), a duration (20s), +latency; "
                       "'clear' ends its delay"),
        _fault_binding("s", "stall", "Stall", "Freeze the target mid-call, or let it go on (resume)"),
        _fault_binding("x", "isolate", "Isolate", "Partition the target from the rest of the team"),
        _fault_binding("g", "partition", "Partition…", "Split the team into groups that cannot talk", show=False),
        _fault_binding("h", "heal", "Heal", "Heal every partition and link fault"),
        _fault_binding("K", "kill_holder", "Kill holder", "Kill whoever holds the most work when the fault lands",
                       show=False),
        Binding("b", "breakpoint", "Break on…", id="run.breakpoint", show=False,
                tooltip="Pause on a conflict, stall, straggler, recovery, test failures, cost or a message pattern"),
        Binding("space", "pause", "Pause", id="run.pause", tooltip="Pause or resume the run clock"),
        Binding("plus,equals_sign", "faster", "Faster", id="run.faster", show=False, tooltip="Double the clock speed"),
        Binding("minus", "slower", "Slower", id="run.slower", show=False, tooltip="Halve the clock speed"),
        *(Binding(str(i), f"focus_agent({i})", f"Agent {i}", show=False, id=f"focus.{i}",
                  tooltip=f"Focus agent {i}: the target of the next fault") for i in range(1, 10)),
        Binding("0", "focus_agent(10)", "Agent 10", show=False, id="focus.10",
                tooltip="Focus agent 10: the target of the next fault"),
        Binding("f", "goto_agent", "Focus…", show=False, id="focus.goto",
                tooltip="Focus an agent by number or name (agents 11 and up)"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="focus.next",
                tooltip="Focus the next pane (the fault target stays the last agent focused)"),
        Binding("slash", "filter_log", "Filter log", id="log.filter", show=False,
                tooltip="Filter and search the event log (escape goes back to the target)"),
        Binding("escape", "leave_filter", "Back", id="log.leave", show=False,
                tooltip="Leave the log filter: focus goes back to the target's pane"),
        Binding("m", "summary", "Summary", id="run.summary", tooltip="The metrics summary (at the end of the run)"),
        Binding("question_mark,f1", "help", "Help", id="app.help", tooltip="Every key and what it does"),
        Binding("q", "quit_run", "Quit", id="app.quit", tooltip="Stop the run cleanly and quit"),
        Binding("ctrl+q", "quit_run", "Quit", show=False, priority=True, id="app.quit_ctrl",
                tooltip="Stop the run cleanly and quit"),
        Binding("ctrl+c", "interrupt", "Interrupt", show=False, priority=True, id="app.interrupt",
                tooltip="Interrupt the run (recorded as interrupted) and quit with exit code 130"),
    ]

    def __init__(self, scenario: Scenario | None = None, *, speed: float = 1.0, events: Iterable[ev.Event] = (),
                 workdir: Path | None = None, summary_at_end: bool = True, db: Path | None = None,
                 baseline: Sequence[ev.Event] | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.run_handle: Run | None = None
        self.clock: WallClock | RunClock = WallClock(speed)
        self.breaks = BreakWatch(scenario.breakpoints if scenario is not None else ())
        if scenario is not None:
            self.run_handle = Run(scenario, speed=speed, db=db, workdir=workdir,
                                  listener=self.breaks.listener(self.pending_append))
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
        self._over = False
        """Whether the footer shows the keys of a run that has ended."""
        self._drawn: tuple[object, ...] = ()
        """What the last frame showed (view position, clock, size); a frame with nothing new draws nothing."""
        self.frame_timer: Timer | None = None
        """The frame timer; it belongs to the main screen, so it stops before the screen's widgets go."""
        self.prompt_paused = False
        """Whether an open prompt paused the clock (it resumes when the prompt closes)."""
        self.drawn = redraw.Drawn()
        self._ticks = 0
        """What each widget last drew: a frame redraws only the widgets whose content changed."""

    @property
    def selected(self) -> str:
        """The fault target (the name older code and tests use)."""
        return self.target

    @selected.setter
    def selected(self, name: str) -> None:
        self.target = name

    def watch_target(self, name: str) -> None:
        if hasattr(self, "w_status"):
            self.w_status.target = name
            self.w_status.index = next((p.index for p in self.panes if p.agent == name), 0)

    FAULT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"kill", "restart", "delay", "stall", "isolate", "partition", "heal", "kill_holder"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer is contextual: while the run goes it shows the fault keys and pause, once the run has ended
        the summary instead (a key it hides does nothing: there is nothing for it to act on)."""
        over = self.view.finished is not None
        if action in self.FAULT_ACTIONS or action == "pause":
            return not over
        if action == "summary":
            return over
        return True

    def pending_append(self, event: ev.Event) -> None:
        """The run's listener (called on the run's thread): queue the event for the next frame."""
        self.pending.append(event)

    @property
    def engine(self) -> Engine | None:
        return self.run_handle.engine if self.run_handle is not None else None

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The main screen's widgets are kept as attributes: `query_one` would search a modal screen on top.
        self.w_header, self.w_board, self.w_metrics = Static(id="header"), Static(id="board"), Static(id="metrics")
        self.w_agents, self.w_log, self.w_incidents = AgentGrid(id="agents"), EventLog(), Incidents()
        self.w_status = StatusLine(id="status")
        self.panes: list[AgentPane] = []
        yield self.w_header
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield self.w_agents
                yield self.w_log
            with Vertical(id="right") as self.w_right:
                with VerticalScroll(id="board-box"):
                    yield self.w_board
                yield self.w_incidents
                with VerticalScroll(id="metrics-box"):  # scrolls when a big team's matrix does not fit
                    yield self.w_metrics
        yield Static(f"The terminal is too small for teamtui: it needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}. "
                     "Enlarge the window or reduce the font size.", id="too-small")
        yield self.w_status
        yield Footer(show_command_palette=False)  # ctrl+p is in the help: the footer keeps its room for keys

    def on_mount(self) -> None:
        self.query_one("#board-box").border_title = "task board"
        self.w_incidents.border_title = "conflicts & faults"
        self.w_metrics_box = self.query_one("#metrics-box")
        self.w_metrics_box.border_title = "metrics"
        self.w_log.border_title = "event log"
        self._app_loop = asyncio.get_running_loop()
        if self.run_handle is not None:
            self.run_handle.start()
        self.frame()
        # On the main screen, not the app: a screen stops its timers before its widgets are removed, while the
        # app's own timers run until every screen has gone (a frame then met an event log without its #log).
        self.frame_timer = self.screen.set_interval(1 / FPS, self._frame_tick)
        self._check_size(self.size.width, self.size.height)
        self.call_after_refresh(self.frame)  # the panels are drawn to their width: draw again once laid out

    def on_resize(self, event: tev.Resize) -> None:
        self._check_size(event.size.width, event.size.height)
        self.call_after_refresh(self._layout_agents)
        self.call_after_refresh(self.frame)  # at once in the new widths, not at the next timer tick

    def _check_size(self, width: int, height: int) -> None:
        self.screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        least, most = RIGHT_COLUMN
        self.w_right.styles.width = max(least, min(most, width - (MIN_SIZE[0] - least)))

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
            self.call_later(self._push_summary)

    # -- the frame ---------------------------------------------------------------------------------

    def _fold_pending(self) -> None:
        while self.pending:
            self.view.apply(self.pending.popleft())

    def _frame_tick(self) -> None:
        """The frame timer: the header (the clock) every frame, the rest at most every `BODY_EVERY`-th."""
        self._ticks += 1
        self.frame(body=self._ticks % BODY_EVERY == 0)

    def frame(self, body: bool = True) -> None:
        """Fold pending events into the view and redraw what they changed (with `body` False: only the header)."""
        if not self.w_log.is_attached:
            return  # the app is closing: its widgets are going or gone
        self._fold_pending()
        self.show_break()
        run = self.run_handle
        if run is not None and not self.ended and run.done.is_set() and run.outcome is None:
            self._run_ended()  # a run that failed before its first event has nothing to draw
            return
        if self.view.started is None:
            return
        if not self.panes:
            self._build_agents()
        if run is not None and not self.ended and run.done.is_set() and not self.pending:
            self._run_ended()
        if run is not None and self.view.baseline_makespan is None and run.t1 is not None:
            self.view.baseline_makespan = run.t1  # the 1-agent baseline, computed alongside the run
        if run is not None and not run.done.is_set() and self.view.finished is None:
            self.view.state.advance(self.clock.now())
        key = (self.view.seq, self.view.now, self.view.baseline_makespan, self.clock.speed, self.clock.paused,
               self.size, self.w_metrics.size.width, self.w_board.size.width)  # the panels are drawn to their width
        if key == self._drawn:
            return  # nothing changed (a finished or paused run): redrawing every pane would only burn CPU
        if (self.view.finished is not None) != self._over:  # the footer changes with the run's end
            self._over = self.view.finished is not None
            self.w_status.over = self._over
            self.refresh_bindings()
        if body:
            self._drawn = key
        self._redraw(body)

    def _redraw(self, body: bool = True) -> None:
        """Refresh the widgets whose content changed (`teamtui.ui.redraw`). While the run goes most frames only
        move the clock: the header shows it to a tenth of a second; everything else changes with events, and
        with the clock only in whole run seconds (a pane's "acting", the elapsed time, idle fraction and
        speedup estimate of the metrics), so that those redraw together, in one screen update a second; the
        frame timer draws them at most every `BODY_EVERY`-th frame (an intent draws them at once), so that a
        burst of events makes one screen update, not several."""
        v, drawn = self.view, self.drawn
        events = (v.seq, v.baseline_makespan)  # what only events (and the baseline) change
        redraw.put(self.w_header, drawn, "header",
                   (*events, f"{v.now:.1f}", self.clock.speed, self.clock.paused, self.size.width),
                   self.header_text)
        widths = (self.size, self.w_metrics.size.width, self.w_board.size.width)  # panels are drawn to their width
        if not body or not drawn.changed("body", (id(v), *events, int(v.now), widths)):
            return
        for pane in self.panes:
            pane.sync(v)
        board_width = self.w_board.size.width
        redraw.put(self.w_board, drawn, "board", (v.seq, board_width), lambda: render.task_board(v, board_width),
                   rows=len(v.state.tasks))  # one row per subtask, never wrapped
        self.w_incidents.sync(v)
        width = max(20, self.w_metrics.size.width)
        if redraw.put(self.w_metrics, drawn, "metrics", (*events, int(v.now), width),
                      lambda: render.metrics(v, width), rows=redraw.HEIGHT):
            title = render.metrics_title(v)
            if self.w_metrics_box.border_title != title:
                self.w_metrics_box.border_title = title
        self.w_log.sync(v)

    def header_text(self) -> Text:
        """The header for this frame, fitted to the terminal's width (replay adds where it stands)."""
        return render.header(self.view, self.clock.speed, self.clock.paused, self.size.width)

    def _build_agents(self) -> None:
        names = list(self.view.agents)
        self.panes = [AgentPane(n, i + 1) for i, n in enumerate(names)]
        self.w_agents.mount_all(self.panes)
        self._layout_agents()
        self.call_after_refresh(self._layout_agents)  # again once the panes area has its size
        self.target = next((n for n, a in self.view.agents.items() if a.role != "lead"), names[0])

    def _layout_agents(self) -> None:
        """The panes' grid: 1–4 columns by team size and width; rows share the height while each still gets
        PANE_MIN_ROWS, else rows are PANE_MIN_ROWS high and the panes area scrolls (focus scrolls to a pane)."""
        n = len(self.panes)
        if not n:
            return
        width, height = self.w_agents.size.width or self.size.width, self.w_agents.size.height
        cols = 1 if n == 1 else 2 if n <= 4 else 3 if n <= 9 or width < 4 * PANE_MIN_WIDTH else 4
        rows = -(-n // cols)
        self.w_agents.styles.grid_size_columns = cols
        self.w_agents.styles.grid_size_rows = rows
        self.w_agents.styles.grid_rows = "1fr" if not height or height >= rows * PANE_MIN_ROWS else str(PANE_MIN_ROWS)

    def _focus_selected(self) -> None:
        for pane in self.panes:
            if pane.agent == self.target:
                pane.focus()

    def on_descendant_focus(self, event: tev.DescendantFocus) -> None:
        if isinstance(event.widget, AgentPane):
            self.target = event.widget.agent

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        inc = self.w_incidents
        if event.option_list is inc and 0 <= event.option_index < len(inc.seqs):
            self.w_log.jump_to(inc.seqs[event.option_index], self.view)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "log-filter":
            self._focus_selected()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "log-filter":
            from teamtui.core.events import EVENT_TYPES

            problem = filter_problem(event.value.split(), list(self.view.agents), EVENT_TYPES)
            self.w_log.border_subtitle = problem or None

    # -- intents -----------------------------------------------------------------------------------

    def _live(self) -> Run | None:
        run = self.run_handle
        if run is None:
            self.notify("this is a recorded run: faults need a live run", severity="warning")
            return None
        if run.engine is None or run.engine.finished or run.done.is_set():
            self.notify("the run is over: faults have nothing to act on", severity="warning")
            return None
        return run

    def inject(self, fault: Fault) -> bool:
        run = self._live()
        if run is None:
            return False
        run.inject(fault, "user")
        self.frame()
        return True

    def _aim(self, agent: str = "") -> str | None:
        """The agent a fault key acts on (the one named, else the target), or None, said in a notice, while the
        run cannot take a fault or no agent is known yet (a key pressed while the team is starting)."""
        if self._live() is None:
            return None
        self._fold_pending()
        name = agent or self.target
        if name not in self.view.agents:
            self.notify("no agent to target yet: the team is starting; press the key again in a moment",
                        severity="warning")
            return None
        return name

    def action_kill(self, agent: str = "") -> None:
        name = self._aim(agent)
        if name is None:
            return
        if not self.view.agents[name].alive:
            self.notify(f"{shown(name)} is already dead; press r to restart it", severity="warning")
            return
        self.inject(Kill(name))

    def action_restart(self, agent: str = "") -> None:
        name = self._aim(agent)
        if name is None:
            return
        if self.view.agents[name].alive:
            self.notify(f"{shown(name)} is alive; kill it first (k) to restart it", severity="warning")
            return
        self.inject(Restart(name))

    def action_delay(self, agent: str = "") -> None:
        name = self._aim(agent)
        if name is None:
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            fault = parse_delay(text, name)
            if isinstance(fault, Undelay) and self.view.agents[name].delay is None:
                self.notify(f"{shown(name)} has no delay to clear", severity="information")
                return
            self.inject(fault)

        self.ask(f"Delay {shown(name)}", "3x = three times slower, 20s = for 20 s, +5s = 5 s extra per call, "
                 "clear = end its delay; Enter for 3x 20s", lambda t: parse_delay(t, name), done)

    def action_stall(self, agent: str = "") -> None:
        name = self._aim(agent)
        if name is None:
            return
        self.inject(Resume(name) if self.view.agents[name].stall_injected else Stall(name))

    def action_isolate(self, agent: str = "") -> None:
        name = self._aim(agent)
        if name is None:
            return
        self.inject(Partition(parse_groups("", list(self.view.agents), name)))

    def action_partition(self) -> None:
        name = self._aim()
        if name is None:
            return
        names = list(self.view.agents)

        def done(text: str | None) -> None:
            if text is not None:
                self.inject(Partition(parse_groups(text, names, name)))

        self.ask("Partition the team", f"groups like {shown(names[0])},{shown(names[-1])} | … (names or numbers; "
                 f"the rest form a group); Enter alone isolates {shown(name)}",
                 lambda t: parse_groups(t, names, name), done)

    # -- prompts -----------------------------------------------------------------------------------

    def ask(self, title: str, hint: str, check: Callable[[str], object], done: Callable[[str | None], None]) -> None:
        """Open a prompt; the clock stands still while it is open (and the prompt says so), and goes on when it
        closes unless the user had paused it."""
        held = self._prompt_hold()
        self.prompt_paused = held
        note = ("the run is paused while you type; it goes on when you press Enter or Escape" if held
                else "the run is paused" if self._is_paused() else "")
        self.w_status.note = "paused while you type" if held else ""

        def closed(text: str | None) -> None:
            try:
                done(text)
            finally:
                if held:
                    self._prompt_release()
                self.prompt_paused = False
                self.w_status.note = ""
                self.frame()

        self.push_screen(PromptScreen(title, hint, check, note=note), closed)

    def _is_paused(self) -> bool:
        return self.clock.paused

    def _prompt_hold(self) -> bool:
        """Pause the clock for a prompt; whether this paused it (False: it was paused already, or has no run)."""
        if self.run_handle is None or self.ended or self.clock.paused:
            return False
        self.clock.pause()
        return True

    def _prompt_release(self) -> None:
        if self.clock.paused:
            self.clock.resume()

    def action_heal(self) -> None:
        self.inject(Heal())

    def action_pause(self) -> None:
        if self.clock.paused:
            self.clock.resume()
            self.w_status.note = ""  # a breakpoint's note goes with the pause
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
            self.target = panes[index - 1].agent
        elif panes:
            self.notify(f"there is no agent {index}: agents go from 1 to {len(panes)}", severity="information")
        else:
            self.notify("no agent to focus yet: the team is starting", severity="information")

    def action_goto_agent(self) -> None:
        names = [p.agent for p in self.panes]
        if not names:
            self.notify("no agent to focus yet: the team is starting", severity="information")
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.action_focus_agent(names.index(parse_agent(text, names)) + 1)

        self.ask("Focus an agent", f"a number from 1 to {len(names)} or a name", lambda t: parse_agent(t, names),
                 done)

    def action_leave_filter(self) -> None:
        if isinstance(self.focused, Input) and self.focused.id == "log-filter":
            self._focus_selected()

    def action_filter_log(self) -> None:
        self.w_log.query_one("#log-filter", Input).focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_summary(self) -> None:
        await self._push_summary()

    async def _summary_inputs(self) -> tuple[RunState, float | None, float | None]:
        """The final state, and the makespans of the 1-agent baseline and of the fault-free run (None: unknown).
        Replay overrides it (the recording's end, and the baselines stored with the run)."""
        self._fold_pending()
        return self.view.state, self.view.baseline_makespan, None

    async def _push_summary(self) -> None:
        from teamtui.metrics.summary import metrics_of

        state, base, fault_free = await self._summary_inputs()
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
        for name in self.view.agents:
            yield SystemCommand(f"Fault: kill {name}", f"Kill {name}", lambda n=name: self.action_kill(n))
            yield SystemCommand(f"Fault: restart {name}", f"Restart {name}", lambda n=name: self.action_restart(n))
            yield SystemCommand(f"Fault: delay {name}", f"Slow {name} down", lambda n=name: self.action_delay(n))
            yield SystemCommand(f"Fault: stall or resume {name}", f"Freeze {name}", lambda n=name: self.action_stall(n))
            yield SystemCommand(f"Fault: isolate {name}", f"Partition {name} from the team",
                                lambda n=name: self.action_isolate(n))
        yield from self.aim_commands()
        yield SystemCommand("Fault: partition into groups", "Split the team", self.action_partition)
        yield SystemCommand("Fault: heal the network", "Heal every partition", self.action_heal)
        yield SystemCommand("Run: pause or resume", "Pause the run clock", self.action_pause)
        yield SystemCommand("Run: faster", "Double the speed", self.action_faster)
        yield SystemCommand("Run: slower", "Halve the speed", self.action_slower)
        yield SystemCommand("View: focus an agent", "Make an agent the fault target, by number or name",
                            self.action_goto_agent)
        yield SystemCommand("View: summary", "The end-of-run summary", self.action_summary)
        yield SystemCommand("View: keys", "Every key binding", self.action_help)
        yield SystemCommand("Log: filter", "Filter and search the event log", self.action_filter_log)


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
