"""The LLM edge: what an agent sees (`Observation`), what it may do (actions), and the backend protocol.

A backend turns one `LLMRequest` into one `Completion`: the text of the reply and the actions parsed
from it. The simulated backend builds actions directly from the observation; a real model's reply is
parsed into the same actions (tool calls or the paper harness's reply tags). The engine, not the
backend, applies actions, so every backend is held to the same rules and every action is an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from teamtui.core.clock import Clock

# -- what an agent sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxMessage:
    msg: int
    sender: str
    topic: str
    text: str
    task: str = ""


@dataclass(frozen=True)
class TaskView:
    id: str
    state: str  # pending | ready | claimed | done
    holder: str
    assigned_to: str
    depends_on: tuple[str, ...]
    work: float
    file: str
    spec: str = ""


@dataclass(frozen=True)
class Observation:
    agent: str
    role: str
    architecture: str
    execution: str
    round: int
    now: float
    team: tuple[str, ...]
    lead: str
    inbox: tuple[InboxMessage, ...]
    tasks: tuple[TaskView, ...]
    files: dict[str, int]
    """Path -> version of every file in the workspace."""
    tests: dict[str, bool]
    """Subtask -> whether its last test run (on the current file version) passed."""
    last_seen: dict[str, float]
    """Teammate -> run time of its last completed LLM call (the lead's view of liveness)."""
    suspect_after: float
    feedback: tuple[str, ...] = ()
    """One line per action of this agent's previous turn that was refused (or reply part that was malformed)."""
    reads: tuple[tuple[str, int, str], ...] = ()
    """Files this agent asked to read in its previous turn: (path, version, content)."""


# -- what an agent may do -------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    to: str
    text: str
    topic: str = "chat"
    task: str = ""


@dataclass(frozen=True)
class Broadcast:
    text: str
    topic: str = "chat"
    task: str = ""


@dataclass(frozen=True)
class Claim:
    task: str


@dataclass(frozen=True)
class Release:
    task: str


@dataclass(frozen=True)
class Assign:
    task: str
    to: str


@dataclass(frozen=True)
class ReadFile:
    path: str


@dataclass(frozen=True)
class WriteFile:
    path: str
    content: str
    task: str = ""
    base_version: int | None = None
    """The version the agent based its edit on (None: the version it last observed)."""
    intended_ok: bool = True
    """The sim model's own knowledge of whether it wrote a bug (used by verify = "model")."""


@dataclass(frozen=True)
class RunTests:
    task: str
    """The subtask whose tests to run; "" runs those of every subtask the agent holds (the paper's <run_tests/>)."""


@dataclass(frozen=True)
class Complete:
    task: str


@dataclass(frozen=True)
class RequestStatus:
    pass


@dataclass(frozen=True)
class Wait:
    pass


Action = Send | Broadcast | Claim | Release | Assign | ReadFile | WriteFile | RunTests | Complete | RequestStatus | Wait


# -- the call -------------------------------------------------------------------------------------


class CallSink(Protocol):
    """Where a backend reports what happens during one call; the engine turns each report into an event."""

    def streamed(self, text: str) -> None:
        """Reply text that has arrived so far and was not reported yet."""

    def retried(self, attempt: int, error: str, wait_s: float) -> None:
        """A failed attempt that will be retried after `wait_s` clock seconds."""


@dataclass(frozen=True)
class LLMRequest:
    agent: str
    model: str
    incarnation: int
    call: int
    observation: Observation
    sink: CallSink | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Completion:
    text: str
    actions: tuple[Action, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    coding: bool = field(default=False)
    """Whether this turn wrote code (the sim's think time depends on it)."""
    problems: tuple[str, ...] = ()
    """Parts of the reply outside the protocol, one line each: recorded and told to the agent next turn."""


class LLMBackend(Protocol):
    """Turns a request into a completion; may take (clock) time; raises to report a failed call."""

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion: ...

    def forget(self, agent: str) -> None:
        """Drop an agent's memory (it was restarted)."""
