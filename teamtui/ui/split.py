"""Two recorded runs side by side, played in lockstep by run time: `teamtui replay A --with B`.

One run clock drives both columns: each shows its run's state at that time (subtasks done, who holds what,
who is dead, conflicts: read from `RunState`, the one reducer) and its events up to it, in the words the
monitor's log uses. The first event where the two logs differ is marked in both columns when the clock
passes it. Playing moves the clock by the wall time elapsed times the speed; going back refolds each run
from its recording's nearest checkpoint (`Recording.state_at`), so any moment is quick to reach.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, RichLog, Static

from teamtui.core import events as ev
from teamtui.core.printable import shown
from teamtui.core.state import RunState
from teamtui.store.recording import Recording
from teamtui.ui.words import event_words, plural

LOG_LINES = 300
"""Events kept in each column's log (the latest)."""
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


class Side:
    """One run of the pair: its recording, how far it is shown, and its state there."""

    def __init__(self, label: str, recording: Recording, run_id: str) -> None:
        self.label, self.recording, self.run_id = label, recording, run_id
        self.pos = 0
        self.state = RunState()

    def status(self) -> str:
        st = self.state
        done = sum(1 for t in st.tasks.values() if t.state == "done")
        held = ", ".join(f"{t.holder} {t.id}" for t in st.tasks.values() if t.state == "claimed" and t.holder)
        dead = ", ".join(a.name for a in st.agents.values() if not a.alive)
        return (f"{done}/{len(st.tasks)} done · {plural(st.conflicts, 'conflict')} · "
                f"{'dead: ' + dead if dead else 'all alive'}\nholding: {held or 'nothing'}")


def line(e: ev.Event, diverged: bool) -> Text:
    text = Text(shown(f"{e.t:7.1f}s {e.seq:>5} {e.agent + ' ' if e.agent else ''}{e.kind} {event_words(e)}"[:160]))
    if diverged:
        text.stylize("bold yellow")
    return text


class SplitReplayApp(App[int]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Play/pause", id="split.play"),
        # the logs scroll with the wheel; these keys move the shared clock, wherever the focus is
        Binding("right", "step(1)", "+1 s", id="split.step", priority=True),
        Binding("left", "step(-1)", "-1 s", id="split.back", priority=True),
        Binding("home", "jump(0)", "Start", id="split.start", show=False, priority=True),
        Binding("end", "jump(1)", "End", id="split.end", show=False, priority=True),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="split.faster", show=False),
        Binding("minus", "speed(-1)", "Slower", id="split.slower", show=False),
        Binding("q", "quit", "Quit", id="split.quit"),
    ]
    DEFAULT_CSS = """
    .side { width: 1fr; border: round $primary; }
    .side-status { height: 3; }
    #split-header { height: 1; }
    """

    def __init__(self, a: Recording, a_id: str, b: Recording, b_id: str, diverge: int | None,
                 speed: float = 1.0) -> None:
        super().__init__()
        self.sides = (Side("A", a, a_id), Side("B", b, b_id))
        self.diverge = diverge
        """The first position where the two logs differ (None: they are the same)."""
        self.t = 0.0
        self.speed = speed
        self.playing = True
        self._last = time.monotonic()
        self.end_t = max(a.end_t, b.end_t)

    def compose(self) -> ComposeResult:
        yield Static(id="split-header")
        with Horizontal():
            for side in self.sides:
                with Vertical(classes="side", id=f"side-{side.label.lower()}") as box:
                    box.border_title = shown(f"{side.label} {side.run_id}")
                    yield Static(classes="side-status", id=f"status-{side.label.lower()}")
                    yield RichLog(id=f"log-{side.label.lower()}", max_lines=LOG_LINES, wrap=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(0.1, self.tick)
        self.move_to(0.0)

    def tick(self) -> None:
        now = time.monotonic()
        if self.playing:
            self.move_to(self.t + (now - self._last) * self.speed)
        self._last = now

    def move_to(self, t: float) -> None:
        """Show both runs at run time `t`: forwards by folding on, backwards by refolding from a checkpoint."""
        t = max(0.0, min(self.end_t, t))
        back = t < self.t
        self.t = t
        for side in self.sides:
            log = self.query_one(f"#log-{side.label.lower()}", RichLog)
            if back:
                side.pos = side.recording.pos_at(t)
                side.state = side.recording.state_at(side.pos)
                log.clear()
                fresh = side.recording.slice(max(0, side.pos - LOG_LINES), side.pos)
            else:
                fresh = side.recording.upto(side.pos, t)
                side.pos += len(fresh)
                for e in fresh:
                    side.state.apply(e)
            for e in fresh:
                if self.diverge is not None and e.seq == self.diverge:
                    log.write(Text("── the two runs differ from here ──", style="bold yellow"))
                log.write(line(e, self.diverge is not None and e.seq >= self.diverge))
            self.query_one(f"#status-{side.label.lower()}", Static).update(
                Text("\n".join(shown(part) for part in side.status().split("\n"))))
        if self.t >= self.end_t:
            self.playing = False
        self.query_one("#split-header", Static).update(self.header())

    def header(self) -> Text:
        where = (f"first divergence: event {self.diverge}" if self.diverge is not None
                 else "the two logs are the same")
        return Text(f"t = {self.t:.1f} s of {self.end_t:.1f} s · ×{self.speed:g} · "
                    f"{'playing' if self.playing else 'paused'} · {where}")

    def action_pause(self) -> None:
        self.playing = not self.playing and self.t < self.end_t
        self._last = time.monotonic()
        self.move_to(self.t)

    def action_step(self, seconds: int) -> None:
        self.playing = False
        self.move_to(self.t + seconds)

    def action_jump(self, end: int) -> None:
        self.playing = False
        self.move_to(self.end_t if end else 0.0)

    def action_speed(self, direction: int) -> None:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]
        self.move_to(self.t)
