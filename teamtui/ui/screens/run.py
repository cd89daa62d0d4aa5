"""The live run's screen: the monitor plus the fault keys (aimed at the target) and the clock's pause and speed.

Where new live keys go: a `Binding` in `RunScreen.BINDINGS` (a fault key through `fault_binding`, so that
the footer hides it once the run has ended) and an `action_*` method here; a fault is sent with
`self.host.inject(fault)`, and `self.aim()` gives the agent it acts on (or None, said in a notice).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from teamtui.core.faults import Heal, Kill, Partition, Restart, Resume, Stall, Undelay
from teamtui.core.printable import shown
from teamtui.ui.aimbreak import AimBreakActions
from teamtui.ui.parsers import parse_delay, parse_groups
from teamtui.ui.screens.monitor import MonitorScreen

FAULT_ACTIONS: set[str] = set()
"""The actions of the fault keys (filled by `fault_binding`): the footer offers them only while the run goes."""


def fault_binding(key: str, action: str, text: str, tip: str, show: bool = True) -> Binding:
    """A fault key's binding: shown while the run goes, hidden once it has ended (and in replay)."""
    FAULT_ACTIONS.add(action)
    return Binding(key, action, text, id=f"fault.{action}", tooltip=tip, show=show)


class RunScreen(AimBreakActions, MonitorScreen):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        fault_binding("k", "kill", "Kill", "Kill the target (named in the status line); the team must reclaim "
                      "what it held"),
        fault_binding("r", "restart", "Restart", "Restart the target if it is dead (fresh memory)", show=False),
        fault_binding("d", "delay", "Delay/clear", "Slow the target: a factor (3x), a duration (20s), +latency; "
                      "'clear' ends its delay"),
        fault_binding("s", "stall", "Stall", "Freeze the target mid-call, or let it go on (resume)"),
        fault_binding("x", "isolate", "Isolate", "Partition the target from the rest of the team"),
        fault_binding("g", "partition", "Partition…", "Split the team into groups that cannot talk", show=False),
        fault_binding("h", "heal", "Heal", "Heal every partition and link fault"),
        fault_binding("K", "kill_holder", "Kill holder", "Kill whoever holds the most work when the fault lands",
                      show=False),
        Binding("b", "breakpoint", "Break on…", id="run.breakpoint", show=False,
                tooltip="Pause on a conflict, stall, straggler, recovery, test failures, cost or a message pattern"),
        Binding("space", "pause", "Pause", id="run.pause", tooltip="Pause or resume the run clock"),
        *MonitorScreen.SHARED_BINDINGS,
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer is contextual: while the run goes it shows the fault keys and pause, once the run has ended
        the summary instead (a key it hides does nothing: there is nothing for it to act on)."""
        over = self.view.finished is not None
        if action in FAULT_ACTIONS or action == "pause":
            return not over
        if action == "summary":
            return over
        return True

    def frame(self, body: bool = True) -> None:
        super().frame(body)
        if self.w_log.is_attached:
            self.show_break()

    def action_pause(self) -> None:
        if self.host.clock.paused:
            self.w_status.note = ""  # a breakpoint's note goes with the pause
        super().action_pause()

    def aim(self, agent: str = "") -> str | None:
        """The agent a fault key acts on (the one named, else the target), or None, said in a notice, while the
        run cannot take a fault or no agent is known yet (a key pressed while the team is starting)."""
        if self.host.live_run() is None:
            return None
        self.host.fold_pending()
        name = agent or self.target
        if name not in self.view.agents:
            self.notify("no agent to target yet: the team is starting; press the key again in a moment",
                        severity="warning")
            return None
        return name

    # -- fault keys --------------------------------------------------------------------------------

    def action_kill(self, agent: str = "") -> None:
        name = self.aim(agent)
        if name is None:
            return
        if not self.view.agents[name].alive:
            self.notify(f"{shown(name)} is already dead; press r to restart it", severity="warning")
            return
        self.host.inject(Kill(name))

    def action_restart(self, agent: str = "") -> None:
        name = self.aim(agent)
        if name is None:
            return
        if self.view.agents[name].alive:
            self.notify(f"{shown(name)} is alive; kill it first (k) to restart it", severity="warning")
            return
        self.host.inject(Restart(name))

    def action_delay(self, agent: str = "") -> None:
        name = self.aim(agent)
        if name is None:
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            fault = parse_delay(text, name)
            if isinstance(fault, Undelay) and self.view.agents[name].delay is None:
                self.notify(f"{shown(name)} has no delay to clear", severity="information")
                return
            self.host.inject(fault)

        self.ask(f"Delay {shown(name)}", "3x = three times slower, 20s = for 20 s, +5s = 5 s extra per call, "
                 "clear = end its delay; Enter for 3x 20s", lambda t: parse_delay(t, name), done)

    def action_stall(self, agent: str = "") -> None:
        name = self.aim(agent)
        if name is None:
            return
        self.host.inject(Resume(name) if self.view.agents[name].stall_injected else Stall(name))

    def action_isolate(self, agent: str = "") -> None:
        name = self.aim(agent)
        if name is None:
            return
        self.host.inject(Partition(parse_groups("", list(self.view.agents), name)))

    def action_partition(self) -> None:
        name = self.aim()
        if name is None:
            return
        names = list(self.view.agents)

        def done(text: str | None) -> None:
            if text is not None:
                self.host.inject(Partition(parse_groups(text, names, name)))

        self.ask("Partition the team", f"groups like {shown(names[0])},{shown(names[-1])} | … (names or numbers; "
                 f"the rest form a group); Enter alone isolates {shown(name)}",
                 lambda t: parse_groups(t, names, name), done)

    def action_heal(self) -> None:
        self.host.inject(Heal())

    # -- the clock ---------------------------------------------------------------------------------

    def prompt_hold(self) -> bool:
        clock = self.host.clock
        if self.host.run_handle is None or self.host.ended or clock.paused:
            return False
        clock.pause()
        return True

    def prompt_release(self) -> None:
        if self.host.clock.paused:
            self.host.clock.resume()
