"""The replay's screen: the monitor with a timeline over it and the player's keys instead of the fault keys.

A step or a short hop forwards folds the events in between at once; going back, or far ahead, rebuilds the
view from the recording's nearest checkpoint (`view_at`) in a thread worker, so a long seek never blocks the
UI: keys still work meanwhile, the header keeps the old point until the new view is installed, and a newer
seek cancels an older one. Where new replay keys go: a `Binding` in `ReplayScreen.BINDINGS` and an
`action_*` method here; `self.host.player` is the cursor, `self.seek(pos)` moves it.
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.worker import Worker, get_current_worker

from teamtui.store.recording import CHECKPOINT_EVERY
from teamtui.ui import render
from teamtui.ui.host import ReplayHost
from teamtui.ui.parsers import parse_seek
from teamtui.ui.render import ReplayPosition
from teamtui.ui.screens.monitor import MonitorScreen
from teamtui.ui.view import LiveView, view_at
from teamtui.ui.widgets.scrubber import Scrubber, timeline

TICK_S = 1 / 20
"""How often the player hands the events it has reached to the monitor."""


class ReplayScreen(MonitorScreen):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Play/pause", id="replay.play", tooltip="Play or pause the replay"),
        Binding("left", "step(-1)", "Back", id="replay.back", tooltip="One event backwards (pauses)"),
        Binding("right", "step(1)", "Step", id="replay.step", tooltip="One event forwards (pauses)"),
        Binding("comma", "step(-1)", "Back", id="replay.back_alt", show=False, tooltip="One event backwards (pauses)"),
        Binding("period", "step(1)", "Step", id="replay.step_alt", show=False, tooltip="One event forwards (pauses)"),
        Binding("home", "jump(0)", "Start", id="replay.start", show=False, tooltip="Jump to the first event"),
        Binding("end", "jump(-1)", "End", id="replay.end", show=False, tooltip="Jump to the end"),
        Binding("t", "seek_time", "Seek…", id="replay.seek", tooltip="Jump to a run time, in seconds"),
        Binding("n", "mark(1)", "Next fault", id="replay.next", tooltip="Jump to the next fault or conflict"),
        Binding("p", "mark(-1)", "Prev fault", id="replay.prev", show=False,
                tooltip="Jump to the previous fault or conflict"),
        Binding("b", "fork_here", "Fork here", id="replay.fork", show=False,
                tooltip="Fork the run after the event on screen: it is run again up to there and the monitor "
                "opens on it, paused, for you to change its course"),
        *MonitorScreen.SHARED_BINDINGS,
    ]

    @property
    def host(self) -> ReplayHost:
        return cast("ReplayHost", self.app)

    def __init__(self) -> None:
        super().__init__()
        self._mark_cols: tuple[int, frozenset[int]] = (0, frozenset())
        """The timeline's width and the columns of its fault marks at that width."""
        self._seeks = self._seeks_at_hold = 0
        """Seeks to a typed time so far, and when the open prompt was opened (a seek leaves the replay paused)."""
        self.seeking: int | None = None
        """The position a seek in a worker is folding the view to (None: no seek under way)."""

    def compose(self) -> ComposeResult:
        self.w_scrubber = Scrubber(id="scrubber")
        yield self.w_scrubber
        yield from super().compose()

    def on_mount(self) -> None:
        super().on_mount()
        self.w_status.display = False  # a recording has no fault target
        self.set_interval(TICK_S, self.tick)  # the screen's: stopped before its widgets go
        if len(self.host.recording) and self.host.player.pos == 0:
            self.seek(1)  # the run's start at once: before its first event there is no run to draw

    def tick(self) -> None:
        """Hand the events the player has reached to the monitor (drawn at the next frame)."""
        if self.seeking is None:
            self.host.pending.extend(self.host.player.tick())

    # -- seeking -----------------------------------------------------------------------------------

    def seek(self, pos: int) -> None:
        """Show the recording as it stood after its first `pos` events. The earliest point is its first event
        (the run's start): before it there is no run to draw, and the screen would keep the last frame's header."""
        recording, player = self.host.recording, self.host.player
        pos = max(min(1, len(recording)), min(len(recording), pos))
        recording.slice(pos - 1, pos)  # read the way there first: a damaged recording ends before it
        pos = max(min(1, len(recording)), min(len(recording), pos))
        if self.seeking is not None or pos < player.pos or pos - player.pos > CHECKPOINT_EVERY:
            self.seeking = pos
            self.run_worker(lambda: self._fold_to(pos), thread=True, exclusive=True, group="seek",
                            name=f"seek to {pos}")
            self.frame()
            return
        self.host.pending.extend(recording.slice(player.pos, pos))
        self._at(pos)

    def _fold_to(self, pos: int) -> None:
        """In a thread: the view at `pos`, installed on the UI's thread unless a newer seek has come meanwhile."""
        view = view_at(self.host.recording, pos)
        worker = get_current_worker()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._install, view, pos, worker)

    def _install(self, view: LiveView, pos: int, worker: Worker[None]) -> None:
        """Show `view` from scratch: the panes, the log and the incidents are drawn again from it."""
        if worker.is_cancelled or not self.w_log.is_attached:
            return
        view.baseline_makespan = self.host.view.baseline_makespan
        self.host.view = view
        self.seeking = None
        self.redraw_all()
        self.host.pending.clear()
        for pane in self.panes:
            pane.stream.clear()
            pane.shown_seq = 0
            pane.state = ""
        self.w_log.reset()
        self.w_incidents.rev = -1
        self._at(pos)

    def _at(self, pos: int) -> None:
        player = self.host.player
        player.pos = pos
        last = self.host.recording.slice(pos - 1, pos)
        player.cursor_t = last[0].t if last else 0.0
        self.frame()

    def on_scrubber_seek(self, message: Scrubber.Seek) -> None:
        self.host.player.play(False)
        self.seek(round(len(self.host.recording) * message.fraction))

    def seek_time(self, seconds: float) -> None:
        """Show the recording as it stood at run time `seconds` (every event up to it)."""
        self.host.player.play(False)
        self._seeks += 1
        self.seek(self.host.recording.pos_at(seconds))
        self.host.player.cursor_t = seconds

    # -- keys --------------------------------------------------------------------------------------

    def action_fork_here(self) -> None:
        """`b`: fork the recorded run after the event on screen (the app leaves; `teamtui replay` forks)."""
        self.host.fork_here()

    def action_step(self, delta: int) -> None:
        self.host.player.play(False)
        self.seek((self.seeking or self.host.player.pos) + delta)

    def action_jump(self, where: int) -> None:
        self.host.player.play(False)
        self.seek(0 if where == 0 else len(self.host.recording))

    def action_seek_time(self) -> None:
        end = self.host.recording.end_t

        def done(text: str | None) -> None:
            if text is not None:
                self.seek_time(parse_seek(text, end))

        self.ask("Seek to a run time", f"seconds from 0 to {end:.1f} (42, 42.5s) or m:ss (1:30)",
                 lambda t: parse_seek(t, end), done)

    def action_mark(self, direction: int) -> None:
        self.host.player.play(False)
        hit = self.host.recording.next_mark(self.seeking or self.host.player.pos, direction)
        if hit is None:
            self.notify("no more faults or conflicts that way", severity="information")
            return
        self.seek(hit)

    def prompt_hold(self) -> bool:
        player = self.host.player
        held = player.playing
        player.play(False)
        self._seeks_at_hold = self._seeks
        return held

    def prompt_release(self) -> None:
        if self._seeks == self._seeks_at_hold:  # a seek pauses, as every jump does: it stays paused there
            self.host.player.play(True)

    # -- drawing -----------------------------------------------------------------------------------

    def header_text(self) -> Text:
        player, recording = self.host.player, self.host.recording
        where = ReplayPosition(self.host.run_id, player.playing, player.pos, len(recording), recording.end_t)
        return render.header(self.view, player.speed, not player.playing, self.app.size.width, replay=where,
                             pal=self.palette)

    def frame(self, body: bool = True) -> None:
        super().frame(body)
        if not self.w_log.is_attached:
            return
        self.host.check_damage()
        self.w_header.update(self.header_text())  # playing or paused is not in the frame's key: always redraw
        total = len(self.host.recording)
        width = max(1, self.w_scrubber.size.width)
        if self._mark_cols[0] != width:  # marks never move: place them once per width
            marks = self.host.recording.marks()
            self._mark_cols = (width, frozenset(min(width - 1, width * m // total) for m in marks) if total
                               else frozenset())
        pal = self.palette
        self.w_scrubber.update(timeline(self.host.player.pos, total, self._mark_cols[1], width, played=pal.primary,
                                        rest="dim", mark=f"bold {pal.error}"))
