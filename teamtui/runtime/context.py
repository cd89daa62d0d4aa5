"""What turns, executions and the failure detector may use of a running engine, and each agent's state.

`RunContext` is a Protocol that `teamtui.runtime.engine.Engine` satisfies: a turn (`turn.py`), the
executions (`executions.py`) and the failure detector (`detector.py`) are written against it, so none of
them imports the engine module, which imports them — the runtime has no import cycle, deferred or not.
`AgentState` is what the engine knows about one agent; `FaultInjector` is what the engine is given to apply
faults (the fault layer's nemesis, which acts on the runtime from above it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from teamtui.core import events as ev
from teamtui.core.agent import InboxMessage, Observation
from teamtui.core.clock import Clock
from teamtui.core.faults import Fault
from teamtui.llm.base import LLMBackend
from teamtui.runtime.board import Board
from teamtui.runtime.network import Network
from teamtui.runtime.workspace import Workspace
from teamtui.scenario.spec import AgentSpec, Scenario

E = TypeVar("E", bound=ev.Event)


class FaultInjector(Protocol):
    """What applies faults to a running engine (`teamtui.faults.nemesis.Nemesis`, given by whoever builds the
    engine: the fault layer acts on the runtime, the runtime never imports it)."""

    async def run(self) -> None:
        """Apply the scenario's timed faults as their times come."""

    def at_round(self, rnd: int) -> None:
        """Apply the faults scheduled for the start of round `rnd`."""

    def apply(self, fault: Fault, source: str) -> None:
        """Apply one fault now (source: schedule or user)."""


@dataclass
class AgentState:
    """What the engine knows about one agent (the agent itself knows only its observation)."""

    spec: AgentSpec
    role: str
    alive: bool = True
    incarnation: int = 0
    inbox: list[InboxMessage] = field(default_factory=list)
    turn: asyncio.Task[bool] | None = None
    loop: asyncio.Task[None] | None = None
    in_call_since: float | None = None
    last_seen: float = 0.0
    last_latency: float | None = None
    delay_factor: float = 1.0
    delay_extra: float = 0.0
    stall_flagged: bool = False
    straggler: bool = False
    feedback: list[str] = field(default_factory=list)
    reads: list[tuple[str, int, str]] = field(default_factory=list)
    cancel_reason: str = ""
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def name(self) -> str:
        return self.spec.name


class Detector(Protocol):
    """The failure detector, as a turn sees it: told of every completed call."""

    def after_call(self, st: AgentState, latency: float) -> None: ...


class RunContext(Protocol):
    """The parts of a running engine that its turns, executions and failure detector use."""

    round: int
    calls: int
    cost_usd: float
    cost_estimated: bool
    """Some of `cost_usd` rests on estimated token counts (a server that sent no usage)."""
    lead: str
    agents: dict[str, AgentState]

    @property
    def scenario(self) -> Scenario: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def backend(self) -> LLMBackend: ...

    @property
    def board(self) -> Board: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def network(self) -> Network: ...

    @property
    def nemesis(self) -> FaultInjector: ...

    @property
    def detector(self) -> Detector: ...

    @property
    def real_models(self) -> bool: ...

    @property
    def finished(self) -> bool: ...

    def emit(self, event: E) -> E: ...

    def finish(self, status: str, reason: str) -> None: ...

    def check_end(self) -> None: ...

    def observe(self, name: str) -> Observation: ...

    def wake_all(self) -> None: ...

    def alive(self) -> list[AgentState]: ...

    def busy(self, st: AgentState) -> bool: ...

    def start_turn(self, st: AgentState) -> asyncio.Task[bool]: ...
