"""Replay: the monitor fed from a recorded event list, with player controls instead of fault keys.

The player (`teamtui.ui.player`) keeps a cursor into a `Recording` (a list, or a run read from the database
on demand). Playing advances the run time by the ticker's time elapsed times the speed and hands every event
up to it to the monitor, exactly as a live run would have; a step moves one event; going back, or seeking far
ahead, installs the view for that point (in a worker: `teamtui.ui.screens.replay`): the run's state from the
recording's nearest checkpoint, and the display rebuilt from the events just before it (the state is a pure
fold of the events, so the screen at a point is the screen the live run showed there). The scrubber under the
header seeks where it is clicked. The footer shows the player's keys; fault keys are off (a recording cannot
be changed). `m` shows the summary of the whole recording, from its state at the end (through the
checkpoints, so a long run is quick, and in a worker), measured against the baselines its stored metrics
were computed with, so it says what they say.
A stored event that cannot be read back ends the replay before it: the screen says so in one line (and
the command prints it and exits 2 when you quit), while everything before it stays to be watched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.metrics.summary import stored_baselines
from teamtui.store.recording import MemoryRecording, Recording
from teamtui.ui.app import TeamApp
from teamtui.ui.player import Player
from teamtui.ui.screens.monitor import MonitorScreen
from teamtui.ui.screens.replay import ReplayScreen


class ReplayApp(TeamApp):
    """See the module docstring. `ticker` is the player's time source (tests pass a `ManualTime`)."""

    main: ReplayScreen

    def __init__(self, recording: Recording | Sequence[ev.Event], run_id: str = "", speed: float = 1.0,
                 ticker: Callable[[], float] = time.monotonic) -> None:
        super().__init__(events=(), summary_at_end=False, speed=speed)
        self.recording = recording if isinstance(recording, Recording) else MemoryRecording(recording, run_id)
        self.run_id = run_id or self.recording.run_id
        self.player = Player(self.recording, speed, ticker)
        self.clock = self.player
        self.view.baseline_makespan, self.fault_free_makespan = stored_baselines(self.recording.stored_metrics())
        self._final: RunState | None = None
        """The state at the recording's end (for the summary), once asked for."""
        self.fork_at: int | None = None
        """The event to fork after, once `b` was pressed (the command then opens the monitor on the fork)."""

    def make_screen(self) -> MonitorScreen:
        return ReplayScreen()

    # The player's state and the screen's seek, named on the app for tests and scripts.
    @property
    def pos(self) -> int:
        return self.player.pos

    @property
    def playing(self) -> bool:
        return self.player.playing

    def seek(self, pos: int) -> None:
        self.main.seek(pos)

    def fork_here(self) -> None:
        """Leave the replay to fork the recorded run after the event on screen (`teamtui replay` does the rest)."""
        if not self.run_id or isinstance(self.recording, MemoryRecording):
            self.notify("only a recorded run can be forked (teamtui replay RUN)", severity="warning")
        elif self.pos >= len(self.recording):
            self.notify("the run has ended here: step back (←) to fork before its end", severity="warning")
        elif self.is_web:  # `teamtui serve --replay`: the page's session ends with this app, so no monitor follows
            self.notify("b forks in a terminal: teamtui replay RUN (a served replay cannot open the fork's monitor)",
                        severity="warning")
        else:
            self.fork_at = max(0, self.pos - 1)
            self.exit(return_code=0)

    def on_unmount(self) -> None:
        self.recording.close()

    def check_damage(self) -> None:
        """Once the recording has met an event it cannot read: stop there and say so (and exit 2 at the end)."""
        why = self.recording.damaged
        if not why or self.error_line:
            return
        self.error_line = why
        player = self.player
        player.pos = min(player.pos, len(self.recording))
        player.playing = player.playing and player.pos < len(self.recording)
        if not len(self.recording):
            self.exit(return_code=2)  # nothing at all can be shown
            return
        self.notify(why, title="this recording is damaged", severity="error", timeout=30)

    async def summary_inputs(self) -> tuple[RunState, float | None, float | None]:
        """The recording's final state (folded in a thread worker: a long run's fold never blocks the UI)."""
        if self._final is None:
            worker = self.run_worker(lambda: self.recording.state_at(len(self.recording)), thread=True,
                                     group="summary", name="the recording's final state")
            self._final = await worker.wait()
        return self._final, self.view.baseline_makespan, self.fault_free_makespan

    def live_run(self) -> Any:
        self.notify("a replay cannot be changed: faults need a live run", severity="warning")
        return None
