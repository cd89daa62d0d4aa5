"""`teamtui fork`: a recorded run re-executed up to a point, then continued with a change, recorded as its child.

The child runs its parent's scenario and seed on the virtual clock, with the faults only the parent's log
holds replayed at their times (`teamtui.faults.replayed`), so up to the fork point it is the parent again;
for the sim, event for event, which the fork checks and says when it is not so. At the fork point — after
the engine step that emitted event `--at`, or at run time `--at-time` — the change is applied: faults
dropped (those that have not happened yet), faults added, agents beyond `--size` killed (a team cannot
grow mid-run), the model swapped for the rest of the run (to another sim profile or a cassette: a model
behind a network answers in real time, and the re-executed prefix runs on the virtual clock). A parent run
with real models is re-executed from the cassette it was recorded to (`--cassette`), offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teamtui.cli.replan import Recorded, load_recorded
from teamtui.core import events as ev
from teamtui.core.errors import RunError
from teamtui.core.faults import Delay, Fault, Heal, Kill, Partition, Restart, Resume, Stall, Undelay
from teamtui.core.printable import shown
from teamtui.faults.replayed import ForkPoint, Replayed, nemesis_for
from teamtui.launch import Outcome, Run, needs_wall_clock
from teamtui.scenario.spec import Scenario

ADD_HELP = ("write ACTION:AGENT[+SECONDS][xFACTOR] with ACTION kill, restart, stall, resume, delay, undelay or "
            "partition (AGENT a name or a position from 1), or heal; e.g. kill:bob, stall:2+30 or delay:cy+20x3")
_ADD = re.compile(r"(?P<action>[a-z_]+)(?::(?P<agent>[^+x]+?))?(?:\+(?P<seconds>[0-9.]+))?(?:x(?P<factor>[0-9.]+))?")


@dataclass(frozen=True)
class ForkRequest:
    """What `teamtui fork` was asked: where to fork, and what to change there."""

    at: int | None = None
    at_time: float | None = None
    model: str | None = None
    drop: tuple[int, ...] = ()
    add: tuple[str, ...] = ()
    size: int | None = None
    cassette: Path | None = None

    def change(self) -> dict[str, Any]:
        return {"at": self.at, "at_time": self.at_time, "model": self.model, "drop": list(self.drop),
                "add": list(self.add), "size": self.size, "cassette": str(self.cassette) if self.cassette else None}

    @classmethod
    def of(cls, change: dict[str, Any]) -> ForkRequest:
        """The request a recorded fork was made with (its `forks.change`)."""
        return cls(at=change.get("at"), at_time=change.get("at_time"), model=change.get("model"),
                   drop=tuple(change.get("drop") or ()), add=tuple(change.get("add") or ()), size=change.get("size"),
                   cassette=Path(change["cassette"]) if change.get("cassette") else None)

    def describe(self) -> str:
        parts = [f"--model {self.model}"] if self.model else []
        parts += [f"--drop-fault {n}" for n in self.drop] + [f"--add-fault {a}" for a in self.add]
        parts += [f"--size {self.size}"] if self.size is not None else []
        return " ".join(parts) or "no change"


@dataclass
class Forked:
    """A fork that ran: the child's outcome, where it left its parent, and where (if anywhere) its prefix differs."""

    parent: Recorded
    outcome: Outcome
    at_seq: int
    at_t: float
    prefix_differs_at: int | None
    scenario: Scenario


def parse_added(text: str, agents: list[str]) -> Fault:
    """An `--add-fault` value as a fault (see `ADD_HELP`); one error line naming the value if it cannot be read."""
    m = _ADD.fullmatch(text.strip())
    if m is None:
        raise RunError(f'--add-fault "{shown(text)}" cannot be read; {ADD_HELP}')
    action, who, seconds_s, factor_s = m.group("action", "agent", "seconds", "factor")
    if action == "heal" and who is None and seconds_s is None and factor_s is None:
        return Heal()
    if action not in ("kill", "restart", "stall", "resume", "delay", "undelay", "partition"):
        raise RunError(f'--add-fault "{shown(text)}": unknown action "{shown(action)}"; {ADD_HELP}')
    if who is None:
        raise RunError(f'--add-fault "{shown(text)}": name the agent; {ADD_HELP}')
    agent = who.strip()
    if agent.isdigit():
        if not 1 <= int(agent) <= len(agents):
            raise RunError(f'--add-fault "{shown(text)}": there is no agent {agent}; positions run from 1 to '
                           f"{len(agents)} ({', '.join(agents)})")
        agent = agents[int(agent) - 1]
    elif agent not in agents:
        raise RunError(f'--add-fault "{shown(text)}": no agent named "{shown(agent)}"; the team is '
                       f"{', '.join(agents)}")
    try:
        seconds = float(seconds_s) if seconds_s else None
        factor = float(factor_s) if factor_s else None
        if factor is not None and action != "delay":
            raise ValueError("only delay takes a factor (x...)")
        if seconds is not None and action not in ("stall", "delay", "partition"):
            raise ValueError(f"a {action} has no duration")
        match action:
            case "kill":
                return Kill(agent)
            case "restart":
                return Restart(agent)
            case "resume":
                return Resume(agent)
            case "undelay":
                return Undelay(agent)
            case "stall":
                return Stall(agent, seconds=seconds)
            case "delay":
                return Delay(agent, factor=factor, seconds=seconds)
            case _:
                return Partition(agent=agent, seconds=seconds)
    except ValueError as exc:
        raise RunError(f'--add-fault "{shown(text)}": {exc}; {ADD_HELP}') from None


def _check_point(rec: Recorded, req: ForkRequest) -> None:
    events = rec.events
    end = len(events) - 1
    if (req.at is None) == (req.at_time is None):
        raise RunError("give the fork point: --at EVENT (an event number, as replay shows) or --at-time SECONDS")
    if req.at is not None and not 0 <= req.at < end:
        raise RunError(f"--at {req.at}: run {rec.run_id} has events 0 to {end} (event {end} is its end); fork at an "
                       f"event from 0 to {end - 1}")
    last_t = events[-1].t if events else 0.0
    if req.at_time is not None and not 0 <= req.at_time < last_t:
        raise RunError(f"--at-time {req.at_time:g}: run {rec.run_id} ended at {last_t:g} s; fork at a run time "
                       f"from 0 to below {last_t:g}")


def _check_drops(rec: Recorded, req: ForkRequest) -> None:
    faults = rec.fault_list()
    for n in req.drop:
        if not 1 <= n <= len(faults):
            listed = "; ".join(f"{i} {shown(f)}" for i, f in enumerate(faults, 1)) or "none"
            raise RunError(f"--drop-fault {n}: run {rec.run_id} has {len(faults)} fault(s) ({listed}); give a "
                           f"number from 1 to {len(faults)}" if faults else
                           f"--drop-fault {n}: run {rec.run_id} has no faults to drop")
        if n > len(rec.scenario.faults):
            r = rec.replayed[n - len(rec.scenario.faults) - 1]
            early = (req.at is not None and r.seq <= req.at) or (req.at_time is not None and r.t <= req.at_time)
            if early:
                raise RunError(f"--drop-fault {n}: {shown(r.describe())} (event {r.seq}) happened before the fork "
                               "point; fork at an earlier event to drop it")


def _prefix_scenario(rec: Recorded, cassette: Path | None) -> Scenario:
    """The scenario the child runs from its start: the parent's, with a real-model team read from its cassette."""
    sc = rec.scenario
    if not needs_wall_clock(sc):
        if cassette is not None:
            raise RunError(f"--cassette: run {rec.run_id} did not call real models (its models: "
                           f"{', '.join(sorted({a.model for a in sc.agents}))}); leave --cassette out")
        return sc
    if cassette is None:
        models = ", ".join(sorted({a.model for a in sc.agents}))
        raise RunError(f"run {rec.run_id} called real models ({shown(models)}): give the cassette it was recorded to "
                       "with --cassette PATH (teamtui run --record-llm PATH records one), to replay its prefix offline")
    from teamtui.llm import preflight
    from teamtui.scenario.load import with_overrides

    out = with_overrides(sc, model=f"cassette:{cassette}")
    preflight(out)
    return out


def _backend_swap(sc: Scenario, model: str) -> Any:
    """A factory for the backend `--model` swaps in at the fork point (refused for models behind a network)."""
    from teamtui.llm import make_backend, preflight
    from teamtui.scenario.load import with_overrides

    if not (model == "sim" or model.startswith(("sim:", "cassette:"))):
        raise RunError(f"--model {shown(model)}: a fork continues on the virtual clock, where a model behind a network "
                       "cannot answer; give sim, sim:PROFILE or cassette:PATH (or rerun the scenario with that model)")
    swapped = with_overrides(sc, model=model)
    preflight(swapped)
    return lambda: make_backend(swapped)


MAX_DEPTH = 64
"""How many forks deep a chain of forks may go (a loop in a hand-edited database ends here)."""


def load_plan(db: Path, run_ref: str, cassette: Path | None = None, depth: int = 0, offline: bool = True) -> Recorded:
    """A recorded run as a plan to run it again: for a fork, its first ancestor's scenario and faults and every
    fork point on the way, so that running the plan makes the run again. `offline`: real models are read from
    their cassette (a fork's prefix); otherwise a run that is no fork is run as it was (`rerun`)."""
    from teamtui.store.reader import load_fork

    rec = load_recorded(db, run_ref)
    link = load_fork(db, rec.run_id)
    if link is None:
        if offline:
            rec.scenario = _prefix_scenario(rec, cassette)
        return rec
    if depth >= MAX_DEPTH:
        raise RunError(f"run {rec.run_id}: its chain of parents is more than {MAX_DEPTH} forks long (or loops)")
    req = ForkRequest.of(link.change)
    base = load_plan(db, link.parent, cassette or req.cassette, depth + 1)
    point = point_for(base, req)
    inherited = [(r.fault, r.source) for r in base.replayed if r.seq > link.at_seq]
    own = []
    for r in rec.replayed:  # the child's log holds its ancestors' later faults too: its own are the rest
        if r.source == "fork" or r.seq <= link.at_seq:
            continue
        if (r.fault, r.source) in inherited:
            inherited.remove((r.fault, r.source))
        else:
            own.append(Replayed(r.t, r.fault, r.source, r.seq, layer=len(base.forks) + 1))
    return Recorded(rec.run_id, base.scenario, rec.events, base.replayed + own, [*base.forks, point])


def point_for(base: Recorded, req: ForkRequest) -> ForkPoint:
    """The fork point `req` asks for on the run `base` (checked against it: one error line if it cannot be)."""
    sc = base.scenario
    names = [a.name for a in sc.agents]
    added = tuple(parse_added(a, names) for a in req.add)
    keep = None
    if req.size is not None:
        if req.size > sc.size:
            raise RunError(f"--size {req.size}: an agent cannot join a run mid-way, and run {base.run_id} has "
                           f"{sc.size}; fork with --size {sc.size} or less (the others are killed at the fork point), "
                           f"or rerun it with --size {req.size}")
        keep = req.size
    return ForkPoint(at_seq=req.at, at_t=req.at_time, drop=frozenset(req.drop), add=added, keep_agents=keep,
                     backend=_backend_swap(sc, req.model) if req.model else None)


def fork_run(db: Path, run_ref: str, req: ForkRequest, again: Recorded | None = None) -> Forked:
    """Run the fork `req` of the run `run_ref` (not yet recorded: `record` does that). `again`: the plan of a
    recorded fork of `run_ref` to make again (its fork points, and the keys pressed in it, are the change)."""
    rec = load_plan(db, run_ref, req.cassette)
    if again is None:
        _check_point(rec, req)
        _check_drops(rec, req)
        plan, point = rec, point_for(rec, req)
        points = [*rec.forks, point]
    else:
        plan, point, points = again, again.forks[-1], again.forks
    run = Run(plan.scenario, nemesis=nemesis_for(plan.replayed, points))
    outcome = run.execute()
    if outcome.error is not None:
        raise outcome.error
    for p in points:
        if p.error:
            raise RunError(p.error)
    if point.landed_seq is None or point.landed_t is None:
        raise RunError(f"the re-execution of run {rec.run_id} ended (event {len(outcome.events) - 1}) before the fork "
                       "point; fork at an earlier point")
    differs = next((i for i, (a, b) in enumerate(zip(outcome.events[:point.landed_seq + 1], rec.events, strict=False))
                    if ev.encode(a) != ev.encode(b)), None)
    return Forked(rec, outcome, point.landed_seq, point.landed_t, differs, rec.scenario)


def record(db: Path, forked: Forked, req: ForkRequest) -> str:
    """Record the child run with its link to its parent; returns its id."""
    from teamtui.store.writer import record_fork, record_run, run_status

    events = forked.outcome.events
    end = events[-1] if events else None
    status = run_status(end.status) if isinstance(end, ev.RunFinished) else "interrupted"
    run_id = record_run(db, forked.scenario, events, forked.outcome.metrics.to_dict(), status)
    record_fork(db, run_id, forked.parent.run_id, forked.at_seq, forked.at_t, req.change())
    return run_id


PREFIX_SPEED = 1e6
"""How fast the monitor plays a fork's prefix (run seconds per wall second): at once, in effect."""


@dataclass
class WatchedFork:
    """A fork to be watched in the monitor: the app on the child, and what its link will record."""

    app: Any
    parent: Recorded
    point: ForkPoint
    req: ForkRequest


def fork_app(db: Path, run_ref: str, at: int, speed: float) -> WatchedFork:
    """The monitor on a fork of `run_ref` after event `at`: the prefix plays at once, then the run pauses at the
    fork point at `speed`, for the user's keys to change its course. Recorded live, as any monitor run."""
    from teamtui.ui.app import TeamApp

    rec = load_plan(db, run_ref)
    req = ForkRequest(at=at)
    _check_point(rec, req)
    point = point_for(rec, req)
    app = TeamApp(rec.scenario, speed=PREFIX_SPEED, db=db, nemesis=nemesis_for(rec.replayed, [*rec.forks, point]))
    run = app.run_handle

    def landed() -> None:
        if run is not None:
            run.pause(True)
            run.set_speed(speed)

    point.on_land = landed
    return WatchedFork(app, rec, point, req)


def link_watched(db: Path, watched: WatchedFork) -> str | None:
    """After the monitor closed: link the recorded child to its parent (if it got as far as the fork point)."""
    from teamtui.store.writer import record_fork

    run = watched.app.run_handle
    outcome = run.outcome if run is not None else None
    point = watched.point
    if outcome is None or outcome.run_id is None or point.landed_seq is None or point.landed_t is None:
        return None
    record_fork(db, outcome.run_id, watched.parent.run_id, point.landed_seq, point.landed_t, watched.req.change())
    return str(outcome.run_id)


def watch_fork(db: Path, run_ref: str, at: int, speed: float) -> int:
    """`b` in replay: the monitor on the fork, then its link recorded and one line saying what became of it."""
    import click

    from teamtui.cli.signals import interruptible

    watched = fork_app(db, run_ref, at, speed)
    with interruptible(watched.app.interrupt_from_signal):
        watched.app.run()
    child = link_watched(db, watched)
    if child is not None:
        click.echo(f"teamtui: forked run {child} from {watched.parent.run_id} after event {watched.point.landed_seq}")
    for line in (watched.app.recording_note, watched.app.error_line):
        if line:
            click.echo(f"teamtui: {shown(line)}", err=True)
    return int(watched.app.return_code or 0)


def replay_pair(db: Path, a: str, b: str, speed: float) -> int:
    """`teamtui replay A --with B`: the two runs side by side, in lockstep by run time."""
    from teamtui.experiments.rundiff import first_divergence
    from teamtui.store.integrity import readable
    from teamtui.store.reader import load_events
    from teamtui.store.recording import open_recording
    from teamtui.ui.split import SplitReplayApp

    for run_id in (a, b):
        readable(db, run_id)
    split = first_divergence(load_events(db, a), load_events(db, b))
    app = SplitReplayApp(open_recording(db, a), a, open_recording(db, b), b, split.seq if split else None, speed)
    app.run()
    return int(app.return_code or 0)


def fork_and_report(db: Path, run_ref: str, req: ForkRequest, as_json: bool, again: str = "") -> str:
    """Fork, record the child, and print its metrics (a table, or JSON on stdout) and one line on where it left
    its parent; `again` names a recorded fork to make again (`rerun` of a fork). Returns the child's id."""
    import json
    import sys

    import click
    from rich.console import Console
    from rich.text import Text

    from teamtui.metrics.tables import summary_table

    forked = fork_run(db, run_ref, req, load_plan(db, again, req.cassette) if again else None)
    run_id = record(db, forked, req)
    console = Console(stderr=as_json)
    if as_json:
        sys.stdout.write(json.dumps(forked.outcome.metrics.to_dict(), indent=2, default=list) + "\n")
    else:
        console.print(summary_table(forked.outcome.metrics))
    line = (f"forked run {run_id} from {forked.parent.run_id} after event {forked.at_seq} (t = {forked.at_t:.1f} s):"
            f" {req.describe()}" + (f" — fork {again} made again" if again else ""))
    console.print(Text(shown(line)), highlight=False)
    if forked.prefix_differs_at is not None:
        click.echo(f"teamtui: note: the re-executed prefix differs from the parent's at event "
                   f"{forked.prefix_differs_at} (a run with real models is not reproduced to the event by its "
                   "cassette); see teamtui diff " + run_id, err=True)
    return run_id
