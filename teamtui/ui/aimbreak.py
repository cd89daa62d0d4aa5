"""The monitor's faults aimed by role (`K`, "fault: kill whoever holds the most work") and its breakpoints (`b`).

An aimed fault goes to the nemesis like a scheduled one with a selector (`Run.inject_aimed`): the agent is picked
on the run's own thread at the moment the fault lands, from the engine's board, and the log records who and why.
Breakpoints (the scenario's `[[breakpoints]]`, and those added with `b`) are matched on the run's thread as each
event is emitted (`BreakWatch.see`), so the clock is paused right at the event; the app then shows the hit on its
next frame: the event log jumps to the event, highlighted, and the status line and a notice say why.
`AimBreakActions` holds the key actions the run screen (`teamtui.ui.screens.run.RunScreen`) mixes in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from teamtui.core import events as ev
from teamtui.core.aim import SELECTORS
from teamtui.core.breakpoints import Breakpoint, Hit, Matcher, parse
from teamtui.core.faults import Fault, Kill, Stall
from teamtui.core.printable import shown

if TYPE_CHECKING:
    from teamtui.launch import Run

AIMS: dict[str, str] = {
    "holder": "whoever holds the most work", "lead": "the lead", "busiest": "the busiest agent",
    "slowest": "the slowest agent", "random": "a random agent (seeded)",
}
"""How the palette names each selector (`teamtui.core.aim.SELECTORS`)."""
assert set(AIMS) == set(SELECTORS)

BREAK_HINT = ("conflict, stall, straggler, recovery, no_recovery:30, test_failures:2, cost:0.5, message:/regex/ "
              "(several: separate with spaces); clear = remove every breakpoint")


def parse_breaks(text: str) -> tuple[Breakpoint, ...] | None:
    """What the `b` prompt accepts: breakpoints separated by spaces, or `clear` (None); ValueError otherwise."""
    words = text.split()
    if words == ["clear"]:
        return None
    if not words:
        raise ValueError("type a breakpoint: " + BREAK_HINT)
    return tuple(parse(w) for w in words)


class BreakWatch:
    """The monitor's breakpoints: matched on the run's thread (`see`), shown on the UI's (`take`)."""

    def __init__(self, breakpoints: Iterable[Breakpoint] = ()) -> None:
        self.breakpoints: list[Breakpoint] = list(breakpoints)
        self.matcher = Matcher(self.breakpoints)
        self.run: Run | None = None
        self._lock = threading.Lock()
        self._hit: Hit | None = None
        self._at = -1.0
        """The run time of the last stop."""
        self.last: Hit | None = None
        """The hit shown last (for tests and the status line)."""

    def listener(self, then: Callable[[ev.Event], None]) -> Callable[[ev.Event], None]:
        """The run's listener: `then(event)` (the app's queue), then the breakpoints."""

        def see(e: ev.Event) -> None:
            then(e)
            self.see(e)

        return see

    def see(self, e: ev.Event) -> None:
        if not self.breakpoints or isinstance(e, ev.RunFinished):
            return
        with self._lock:
            hit = self.matcher.feed(e)
            if hit is None or self._hit is not None or hit.event.t == self._at:
                return  # one stop per moment: a conflict's LockDenied right after its ClaimConflicted is the same
            self._hit, self._at = hit, hit.event.t
        if self.run is not None:
            self.run.pause(True)  # on the run's thread: the clock stops before its next jump

    def take(self) -> Hit | None:
        """The hit not shown yet (once)."""
        with self._lock:
            hit, self._hit = self._hit, None
        return hit

    def set(self, breakpoints: tuple[Breakpoint, ...] | None) -> None:
        with self._lock:
            self.breakpoints[:] = [] if breakpoints is None else [*self.breakpoints, *breakpoints]


class AimBreakActions:
    """The key and palette actions of aimed faults and breakpoints, mixed into the run screen (`self`; its app,
    `self.host`, holds the run and its `BreakWatch`)."""

    def show_break(self: Any) -> None:
        """Show a breakpoint hit, if one came: the log jumps to its event, and the status line says why."""
        hit = self.host.breaks.take()
        if hit is None:
            return
        self.host.breaks.last = hit
        self.w_log.jump_to(hit.event.seq, self.view)
        self.w_status.note = f"breakpoint {hit.breakpoint}: {hit.reason} (space goes on)"
        self.notify(shown(f"paused at breakpoint {hit.breakpoint}: {hit.reason}"), title="breakpoint", timeout=10)

    def aim_fault(self: Any, fault: Fault, selector: str) -> None:
        """Inject `fault` at whoever `selector` picks when it lands (recorded with the pick and why)."""
        run = self.host.live_run()
        if run is None:
            return
        run.inject_aimed(fault, selector)
        self.notify(f"{fault.action} {AIMS[selector]}: the log says who", timeout=4)

    def action_kill_holder(self: Any) -> None:
        self.aim_fault(Kill(""), "holder")

    def action_breakpoint(self: Any) -> None:
        breaks = self.host.breaks
        now = " ".join(map(str, breaks.breakpoints)) or "none"

        def done(text: str | None) -> None:
            if text is None:
                return
            breaks.set(parse_breaks(text))
            self.notify(f"breakpoints: {' '.join(map(str, breaks.breakpoints)) or 'none'}", timeout=5)

        self.ask("Break on", f"{BREAK_HINT}; now: {now}", parse_breaks, done)

    def aim_commands(self: Any) -> Iterable[SystemCommand]:
        for selector, who in AIMS.items():
            for fault in (Kill(""), Stall("")):
                yield SystemCommand(f"Fault: {fault.action} {who}", "Aimed when it lands; the log says who and why",
                                    lambda f=fault, s=selector: self.aim_fault(f, s))
        yield SystemCommand("Run: set breakpoints", "Pause on a conflict, a stall, a message...",
                            self.action_breakpoint)
