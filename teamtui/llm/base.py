"""The LLM edge: the backend protocol that turns one agent's request into one completion.

A backend turns one `LLMRequest` into one `Completion`: the text of the reply and the actions parsed
from it. The simulated backend builds actions directly from the observation; a real model's reply is
parsed into the same actions (tool calls or the paper harness's reply tags). The engine, not the
backend, applies actions, so every backend is held to the same rules and every action is an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from teamtui.core.agent import Action, Observation
from teamtui.core.clock import Clock

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
    tokens_estimated: bool = False
    """The token counts are estimates (the server sent no usage), not the server's own counts."""


class LLMBackend(Protocol):
    """Turns a request into a completion; may take (clock) time; raises to report a failed call."""

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion: ...

    def forget(self, agent: str) -> None:
        """Drop an agent's memory (it was restarted)."""
