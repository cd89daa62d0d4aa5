"""The replay's player: a cursor into a recording that plays on at `speed` run seconds per second of its ticker.

No Textual here. The player is also the replay's clock as the monitor sees it (`speed`, `paused`, `pause`,
`resume`, `set_speed`, `now`). Its ticker is a function returning seconds (`time.monotonic` by default);
tests give it a `teamtui.core.clock.ManualTime` and move it by hand, so what a replay test sees never
depends on how fast the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from teamtui.core import events as ev
from teamtui.store.recording import Recording


class Player:
    """See the module docstring."""

    def __init__(self, recording: Recording, speed: float = 1.0, ticker: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.recording, self.speed, self.ticker = recording, speed, ticker
        self.pos = 0
        """How many events of the recording have been handed to the monitor."""
        self.cursor_t = 0.0
        """The run time the player stands at."""
        self.playing = True
        self._last = ticker()

    def tick(self) -> list[ev.Event]:
        """Move on by the ticker's time since the last tick times the speed; the events reached (to fold)."""
        now = self.ticker()
        elapsed, self._last = now - self._last, now
        if not self.playing or self.pos >= len(self.recording):
            return []
        self.cursor_t += elapsed * self.speed
        fresh = self.recording.upto(self.pos, self.cursor_t)
        self.pos += len(fresh)
        if self.pos >= len(self.recording):
            self.playing = False
        return fresh

    def play(self, on: bool) -> None:
        """Play (if there is anything left to play) or stop; time paused does not count when playing again."""
        self.playing = on and self.pos < len(self.recording)
        self._last = self.ticker()

    # The clock the monitor's header and speed keys use.

    @property
    def paused(self) -> bool:
        return not self.playing

    def pause(self) -> None:
        self.play(False)

    def resume(self) -> None:
        self.play(True)

    def set_speed(self, speed: float) -> None:
        self.tick()  # the time so far at the old speed
        self.speed = speed

    def now(self) -> float:
        return self.cursor_t
