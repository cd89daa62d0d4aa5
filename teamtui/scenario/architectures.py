"""Team architectures as a registry of names: who coordinates, whether work is pre-assigned, whether claims expire.

An `Architecture` says which roles a team of n has, whether work is assigned before the run, whether
claims are leases that expire, and whether the team has a lead. This is vocabulary only: scenario
validation reads it, and the engine's algorithms over it (the pre-assignment, what is stranded when
agents die) live in `teamtui.runtime.architectures`. The agents' behaviour in each role lives in the LLM
backend (the sim model, or a prompt for a real model). Register another one with `register(Architecture(...))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Architecture:
    """One way of organising a team."""

    name: str
    description: str
    roles: Callable[[int], list[str]]
    min_size: int = 1
    leases: bool = False
    """Claims expire unless renewed, so a dead agent's work becomes claimable again."""
    preassign: bool = False
    """Subtasks are assigned to workers before the run starts."""
    has_lead: bool = False
    aliases: tuple[str, ...] = field(default=())


def _all(role: str) -> Callable[[int], list[str]]:
    return lambda n: [role] * n


ARCHITECTURES: dict[str, Architecture] = {}


def register(arch: Architecture) -> Architecture:
    ARCHITECTURES[arch.name] = arch
    return arch


register(Architecture(
    "preassigned", "work is split programmatically before the run, respecting the DAG (the paper's centralized "
    "condition); no recovery from a dead worker", _all("worker"), preassign=True))
register(Architecture(
    "lead", "a lead agent assigns ready subtasks as it goes and reassigns a failed worker's work",
    lambda n: ["lead"] + ["worker"] * (n - 1), min_size=2, has_lead=True))
register(Architecture(
    "decentralized", "no lead: agents announce, claim and release subtasks themselves; claims are leases",
    _all("peer"), leases=True))
