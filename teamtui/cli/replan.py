"""What a recorded run is made of, to run it again: its scenario, its log, and the faults only its log holds.

`rerun` and `fork` both start here. A recorded scenario brings its `[[faults]]` schedule back by itself;
faults injected from the keyboard (or added by a fork) are read from the log and replayed at their run
times (`teamtui.faults.replayed`). `--size` may shrink the team only if no fault names an agent it removes:
such a fault is one error line naming it, never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from teamtui.core import events as ev
from teamtui.core.errors import RunError
from teamtui.core.printable import shown
from teamtui.faults.replayed import ForkPoint, Replayed, fault_agents, recorded_faults
from teamtui.scenario.spec import Scenario
from teamtui.store.schema import RecorderError


@dataclass
class Recorded:
    """A recorded run, ready to run again."""

    run_id: str
    scenario: Scenario
    events: list[ev.Event]
    replayed: list[Replayed]
    forks: list[ForkPoint] = field(default_factory=list)
    """For a fork: the fork points from its first ancestor on (`teamtui.cli.forking.load_plan` fills them)."""

    def fault_list(self) -> list[str]:
        """The run's faults, numbered as `--drop-fault` counts them: the schedule in file order, then the others."""
        out = []
        for s in self.scenario.faults:
            when = f"at {s.at:g} s" if s.at is not None else f"at round {s.round}"
            f = s.fault
            out.append(f"schedule {f.action}{' ' + f.target if f.target else ''} {when}")
        return out + [r.describe() for r in self.replayed]


def load_recorded(path: Path, run_ref: str) -> Recorded:
    """The run `run_ref` names (an id, a prefix, latest), its scenario as it ran and its log; one line if it cannot."""
    from teamtui.scenario.load import parse_scenario
    from teamtui.store.integrity import readable
    from teamtui.store.reader import load_events, load_scenario_text, resolve_run

    run_id = resolve_run(path, run_ref)
    text, source = load_scenario_text(path, run_id)
    if source.startswith("import:"):
        raise RecorderError(f"run {run_id} was imported ({source}), not run by teamtui, so it has no scenario to "
                            "run again; replay it with teamtui replay, or run a scenario")
    readable(path, run_id)
    events = load_events(path, run_id)
    return Recorded(run_id, parse_scenario(text, Path(source)), events, recorded_faults(events))


def resized(rec: Recorded, size: int | None) -> Scenario:
    """The recorded scenario with `--size` applied; a fault naming an agent the new size removes is an error."""
    sc = rec.scenario
    if size is None or size == sc.size:
        return sc
    from teamtui.scenario.load import with_overrides

    gone = {a.name for a in sc.agents[size:]}
    for number, (label, fault) in enumerate(zip(rec.fault_list(), [s.fault for s in sc.faults] +
                                                [r.fault for r in rec.replayed], strict=True), 1):
        hit = sorted(fault_agents(fault) & gone)
        if hit:
            keep = max(sc.agents.index(next(a for a in sc.agents if a.name == n)) for n in hit) + 1
            raise RunError(f"--size {size} removes {shown(hit[0])}, whom fault {number} ({shown(label)}) names; "
                           f"give --size {keep} or more, or run the scenario itself with fewer agents")
    return with_overrides(sc, size=size)
