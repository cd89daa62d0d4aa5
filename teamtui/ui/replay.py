"""Replay: the monitor fed from a recorded event list, with player controls instead of fault keys.

The player keeps a cursor into the recording. Playing advances the run time by the wall time elapsed
times the speed and hands every event up to it to the monitor, exactly as a live run would have; a step
moves one event; going back, or seeking before the cursor, folds the view again from the start (the
view is a pure fold of the events, so the screen at a point is the screen the live run showed there).
Fault keys stay in the footer, greyed out: a recording cannot be changed.
"""

from __future__ import annotations

import bisect
import time
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from teamtui import events as ev
from teamtui.liveview import LiveView
from teamtui.ui.app import TeamApp
from teamtui.ui.screens import PromptScreen

_MARKS = (ev.FaultInjected, ev.ClaimConflicted, ev.WriteConflicted, ev.LockDenied, ev.AgentStalled,
          ev.StragglerDetected, ev.LeaseExpired)


class ReplayApp(TeamApp):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *TeamApp.BINDINGS,
        Binding("right,period", "step(1)", "Step", id="replay.step", tooltip="One event forwards (pauses)"),
        Binding("left,comma", "step(-1)", "Back", id="replay.back", tooltip="One event backwards (pauses)"),
        Binding("home", "jump(0)", "Start", id="replay.start", show=False, tooltip="Jump to the start"),
        Binding("end", "jump(-1)", "End", id="replay.end", show=False, tooltip="Jump to the end"),
        Binding("t", "seek_time", "Seek…", id="replay.seek", tooltip="Jump to a run time, in seconds"),
        Binding("n", "mark(1)", "Next fault", id="replay.next", tooltip="Jump to the next fault or conflict"),
        Binding("p", "mark(-1)", "Prev fault", id="replay.prev", show=False,
                tooltip="Jump to the previous fault or conflict"),
    ]
    FAULT_ACTIONS = frozenset({"kill", "restart", "delay", "stall", "isolate", "partition", "heal"})

    def __init__(self, events: list[ev.Event], run_id: str = "", speed: float = 1.0) -> None:
        super().__init__(events=(), summary_at_end=False, speed=speed)
        self.recording = events
        self.run_id = run_id
        self.pos = 0
        self.cursor_t = 0.0
        self.playing = True
        self._last = time.monotonic()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.FAULT_ACTIONS:
            return None  # shown, greyed out
        return True

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1 / 20, self._tick)

    # -- the player --------------------------------------------------------------------------------

    def _tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        if not self.playing or self.pos >= len(self.recording):
            return
        self.cursor_t += elapsed * self.clock.speed
        while self.pos < len(self.recording) and self.recording[self.pos].t <= self.cursor_t:
            self.pending.append(self.recording[self.pos])
            self.pos += 1
        if self.pos >= len(self.recording):
            self.playing = False

    def seek(self, pos: int) -> None:
        """Show the recording as it stood after its first `pos` events."""
        pos = max(0, min(len(self.recording), pos))
        if pos < self.pos:
            self._refold()
            self.pending.extend(self.recording[:pos])
        else:
            self.pending.extend(self.recording[self.pos:pos])
        self.pos = pos
        self.cursor_t = self.recording[pos - 1].t if pos else 0.0
        self.frame()

    def _refold(self) -> None:
        self.view = LiveView()
        self.pending.clear()
        for pane in self.panes:
            pane.stream.clear()
            pane.shown_seq = 0
            pane.state = ""
        self.w_log.query_one("#log").clear()  # type: ignore[attr-defined]
        self.w_log.shown_seq = -1
        self.w_incidents.rev = -1

    def action_pause(self) -> None:
        self.playing = not self.playing and self.pos < len(self.recording)
        self._last = time.monotonic()
        self.frame()

    def action_step(self, delta: int) -> None:
        self.playing = False
        self.seek(self.pos + delta)

    def action_jump(self, where: int) -> None:
        self.playing = False
        self.seek(0 if where == 0 else len(self.recording))

    def seek_time(self, seconds: float) -> None:
        """Show the recording as it stood at run time `seconds` (every event up to it)."""
        self.playing = False
        self.seek(bisect.bisect_right([e.t for e in self.recording], seconds))
        self.cursor_t = seconds

    def action_seek_time(self) -> None:
        end = self.recording[-1].t if self.recording else 0.0

        def check(text: str) -> float:
            try:
                value = float(text.strip().rstrip("s"))
            except ValueError:
                raise ValueError(f"'{text}' is not a time; write seconds, e.g. 42 or 42.5") from None
            if not 0 <= value <= end:
                raise ValueError(f"the run lasted {end:.1f} s; give a time from 0 to that")
            return value

        def done(text: str | None) -> None:
            if text is not None:
                self.seek_time(check(text))

        self.push_screen(PromptScreen("Seek to a run time", f"seconds from 0 to {end:.1f}", check), done)

    def action_mark(self, direction: int) -> None:
        self.playing = False
        idx = range(self.pos, len(self.recording)) if direction > 0 else range(self.pos - 2, -1, -1)
        hit = next((i for i in idx if isinstance(self.recording[i], _MARKS)), None)
        if hit is None:
            self.notify("no more faults or conflicts that way", severity="information")
            return
        self.seek(hit + 1)

    def frame(self) -> None:
        super().frame()
        if self.view.started is not None:
            total = len(self.recording)
            bar_w = 30
            filled = int(bar_w * self.pos / total) if total else 0
            head = Text.assemble(
                (f" replay {self.run_id} ", "bold reverse"),
                f" {'▶' if self.playing else '⏸'} ×{self.clock.speed:g}  ",
                ("█" * filled, "cyan"), ("░" * (bar_w - filled), "dim"),
                f" event {self.pos}/{total}  t = {self.view.now:.1f}s   ")
            head.append_text(_short_header(self))
            self.w_header.update(head)

    def _live(self) -> Any:
        self.notify("a replay cannot be changed: faults need a live run", severity="warning")
        return None


def _short_header(app: ReplayApp) -> Text:
    s = app.view.started
    if s is None:
        return Text()
    end = f"  finished: {app.view.finished.status}" if app.view.finished and app.pos == len(app.recording) else ""
    return Text(f"{s.scenario} · {s.architecture} · {s.execution} · {len(s.agents)} agents{end}", "dim")
