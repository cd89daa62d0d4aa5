"""Replay: the monitor fed from a recorded event list, with player controls instead of fault keys.

The player keeps a cursor into a `Recording` (a list, or a run read from the database on demand).
Playing advances the run time by the wall time elapsed times the speed and hands every event up to it
to the monitor, exactly as a live run would have; a step moves one event; going back, or seeking far
ahead, installs the view for that point: the run's state from the recording's nearest checkpoint, and the
display rebuilt from the events just before it (the state is a pure fold of the events, so the screen at
a point is the screen the live run showed there). The scrubber under the header seeks where it is
clicked. The footer shows the player's keys; fault keys are off (a recording cannot be changed). `m` shows the summary
of the whole recording, from its state at the end (through the checkpoints, so a long run is quick),
measured against the baselines its stored metrics were computed with, so it says what they say.
A stored event that cannot be read back ends the replay before it: the screen says so in one line (and
the command prints it and exits 2 when you quit), while everything before it stays to be watched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import events as tev
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.metrics.summary import stored_baselines
from teamtui.store.recording import CHECKPOINT_EVERY, MemoryRecording, Recording
from teamtui.ui import render
from teamtui.ui.app import TeamApp
from teamtui.ui.parsers import parse_seek
from teamtui.ui.render import ReplayPosition
from teamtui.ui.view import LiveView, view_at


class Scrubber(Static):
    """The timeline: how far the replay is, fault marks, and a click seeks there."""

    DEFAULT_CSS = "Scrubber { height: 1; width: 1fr; }"

    def on_click(self, event: tev.Click) -> None:
        app = self.app
        if isinstance(app, ReplayApp) and self.size.width > 0:
            app.playing = False
            app.seek(round(len(app.recording) * min(1.0, max(0.0, event.x / max(1, self.size.width - 1)))))


class ReplayApp(TeamApp, inherit_bindings=False):
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
        # the monitor's keys but its faults (a recording cannot be changed) and its pause (play/pause above)
        *(b for b in TeamApp.BINDINGS if isinstance(b, Binding) and b.action not in (*TeamApp.FAULT_ACTIONS, "pause")),
    ]

    def __init__(self, recording: Recording | Sequence[ev.Event], run_id: str = "", speed: float = 1.0) -> None:
        super().__init__(events=(), summary_at_end=False, speed=speed)
        self.recording = recording if isinstance(recording, Recording) else MemoryRecording(recording, run_id)
        self.run_id = run_id or self.recording.run_id
        self.pos = 0
        self.cursor_t = 0.0
        self.playing = True
        self._last = time.monotonic()
        self._mark_cols: tuple[int, frozenset[int]] = (0, frozenset())
        """The timeline's width and the columns of its fault marks at that width."""
        self.view.baseline_makespan, self.fault_free_makespan = stored_baselines(self.recording.stored_metrics())
        self._seeks = self._seeks_at_hold = 0
        """Seeks to a typed time so far, and when the open prompt was opened (a seek leaves the replay paused)."""
        self._final: RunState | None = None
        """The state at the recording's end (for the summary), once asked for."""
        self.fork_at: int | None = None
        """The event to fork after, once `b` was pressed (the command then opens the monitor on the fork)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The replay's footer shows the player's keys only: a recording cannot be changed, so no fault key."""
        return action not in self.FAULT_ACTIONS

    def compose(self) -> ComposeResult:
        self.w_scrubber = Scrubber(id="scrubber")
        yield self.w_scrubber
        yield from super().compose()

    def on_mount(self) -> None:
        super().on_mount()
        self.w_status.display = False  # a recording has no fault target
        self.screen.set_interval(1 / 20, self._tick)  # the screen's: stopped before its widgets go
        if len(self.recording) and self.pos == 0:
            self.seek(1)  # the run's start at once: before its first event there is no run to draw

    def on_unmount(self) -> None:
        self.recording.close()

    # -- the player --------------------------------------------------------------------------------

    def _tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        if not self.playing or self.pos >= len(self.recording):
            return
        self.cursor_t += elapsed * self.clock.speed
        fresh = self.recording.upto(self.pos, self.cursor_t)
        self.pending.extend(fresh)
        self.pos += len(fresh)
        if self.pos >= len(self.recording):
            self.playing = False

    def _check_damage(self) -> None:
        """Once the recording has met an event it cannot read: stop there and say so (and exit 2 at the end)."""
        why = self.recording.damaged
        if not why or self.error_line:
            return
        self.error_line = why
        self.pos = min(self.pos, len(self.recording))
        self.playing = self.playing and self.pos < len(self.recording)
        if not len(self.recording):
            self.exit(return_code=2)  # nothing at all can be shown
            return
        self.notify(why, title="this recording is damaged", severity="error", timeout=30)

    def seek(self, pos: int) -> None:
        """Show the recording as it stood after its first `pos` events. The earliest point is its first event
        (the run's start): before it there is no run to draw, and the screen would keep the last frame's header."""
        pos = max(min(1, len(self.recording)), min(len(self.recording), pos))
        self.recording.slice(pos - 1, pos)  # read the way there first: a damaged recording ends before it
        pos = max(min(1, len(self.recording)), min(len(self.recording), pos))
        if pos < self.pos or pos - self.pos > CHECKPOINT_EVERY:
            self._install(view_at(self.recording, pos))
        else:
            self.pending.extend(self.recording.slice(self.pos, pos))
        self.pos = pos
        last = self.recording.slice(pos - 1, pos)
        self.cursor_t = last[0].t if last else 0.0
        self.frame()

    def _install(self, view: LiveView) -> None:
        """Show `view` from scratch: the panes, the log and the incidents are drawn again from it."""
        view.baseline_makespan = self.view.baseline_makespan
        self.view = view
        self._drawn = ()  # the next frame draws everything
        self.pending.clear()
        for pane in self.panes:
            pane.stream.clear()
            pane.shown_seq = 0
            pane.state = ""
        self.w_log.query_one("#log").clear()  # type: ignore[attr-defined]
        self.w_log.shown_seq = -1
        self.w_incidents.rev = -1

    async def _summary_inputs(self) -> tuple[RunState, float | None, float | None]:
        if self._final is None:
            self._final = self.recording.state_at(len(self.recording))
        return self._final, self.view.baseline_makespan, self.fault_free_makespan

    def action_pause(self) -> None:
        self.playing = not self.playing and self.pos < len(self.recording)
        self._last = time.monotonic()
        self.frame()

    def _is_paused(self) -> bool:
        return not self.playing

    def _prompt_hold(self) -> bool:
        held, self.playing = self.playing, False
        self._seeks_at_hold = self._seeks
        return held

    def _prompt_release(self) -> None:
        if self._seeks == self._seeks_at_hold:  # a seek pauses, as every jump does: it stays paused there
            self.playing = self.pos < len(self.recording)
        self._last = time.monotonic()

    def action_step(self, delta: int) -> None:
        self.playing = False
        self.seek(self.pos + delta)

    def action_jump(self, where: int) -> None:
        self.playing = False
        self.seek(0 if where == 0 else len(self.recording))

    def seek_time(self, seconds: float) -> None:
        """Show the recording as it stood at run time `seconds` (every event up to it)."""
        self.playing = False
        self._seeks += 1
        self.seek(self.recording.pos_at(seconds))
        self.cursor_t = seconds

    def action_seek_time(self) -> None:
        end = self.recording.end_t

        def done(text: str | None) -> None:
            if text is not None:
                self.seek_time(parse_seek(text, end))

        self.ask("Seek to a run time", f"seconds from 0 to {end:.1f} (42, 42.5s) or m:ss (1:30)",
                 lambda t: parse_seek(t, end), done)

    def action_mark(self, direction: int) -> None:
        self.playing = False
        hit = self.recording.next_mark(self.pos, direction)
        if hit is None:
            self.notify("no more faults or conflicts that way", severity="information")
            return
        self.seek(hit)

    def action_fork_here(self) -> None:
        """Leave the replay to fork the recorded run after the event on screen (`teamtui replay` does the rest)."""
        if not self.run_id or isinstance(self.recording, MemoryRecording):
            self.notify("only a recorded run can be forked (teamtui replay RUN)", severity="warning")
        elif self.pos >= len(self.recording):
            self.notify("the run has ended here: step back (←) to fork before its end", severity="warning")
        else:
            self.fork_at = max(0, self.pos - 1)
            self.exit(return_code=0)

    def header_text(self) -> Text:
        where = ReplayPosition(self.run_id, self.playing, self.pos, len(self.recording), self.recording.end_t)
        return render.header(self.view, self.clock.speed, not self.playing, self.size.width, replay=where)

    def frame(self, body: bool = True) -> None:
        super().frame(body)
        self._check_damage()
        self.w_header.update(self.header_text())  # playing or paused is not in the frame's key: always redraw
        total = len(self.recording)
        width = max(1, self.w_scrubber.size.width)
        if self._mark_cols[0] != width:  # marks never move: place them once per width
            marks = self.recording.marks()
            self._mark_cols = (width, frozenset(min(width - 1, width * m // total) for m in marks) if total
                               else frozenset())
        self.w_scrubber.update(timeline(self.pos, total, self._mark_cols[1], width))

    def _live(self) -> Any:
        self.notify("a replay cannot be changed: faults need a live run", severity="warning")
        return None


def timeline(pos: int, total: int, mark_cols: frozenset[int], width: int) -> Text:
    """A one-line bar: played part, the rest, and a ◆ in the columns where a fault or conflict happened."""
    cells = ["━" if total and i < width * pos / total else "─" for i in range(width)]
    styles = ["cyan" if c == "━" else "grey50" for c in cells]
    for i in mark_cols:
        cells[i], styles[i] = "◆", "bold red"
    out = Text()
    for c, st in zip(cells, styles, strict=True):
        out.append(c, st)
    return out
