"""The monitor's main screen, shared by live runs and replays: the panes, the frame that redraws them, focus and target.

`MonitorScreen` composes the widgets (`teamtui.ui.widgets`), draws the app's `LiveView` at `FPS` frames a
second and keeps the UI state: `target`, the agent the next fault key acts on (a reactive the status line is
bound to). Its widgets never reach into the app: they post messages (`AgentPane.Targeted`,
`EventLog.FilterChanged`, `Incidents.Jump`) that this screen handles. The keys both screens share
(focus, log filter, summary, help, quit) are its `BINDINGS`; `RunScreen` adds the fault and clock keys,
`ReplayScreen` the player's. A new key: a `Binding` in the screen's `BINDINGS` and an `action_*` method
on that screen (see `teamtui/ui/screens/run.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import events as tev
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from teamtui.core.events import EVENT_TYPES
from teamtui.ui import redraw, render
from teamtui.ui.host import MonitorHost
from teamtui.ui.palette import DEFAULT, palette_of
from teamtui.ui.parsers import filter_problem, parse_agent
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.prompt import PromptScreen
from teamtui.ui.widgets.panes import AgentGrid, AgentPane, EventLog, Incidents
from teamtui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from teamtui.ui.view import LiveView

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


class MonitorScreen(Screen[None]):
    """See the module docstring."""

    AUTO_FOCUS = ".agent"  # never the log filter: typed keys are fault keys until the user presses /
    SHARED_BINDINGS: ClassVar[list[BindingType]] = [
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
        Binding("q", "app.quit_run", "Quit", id="app.quit", tooltip="Stop the run cleanly and quit"),
    ]
    """The keys both screens have; each screen's `BINDINGS` lists its own keys first (the footer's order)."""

    target: reactive[str] = reactive("", init=False)
    """The agent the next fault key acts on: the last agent pane focused ("" until the team has started). The
    status line is bound to it, and it stays when `tab` moves the focus out of the panes."""

    def __init__(self) -> None:
        super().__init__(id="main")
        self.panes: list[AgentPane] = []
        self.drawn = redraw.Drawn()
        """What each widget last drew: a frame redraws only the widgets whose content changed."""
        self._drawn: tuple[object, ...] = ()
        """What the last frame showed (view position, clock, size); a frame with nothing new draws nothing."""
        self._over = False
        """Whether the footer shows the keys of a run that has ended."""
        self._ticks = 0
        self.palette = DEFAULT
        """The colours of the Rich renderables, from the app's theme (`$accent`... in app.tcss for the CSS)."""

    @property
    def host(self) -> MonitorHost:
        """The app, as this screen sees it."""
        return cast("MonitorHost", self.app)

    @property
    def view(self) -> LiveView:
        return self.host.view

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Kept as attributes: `app.query_one` would search a modal screen on top.
        self.w_header, self.w_board, self.w_metrics = Static(id="header"), Static(id="board"), Static(id="metrics")
        self.w_agents, self.w_log, self.w_incidents = AgentGrid(id="agents"), EventLog(), Incidents()
        self.w_status = StatusLine(id="status").data_bind(target=MonitorScreen.target)
        yield self.w_header
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield self.w_agents
                yield self.w_log
            with Vertical(id="right") as self.w_right:
                with VerticalScroll(id="board-box") as box:
                    box.border_title = "task board"
                    yield self.w_board
                yield self.w_incidents
                with VerticalScroll(id="metrics-box") as self.w_metrics_box:  # scrolls when a big matrix does not fit
                    self.w_metrics_box.border_title = "metrics"
                    yield self.w_metrics
        yield Static(f"The terminal is too small for teamtui: it needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}. "
                     "Enlarge the window or reduce the font size.", id="too-small")
        yield self.w_status
        yield Footer(show_command_palette=False)  # ctrl+p is in the help: the footer keeps its room for keys

    def on_mount(self) -> None:
        self._theme_changed()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._theme_changed())
        self.w_incidents.border_title = "conflicts & faults"
        self.w_log.border_title = "event log"
        self.frame()
        # The screen's timer: a screen stops its timers before its widgets are removed, while the app's own run
        # until every screen has gone (a frame then met an event log without its #log).
        self.frame_timer = self.set_interval(1 / FPS, self._frame_tick)
        self._check_size(self.app.size.width, self.app.size.height)
        self.call_after_refresh(self.frame)  # the panels are drawn to their width: draw again once laid out

    def on_resize(self, event: tev.Resize) -> None:
        self._check_size(event.size.width, event.size.height)
        self.call_after_refresh(self._layout_agents)
        self.call_after_refresh(self.frame)  # at once in the new widths, not at the next timer tick

    def _check_size(self, width: int, height: int) -> None:
        self.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        least, most = RIGHT_COLUMN
        self.w_right.styles.width = max(least, min(most, width - (MIN_SIZE[0] - least)))

    def _build_agents(self) -> None:
        names = list(self.view.agents)
        self.panes = [AgentPane(n, i + 1) for i, n in enumerate(names)]
        self.w_agents.mount_all(self.panes)
        self._layout_agents()
        self.call_after_refresh(self._layout_agents)  # again once the panes area has its size
        self.target = next((n for n, a in self.view.agents.items() if a.role != "lead"), names[0])
        if not isinstance(self.focused, Input):  # the first worker starts focused, unless the user is typing
            self.call_after_refresh(self.focus_target)

    def _layout_agents(self) -> None:
        """The panes' grid: 1–4 columns by team size and width; rows share the height while each still gets
        PANE_MIN_ROWS, else rows are PANE_MIN_ROWS high and the panes area scrolls (focus scrolls to a pane)."""
        n = len(self.panes)
        if not n:
            return
        width, height = self.w_agents.size.width or self.app.size.width, self.w_agents.size.height
        cols = 1 if n == 1 else 2 if n <= 4 else 3 if n <= 9 or width < 4 * PANE_MIN_WIDTH else 4
        rows = -(-n // cols)
        self.w_agents.styles.grid_size_columns = cols
        self.w_agents.styles.grid_size_rows = rows
        self.w_agents.styles.grid_rows = "1fr" if not height or height >= rows * PANE_MIN_ROWS else str(PANE_MIN_ROWS)

    # -- the frame ---------------------------------------------------------------------------------

    def _frame_tick(self) -> None:
        """The frame timer: the header (the clock) every frame, the rest at most every `BODY_EVERY`-th."""
        self._ticks += 1
        self.frame(body=self._ticks % BODY_EVERY == 0)

    def frame(self, body: bool = True) -> None:
        """Fold pending events into the view and redraw what they changed (with `body` False: only the header)."""
        if not self.w_log.is_attached:
            return  # the app is closing: its widgets are going or gone
        app, clock = self.app, self.host.clock
        if not self.host.fold():
            return
        if not self.panes:
            self._build_agents()
        key = (self.view.seq, self.view.now, self.view.baseline_makespan, clock.speed, clock.paused,
               app.size, self.w_metrics.size.width, self.w_board.size.width)  # the panels are drawn to their width
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
        with the clock only in whole run seconds, so that those redraw together, in one screen update a second;
        the frame timer draws them at most every `BODY_EVERY`-th frame (an intent draws them at once)."""
        v, drawn, clock = self.view, self.drawn, self.host.clock
        events = (v.seq, v.baseline_makespan)  # what only events (and the baseline) change
        pal = self.palette
        redraw.put(self.w_header, drawn, "header",
                   (*events, f"{v.now:.1f}", clock.speed, clock.paused, self.app.size.width), self.header_text)
        widths = (self.app.size, self.w_metrics.size.width, self.w_board.size.width)
        if not body or not drawn.changed("body", (id(v), *events, int(v.now), widths)):
            return
        for pane in self.panes:
            pane.sync(v, pal)
        board_width = self.w_board.size.width
        redraw.put(self.w_board, drawn, "board", (v.seq, board_width), lambda: render.task_board(v, board_width, pal),
                   rows=len(v.state.tasks))  # one row per subtask, never wrapped
        self.w_incidents.sync(v, pal)
        width = max(20, self.w_metrics.size.width)
        if redraw.put(self.w_metrics, drawn, "metrics", (*events, int(v.now), width),
                      lambda: render.metrics(v, width, pal), rows=redraw.HEIGHT):
            title = render.metrics_title(v)
            if self.w_metrics_box.border_title != title:
                self.w_metrics_box.border_title = title
        self.w_log.sync(v)

    def header_text(self) -> Text:
        """The header for this frame, fitted to the terminal's width (replay adds where it stands)."""
        clock = self.host.clock
        return render.header(self.view, clock.speed, clock.paused, self.app.size.width, pal=self.palette)

    def _theme_changed(self) -> None:
        """A new theme: every renderable is drawn again in its colours (the CSS restyles itself)."""
        palette = palette_of(self.app.get_css_variables())
        if palette == self.palette:
            return
        self.palette = self.w_log.palette = palette
        self.redraw_all()
        for pane in self.panes:
            pane.shown_title = ()
        self.w_incidents.rev = -1
        if self.w_log.is_mounted:
            self.w_log.rebuild(self.view.log)
        self.frame()

    def redraw_all(self) -> None:
        """Forget what every widget shows, so that the next frame draws it all again (a new view, a new theme)."""
        self._drawn = ()
        self.drawn = redraw.Drawn()

    # -- messages from the widgets ------------------------------------------------------------------

    def on_agent_pane_targeted(self, message: AgentPane.Targeted) -> None:
        self.target = message.agent

    def watch_target(self, name: str) -> None:
        self.w_status.index = next((p.index for p in self.panes if p.agent == name), 0)

    def on_incidents_jump(self, message: Incidents.Jump) -> None:
        self.w_log.jump_to(message.seq, self.view)

    def on_event_log_filter_changed(self, message: EventLog.FilterChanged) -> None:
        self.w_log.border_subtitle = filter_problem(message.words, list(self.view.agents), EVENT_TYPES) or None
        self.w_log.rebuild(self.view.log, mark=message.mark)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "log-filter":
            self.focus_target()

    def focus_target(self) -> None:
        for pane in self.panes:
            if pane.agent == self.target:
                pane.focus()

    # -- prompts -----------------------------------------------------------------------------------

    def ask(self, title: str, hint: str, check: Callable[[str], object], done: Callable[[str | None], None]) -> None:
        """Open a prompt; the clock stands still while it is open (and the prompt says so), and goes on when it
        closes unless the user had paused it."""
        held = self.prompt_hold()
        self.host.prompt_paused = held
        note = ("the run is paused while you type; it goes on when you press Enter or Escape" if held
                else "the run is paused" if self.is_paused() else "")
        self.w_status.note = "paused while you type" if held else ""

        def closed(text: str | None) -> None:
            try:
                done(text)
            finally:
                if held:
                    self.prompt_release()
                self.host.prompt_paused = False
                self.w_status.note = ""
                self.frame()

        self.app.push_screen(PromptScreen(title, hint, check, note=note), closed)

    def is_paused(self) -> bool:
        return self.host.clock.paused

    def prompt_hold(self) -> bool:
        """Pause the clock for a prompt; whether this paused it (False: it was paused already, or has no run)."""
        return False

    def prompt_release(self) -> None:
        """Undo `prompt_hold` when the prompt closes."""

    # -- actions both screens have ------------------------------------------------------------------

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
            self.focus_target()

    def action_filter_log(self) -> None:
        self.w_log.query_one("#log-filter", Input).focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([*self.BINDINGS, *self.app.BINDINGS]))

    async def action_summary(self) -> None:
        await self.host.push_summary()

    def action_pause(self) -> None:
        clock = self.host.clock
        if clock.paused:
            clock.resume()
        else:
            clock.pause()
        self.frame()

    def _set_speed(self, step: int) -> None:
        clock = self.host.clock
        now = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - clock.speed))
        clock.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, now + step))])
        self.frame()

    def action_faster(self) -> None:
        self._set_speed(+1)

    def action_slower(self) -> None:
        self._set_speed(-1)
