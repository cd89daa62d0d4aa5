"""`run --headless --break-on KIND[:ARG]`: stop a run at its first breakpoint, then say where in one line (exit 3).

The breakpoints are the scenario's `[[breakpoints]]` and the command line's, matched against the run's events as
the engine emits them (`teamtui.core.breakpoints.Matcher`); the first hit ends the run at once, as cancelled,
with the breakpoint in its reason, so it is recorded (and replayable) up to that moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from teamtui.core import events as ev
from teamtui.core.breakpoints import Breakpoint, Hit, Matcher, parse
from teamtui.core.errors import RunError

if TYPE_CHECKING:
    from teamtui.launch import Run

BREAK_EXIT = 3
"""The exit code of a run stopped at a breakpoint (0: it ran to its end; 2: bad input; 1: an internal error)."""


def parse_all(values: tuple[str, ...]) -> tuple[Breakpoint, ...]:
    """Every `--break-on` value parsed, or a `RunError` naming the first bad one and how to fix it (exit 2)."""
    out = []
    for text in values:
        try:
            out.append(parse(text))
        except ValueError as exc:
            raise RunError(f"--break-on {text!r}: {exc}") from None
    return tuple(out)


class Stopper:
    """Ends a run at its first breakpoint hit (`hit` then holds it)."""

    def __init__(self, breakpoints: tuple[Breakpoint, ...]) -> None:
        self.matcher = Matcher(breakpoints)
        self.hit: Hit | None = None
        self.run: Run | None = None

    def attach(self, run: Run) -> None:
        self.run = run
        run.engine.on(self._see)

    def _see(self, e: ev.Event) -> None:
        if self.hit is not None or self.run is None or isinstance(e, ev.RunFinished):
            return
        hit = self.matcher.feed(e)
        if hit is not None:
            self.hit = hit
            self.run.engine.finish("cancelled", f"stopped at breakpoint {hit.breakpoint}: {hit.reason}")
