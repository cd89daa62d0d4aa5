"""What a streamed reply really carried: the server's own finish reason and usage, and why a bad stream ended.

litellm smooths a provider's stream over: a stream that ends with nothing gets a made-up `stop` chunk, and a
stream without usage gets usage counted by litellm's tokenizer, both indistinguishable from the server's.
`RawWatch` wraps the provider's raw stream (before litellm's wrapper reads it) and notes whether the server
itself sent a finish reason and a usage figure, so the backend can tell a real reply from an empty or cut-off
stream, and a real token count from an estimate. `Flights` counts the calls in flight per server, so a stream
cut off while another call to the same server was under way is named for what it is: a one-at-a-time server
interrupting its calls (llama-cpp-python's default). Nothing here imports litellm.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

EMPTY = ("empty stream: is the prompt larger than the server's context? Set [team] context_tokens to its size "
         "(the stream ended with nothing: no text, no tool call, no finish reason; teamtui doctor tells the size)")
INTERRUPTED = ("cut off by another call: set [team] parallel_calls = 1, or start the server with "
               "--interrupt_requests False (it serves one call at a time and, as llama-cpp-python does by default, "
               "ends the stream in flight when the next call arrives)")
CUT = "the stream ended without a finish reason (the server cut the reply off)"


class StreamEnded(Exception):
    """A stream that ended with nothing or was cut off: a failed call with its cause, never the model's fault."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


class RawWatch:
    """Passes a provider's raw chunks through, noting the server's own finish reason and usage."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.finish: str | None = None
        self.usage = False

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._watch()

    async def _watch(self) -> AsyncIterator[Any]:
        async for chunk in self.raw:
            usage = _field(chunk, "usage")
            if usage is not None and (_field(usage, "prompt_tokens") or _field(usage, "completion_tokens")):
                self.usage = True
            for choice in _field(chunk, "choices") or []:
                finish = _field(choice, "finish_reason")
                if finish:
                    self.finish = str(finish)
            if _field(chunk, "finish_reason"):  # litellm's own generic chunks (non-OpenAI providers)
                self.finish = str(_field(chunk, "finish_reason"))
            yield chunk

    async def aclose(self) -> None:
        close = getattr(self.raw, "aclose", None) or getattr(self.raw, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result


async def watch(response: Any) -> RawWatch | None:
    """Wrap a litellm stream's raw provider stream in a `RawWatch` (None when the stream has no raw part)."""
    if getattr(response, "completion_stream", None) is None and hasattr(response, "fetch_stream"):
        await response.fetch_stream()
    raw = getattr(response, "completion_stream", None)
    if raw is None or not hasattr(raw, "__aiter__"):
        return None
    watcher = RawWatch(raw)
    response.completion_stream = watcher
    return watcher


def judge(watcher: RawWatch | None, text: str, calls: int, overlapped: bool, stopped_early: bool) -> None:
    """Raise `StreamEnded` for a stream with nothing in it or without the server's finish reason."""
    if watcher is None or watcher.finish or stopped_early:
        return
    if overlapped:
        raise StreamEnded(INTERRUPTED, retry=True)
    if not text.strip() and not calls:
        raise StreamEnded(EMPTY, retry=False)
    raise StreamEnded(CUT, retry=True)


class Flight:
    """One call in flight: whether another call to the same server ran at any time while it did."""

    __slots__ = ("overlapped",)

    def __init__(self) -> None:
        self.overlapped = False


class Flights:
    """Calls in flight per server (`Flight.overlapped` tells a call that shared its server with another)."""

    def __init__(self) -> None:
        self._active: dict[str, list[Flight]] = {}

    def start(self, base: str) -> Flight:
        mine = Flight()
        active = self._active.setdefault(base, [])
        for other in active:
            other.overlapped = mine.overlapped = True
        active.append(mine)
        return mine

    def end(self, base: str, mine: Flight) -> None:
        active = self._active.get(base, [])
        if any(f is mine for f in active):
            active[:] = [f for f in active if f is not mine]
