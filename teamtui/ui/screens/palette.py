"""The command palette's monitor commands (`category: action`), built from the main screen's own actions."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand

from teamtui.ui.screens.monitor import MonitorScreen
from teamtui.ui.screens.run import RunScreen


def commands(main: MonitorScreen) -> Iterator[SystemCommand]:
    """The palette's entries for `main`: faults on each agent (live runs only), the clock, views and the log."""
    if isinstance(main, RunScreen):
        for name in main.view.agents:
            yield SystemCommand(f"Fault: kill {name}", f"Kill {name}", lambda n=name: main.action_kill(n))
            yield SystemCommand(f"Fault: restart {name}", f"Restart {name}", lambda n=name: main.action_restart(n))
            yield SystemCommand(f"Fault: delay {name}", f"Slow {name} down", lambda n=name: main.action_delay(n))
            yield SystemCommand(f"Fault: stall or resume {name}", f"Freeze {name}", lambda n=name: main.action_stall(n))
            yield SystemCommand(f"Fault: isolate {name}", f"Partition {name} from the team",
                                lambda n=name: main.action_isolate(n))
        yield from main.aim_commands()
        yield SystemCommand("Fault: partition into groups", "Split the team", main.action_partition)
        yield SystemCommand("Fault: heal the network", "Heal every partition", main.action_heal)
        yield SystemCommand("Run: pause or resume", "Pause the run clock", main.action_pause)
        yield SystemCommand("Run: faster", "Double the speed", main.action_faster)
        yield SystemCommand("Run: slower", "Halve the speed", main.action_slower)
    yield SystemCommand("View: focus an agent", "Make an agent the fault target, by number or name",
                        main.action_goto_agent)
    yield SystemCommand("View: summary", "The end-of-run summary", main.action_summary)
    yield SystemCommand("View: keys", "Every key binding", main.action_help)
    yield SystemCommand("Log: filter", "Filter and search the event log", main.action_filter_log)
