"""Aiming a fault by role and state: which agent a selector (`holder`, `lead`, `busiest`, `slowest`, `random`) or a
name picks from a snapshot of the team, and why.

`resolve(target, team, holding=..., draw=...)` is a pure function of its arguments: the nemesis builds the
snapshot (`Member`s, in team order) from the engine's board and counters at the moment a fault fires, and
records the answer's `why` in the fault's event, so a replay and a report say which agent a selector picked and
for what reason. Only living agents are picked. Ties go to the agent first in team order. With `holding`, only
agents holding a subtask are candidates (a scenario's `when = "holding"`); an empty answer (`agent == ""`) says
in `why` what was missing. `random` picks with `draw`, a number in [0, 1) the caller derives from the scenario's
seed (`seeded_draw`), so a rerun of the same seed picks the same agent.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

SELECTORS: dict[str, str] = {
    "holder": "the agent holding the most work (subtasks it holds, by their work; then by count)",
    "lead": "the team's current lead (lead architectures only)",
    "busiest": "the agent that has completed the most subtasks so far (then: holds the most work)",
    "slowest": "the agent whose LLM calls have taken longest on average so far",
    "random": "a living agent picked at random, seeded by the scenario's seed (a rerun picks the same one)",
}
"""Every selector a fault's `agent` may name, with what it picks (the docs and `--help` texts read these)."""

WHEN: dict[str, str] = {
    "now": "fire at the fault's time, at whoever the target is then (the default)",
    "holding": "wait from the fault's time until the target holds a subtask (at most timeout_s), then fire",
}
"""The values of a fault's `when`."""

DEFAULT_TIMEOUT_S = 60.0
"""How long `when = "holding"` waits by default before it gives up (and records that it did)."""


@dataclass(frozen=True)
class Member:
    """One agent as a selector sees it at one moment."""

    name: str
    role: str = "worker"
    alive: bool = True
    held: tuple[str, ...] = ()
    """The subtasks it holds (not done), in board order."""
    held_work: float = 0.0
    """Their work, summed."""
    completed: int = 0
    """Subtasks it has completed so far."""
    mean_latency: float | None = None
    """Its mean LLM call latency so far (None: no call completed yet)."""


@dataclass(frozen=True)
class Aimed:
    """A selector's answer: the agent picked ("" for none) and why, in words for the event log."""

    agent: str
    why: str


def seeded_draw(seed: int, n: int) -> float:
    """The `n`-th random draw of a run with `seed` for `random` (the same numbers on every rerun of that seed)."""
    return random.Random(f"teamtui-aim:{seed}:{n}").random()


def _holds(m: Member) -> str:
    return f"holds {', '.join(m.held)}" if m.held else "holds nothing"


def resolve(target: str, team: Sequence[Member], *, holding: bool = False, draw: float = 0.0) -> Aimed:
    """The agent `target` (a selector from SELECTORS, or a name) picks from `team`; see the module docstring."""
    alive = [m for m in team if m.alive]
    pool = [m for m in alive if m.held] if holding else alive
    need = " that holds a subtask" if holding else ""
    if target not in SELECTORS:
        m = next((m for m in team if m.name == target), None)
        if m is None:
            return Aimed("", f"no agent named {target}")
        if not m.alive:
            return Aimed("", f"{target} is dead")
        if holding and not m.held:
            return Aimed("", f"{target} holds no subtask")
        return Aimed(m.name, f"{target}, named ({_holds(m)})")
    if not pool:
        return Aimed("", f"{target}: no living agent{need}")
    if target == "holder":
        held = [m for m in pool if m.held]
        if not held:
            return Aimed("", "holder: no living agent holds a subtask")
        best = max(held, key=lambda m: (m.held_work, len(m.held), -team.index(m)))
        return Aimed(best.name, f"holder: {best.name} {_holds(best)}, the most work ({best.held_work:g})")
    if target == "lead":
        lead = next((m for m in pool if m.role == "lead"), None)
        if lead is None:
            dead = any(m.role == "lead" for m in team)
            return Aimed("", "lead: " + ("the lead is dead" if dead and not holding else
                                         f"no living lead{need}" if dead or holding else "the team has no lead"))
        return Aimed(lead.name, f"lead: {lead.name} is the lead ({_holds(lead)})")
    if target == "busiest":
        best = max(pool, key=lambda m: (m.completed, m.held_work, -team.index(m)))
        return Aimed(best.name, f"busiest: {best.name} has completed {best.completed} subtask"
                                f"{'' if best.completed == 1 else 's'}, the most ({_holds(best)})")
    if target == "slowest":
        timed = [m for m in pool if m.mean_latency is not None]
        if not timed:
            return Aimed("", f"slowest: no living agent{need} has completed a call yet")
        best = max(timed, key=lambda m: (m.mean_latency or 0.0, -team.index(m)))
        return Aimed(best.name, f"slowest: {best.name} takes {best.mean_latency:.1f}s per call on average, the "
                                f"longest ({_holds(best)})")
    # random
    pick = pool[min(len(pool) - 1, int(draw * len(pool)))]
    return Aimed(pick.name, f"random: {pick.name}, drawn from {len(pool)} living agent{'' if len(pool) == 1 else 's'}"
                            f"{need} by the run's seed ({_holds(pick)})")


def static_problem(target: str, roles: Sequence[str]) -> str:
    """Why `target` can never pick an agent of a team with `roles` (decidable before the run), or ""."""
    if target == "lead" and "lead" not in roles:
        return ('"lead" picks the team\'s lead, and this team has none (its architecture has no lead); use holder, '
                "busiest, slowest, random, a name or a position")
    return ""
