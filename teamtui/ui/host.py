"""What the monitor's screens need of the app that hosts them (the run, its view and clock), as protocols.

The screens name the app by these protocols, not by its class: the app imports its screens, and the screens
never import the app, so the modules have no import cycle.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from teamtui.core import events as ev
from teamtui.core.faults import Fault
from teamtui.store.recording import Recording
from teamtui.ui.player import Player
from teamtui.ui.view import LiveView


class MonitorClock(Protocol):
    """What the monitor reads and changes of its clock: a live run's (`app.RunClock`), or replay's player."""

    @property
    def speed(self) -> float: ...

    @property
    def paused(self) -> bool: ...

    def now(self) -> float: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def set_speed(self, speed: float) -> None: ...


class MonitorHost(Protocol):
    """The app as a screen of the monitor sees it (`teamtui.ui.app.TeamApp`)."""

    view: LiveView
    pending: deque[ev.Event]
    clock: MonitorClock
    run_handle: Any
    ended: bool
    prompt_paused: bool
    error_line: str

    def fold(self) -> bool: ...

    def fold_pending(self) -> None: ...

    def live_run(self) -> Any: ...

    def inject(self, fault: Fault) -> bool: ...

    async def push_summary(self) -> None: ...


class ReplayHost(MonitorHost, Protocol):
    """The replay app as its screen sees it (`teamtui.ui.replay.ReplayApp`)."""

    recording: Recording
    player: Player
    run_id: str

    def check_damage(self) -> None: ...

    def fork_here(self) -> None: ...
