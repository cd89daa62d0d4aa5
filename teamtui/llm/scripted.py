"""A backend that runs a handler: deterministic, offline completions for tests (like httpx's MockTransport).

`ScriptedBackend(handler)` calls `handler(request)` for every LLM call; the handler returns a
`Completion` (or raises, which the engine records as a failed call). `latency` is the clock time each
call takes, either a number or a function of the request.
"""

from __future__ import annotations

from collections.abc import Callable

from teamtui.core.clock import Clock
from teamtui.llm.base import Completion, LLMRequest


class ScriptedBackend:
    """See the module docstring."""

    def __init__(self, handler: Callable[[LLMRequest], Completion],
                 latency: float | Callable[[LLMRequest], float] = 1.0) -> None:
        self.handler = handler
        self.latency = latency
        self.requests: list[LLMRequest] = []
        self.forgotten: list[str] = []

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion:
        self.requests.append(request)
        delay = self.latency(request) if callable(self.latency) else self.latency
        await clock.sleep(delay)
        return self.handler(request)

    def forget(self, agent: str) -> None:
        self.forgotten.append(agent)
