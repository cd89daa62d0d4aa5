"""What an agent sees (`Observation`) and what it may do (actions): the contract between the engine and its models.

The engine builds an `Observation` for each turn and applies the actions a backend returns; every LLM
backend (the simulated team, scripted handlers, cassettes, real models) speaks exactly these types.
"""

from __future__ import annotations

from dataclasses import dataclass

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
