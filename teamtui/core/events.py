"""The event vocabulary: every happening in a run is one frozen, past-tense event in one append-only log.

Every event carries `seq` (its position in the log, from 0), `t` (run-clock seconds) and `agent`
(the agent it concerns, or "" for the run itself). Events are msgspec structs tagged by class name,
so one JSON encoding serves the recorder, exports, replay and tests; `encode`/`decode` are the only
(de)serialisers. Events never hold secrets, absolute paths or wall-clock dates, so that the same seed
on the virtual clock yields the same log byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import msgspec


def _finite(kind: str, **values: float | None) -> None:
    """Refuse (ValueError; a `msgspec.ValidationError` when decoding) a fault setting that is nan, inf or negative:
    JSON has no such numbers, so an event holding one would be stored as null and could not be read back."""
    for name, value in values.items():
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{kind}.{name} must be a finite number of at least 0, not {value!r}")


class Event(msgspec.Struct, frozen=True, tag=True, kw_only=True):
    """Base of all events."""

    seq: int = -1
    t: float = 0.0
    agent: str = ""

    @property
    def kind(self) -> str:
        return type(self).__name__


# -- the run ---------------------------------------------------------------------------------------


class TaskSpec(msgspec.Struct, frozen=True):
    """One subtask as announced in `RunStarted`."""

    id: str
    file: str
    depends_on: tuple[str, ...]
    work: float


class RunStarted(Event, frozen=True):
    scenario: str
    seed: int
    architecture: str
    execution: str
    consistency: str
    model: str
    agents: tuple[str, ...]
    roles: tuple[str, ...]
    tasks: tuple[TaskSpec, ...]
    p: float | None = None
    pack: str = ""
    sandbox: str = ""
    """Where code under test runs (`teamtui.runtime.sandbox`); "" when the run executes none."""


class RunFinished(Event, frozen=True):
    status: str  # completed | stranded | time_limit | round_limit | budget | cancelled | failed
    reason: str
    makespan: float
    rounds: int
    done: int
    total: int
    tests_pass: bool | None = None
    """Whether, at the end, every subtask's file passes its tests (the current version of each was tested,
    or the sim's model knows); None when some file's was never tested. `done` counts subtasks marked done,
    which under the harness's advisory tests is another thing."""


class RoundStarted(Event, frozen=True):
    round: int
    waiting_on: tuple[str, ...]


class RoundEnded(Event, frozen=True):
    round: int
    slowest: str
    duration: float


# -- LLM calls (invoke -> ok / fail / abandoned) --------------------------------------------------


class LLMCallStarted(Event, frozen=True):
    call: int
    round: int
    model: str


class LLMCallCompleted(Event, frozen=True):
    call: int
    round: int
    latency: float
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    text: str
    tokens_estimated: bool = False
    """The token counts (and a cost made of them) are estimates: the server sent no usage. Runs stored before
    the flag read as False."""


class LLMCallFailed(Event, frozen=True):
    call: int
    round: int
    error: str


class LLMCallAbandoned(Event, frozen=True):
    call: int
    round: int
    reason: str


class LLMTokensStreamed(Event, frozen=True):
    """Text of a reply as it streams in (batched: a few events per second per agent at most)."""

    call: int
    text: str


class LLMCallRetried(Event, frozen=True):
    """A provider error (rate limit, time-out, 5xx) that the backend retries after `wait_s`."""

    call: int
    attempt: int
    error: str
    wait_s: float


class ReplyRejected(Event, frozen=True):
    """Part of a model's reply that is outside the protocol (bad JSON, unknown action, missing field...)."""

    call: int
    problem: str


# -- messages --------------------------------------------------------------------------------------


class MessageSent(Event, frozen=True):
    msg: int
    to: tuple[str, ...]
    topic: str  # claim | done | status | status_request | assign | report | chat
    text: str
    task: str = ""


class MessageDelivered(Event, frozen=True):
    msg: int
    sender: str


class MessageDropped(Event, frozen=True):
    msg: int
    sender: str
    reason: str  # partition | drop | dead


# -- the task board --------------------------------------------------------------------------------


class TaskAssigned(Event, frozen=True):
    task: str
    to: str


class TaskClaimed(Event, frozen=True):
    task: str
    reclaimed_from: str = ""


class ClaimBlocked(Event, frozen=True):
    task: str
    missing: tuple[str, ...]


class ClaimConflicted(Event, frozen=True):
    task: str
    holder: str  # the agent holding it, or "" when the task is already done


class TaskReleased(Event, frozen=True):
    task: str
    reason: str


class LeaseExpired(Event, frozen=True):
    task: str
    holder: str


class TaskCompleted(Event, frozen=True):
    task: str


class CompletionRejected(Event, frozen=True):
    task: str
    reason: str


class WorkStranded(Event, frozen=True):
    tasks: tuple[str, ...]
    reason: str


# -- the workspace ---------------------------------------------------------------------------------


class FileWritten(Event, frozen=True):
    path: str
    task: str
    version: int
    base_version: int
    size: int


class WriteConflicted(Event, frozen=True):
    path: str
    base_version: int
    current_version: int
    last_writer: str
    outcome: str  # overwrote | rejected


class LockDenied(Event, frozen=True):
    path: str
    holder: str


class TestsRan(Event, frozen=True):
    task: str
    passed: bool
    exit_code: int
    duration: float
    output: str = ""


class FileRead(Event, frozen=True):
    path: str
    version: int
    size: int


class ActionRejected(Event, frozen=True):
    action: str
    reason: str


# -- failure detection ----------------------------------------------------------------------------


class AgentStalled(Event, frozen=True):
    since: float


class AgentRecovered(Event, frozen=True):
    stalled_for: float


class StragglerDetected(Event, frozen=True):
    latency: float
    team_median: float


class StragglerCleared(Event, frozen=True):
    latency: float


class LeaderElected(Event, frozen=True):
    previous: str


# -- faults ----------------------------------------------------------------------------------------


class FaultInjected(Event, frozen=True):
    fault: str
    source: str  # schedule | user
    params: dict[str, Any] = {}
    aim: str = ""
    """The selector that picked `agent` (holder, lead, busiest, slowest, random), or "" when it was named."""
    why: str = ""
    """Why the selector picked it, or what a `when = "holding"` fault waited for ("" when neither applies)."""


class FaultSkipped(Event, frozen=True):
    """A fault that did not fire: its selector matched no agent, or `when = "holding"` waited `timeout_s` in vain."""

    fault: str
    source: str
    aim: str
    reason: str


def _param(v: Any) -> str:
    return f"{v:g}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


_PARAMS = frozenset({"groups", "factor", "latency_s", "rate", "seconds"})


def params_text(params: Mapping[str, Any]) -> str:
    """How a fault's recorded parameters read, everywhere they are shown: `×3 for 20s`, `ada,bob | cy,dee for 10s`,
    `rate 0.2`, `+5s per call` ("" for none); a key not known here reads `key value`."""
    parts = []
    groups = params.get("groups")
    if isinstance(groups, list | tuple):
        parts.append(" | ".join(",".join(map(str, g)) if isinstance(g, list | tuple) else str(g) for g in groups))
    if "factor" in params:
        parts.append(f"×{_param(params['factor'])}")
    if "latency_s" in params:
        parts.append(f"+{_param(params['latency_s'])}s per call")
    if "rate" in params:
        parts.append(f"rate {_param(params['rate'])}")
    if "seconds" in params:
        parts.append(f"for {_param(params['seconds'])}s")
    parts += [f"{k} {_param(v)}" for k, v in params.items() if k not in _PARAMS]
    return " ".join(parts)


class AgentKilled(Event, frozen=True):
    held: tuple[str, ...]


class AgentRestarted(Event, frozen=True):
    incarnation: int


class AgentDelayed(Event, frozen=True):
    factor: float
    extra_s: float
    duration: float | None

    def __post_init__(self) -> None:
        _finite("AgentDelayed", factor=self.factor, extra_s=self.extra_s, duration=self.duration)


class AgentDelayEnded(Event, frozen=True):
    pass


class AgentStallInjected(Event, frozen=True):
    duration: float | None

    def __post_init__(self) -> None:
        _finite("AgentStallInjected", duration=self.duration)


class AgentResumed(Event, frozen=True):
    pass


class NetworkPartitioned(Event, frozen=True):
    groups: tuple[tuple[str, ...], ...]


class NetworkHealed(Event, frozen=True):
    pass


class LinkFaultSet(Event, frozen=True):
    drop: float
    duplicate: float
    extra_latency: float

    def __post_init__(self) -> None:
        _finite("LinkFaultSet", drop=self.drop, duplicate=self.duplicate, extra_latency=self.extra_latency)


AnyEvent = (
    RunStarted | RunFinished | RoundStarted | RoundEnded
    | LLMCallStarted | LLMCallCompleted | LLMCallFailed | LLMCallAbandoned
    | LLMTokensStreamed | LLMCallRetried | ReplyRejected | FileRead
    | MessageSent | MessageDelivered | MessageDropped
    | TaskAssigned | TaskClaimed | ClaimBlocked | ClaimConflicted | TaskReleased | LeaseExpired
    | TaskCompleted | CompletionRejected | WorkStranded
    | FileWritten | WriteConflicted | LockDenied | TestsRan | ActionRejected
    | AgentStalled | AgentRecovered | StragglerDetected | StragglerCleared | LeaderElected
    | FaultInjected | FaultSkipped | AgentKilled | AgentRestarted | AgentDelayed | AgentDelayEnded
    | AgentStallInjected | AgentResumed | NetworkPartitioned | NetworkHealed | LinkFaultSet
)

EVENT_TYPES: dict[str, type[Event]] = {cls.__name__: cls for cls in AnyEvent.__args__}  # type: ignore[attr-defined]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(AnyEvent)


def encode(event: Event) -> bytes:
    """One event as one line of JSON (no newline)."""
    return _encoder.encode(event)


def decode(data: bytes | str) -> Event:
    """The inverse of `encode`; raises `msgspec.ValidationError` on foreign input."""
    result: Event = _decoder.decode(data)
    return result


def to_jsonl(events: list[Event]) -> bytes:
    """A whole log as JSON lines."""
    return b"".join(_encoder.encode(e) + b"\n" for e in events)
