"""Real models through litellm: streamed calls, tool calls or reply tags, bounded retries, tokens and cost.

This is the only module that imports litellm, and only inside functions (`import litellm` takes seconds
and, unless `LITELLM_LOCAL_MODEL_COST_MAP` is set, fetches a price map over the network: we set it to
use the price map litellm ships, unless the user chose otherwise). One call: the agent's conversation
(`teamtui.llm.chat`) goes to `litellm.acompletion(stream=True)`; text is reported to the engine as it
arrives, at most every `flush_s` seconds; the chunks are assembled as they come; tokens come from the
provider's usage and cost from litellm's price map (`litellm.cost_per_token`; None when litellm has no
price for the model, never a made-up zero). Rate limits, time-outs, connection errors and 5xx are
retried `retries` times with exponential backoff on the run clock (litellm's and the OpenAI client's own
retries are switched off so that every attempt is an event), then the call fails. Error text is
scrubbed of keys before it goes anywhere. The HTTP wait happens inside `clock.hold()` and the call's
real latency is then spent on the run clock, so the backend runs on the wall clock and the virtual one.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from teamtui.core.clock import Clock, VirtualClock
from teamtui.core.errors import RunError
from teamtui.core.redact import refresh, register, scrub
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.cassette import CassetteWriter
from teamtui.llm.chat import Chats, ChatSettings, request_hash, to_completion
from teamtui.llm.fit import reply_room
from teamtui.llm.protocol import MAX_REPLY_CHARS, TOOLS
from teamtui.llm.serverinfo import context_of
from teamtui.llm.stream import CUT, INTERRUPTED, Flight, Flights, StreamEnded, judge, watch
from teamtui.scenario.spec import AgentSpec, Scenario

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}
RETRY_TYPES = ("RateLimitError", "Timeout", "APITimeoutError", "APIConnectionError", "InternalServerError",
               "ServiceUnavailableError", "BadGatewayError")
MAX_BACKOFF_S = 60.0


def load_litellm() -> Any:
    """litellm, imported with the shipped price map and without its debug chatter."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


class LLMCallError(Exception):
    """A call that failed for good (after its retries); the message is already scrubbed of secrets."""


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, StreamEnded):
        return exc.retry
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status in RETRY_STATUS:
        return True
    return any(t.__name__ in RETRY_TYPES for t in type(exc).__mro__)


def litellm_agents(scenario: Scenario) -> list[AgentSpec]:
    return [a for a in scenario.agents if a.model != "sim" and not a.model.startswith("cassette:")]


def api_key_for(agent: AgentSpec) -> str | None:
    """The key to send: from `api_key_env`; a placeholder for a keyless local server; else litellm's default."""
    if agent.api_key_env:
        return os.environ.get(agent.api_key_env) or None
    if agent.api_base:
        return "no-key"  # OpenAI-compatible local servers (ollama, vLLM, llama.cpp) ignore it
    return None


def check_keys(scenario: Scenario) -> None:
    """Fail before the run, in one line naming the variable, when an agent's API key is missing."""
    seen: set[tuple[str, str | None, str | None]] = set()
    for agent in litellm_agents(scenario):
        model, env = agent.model, agent.api_key_env
        if (model, agent.api_base, env) in seen:
            continue
        seen.add((model, agent.api_base, env))
        _check_provider(model, agent.api_base)
        if env:
            if not os.environ.get(env):
                raise RunError(f"model {model!r} ({agent.name}): the environment variable {env} (api_key_env) is "
                               f"not set; export {env}=<your key>")
            register(os.environ[env])
        elif not agent.api_base:
            _check_provider_key(model)


def _check_provider(model: str, api_base: str | None) -> None:
    """A model id litellm cannot route (no known provider) is a one-line error before the run."""
    lm = load_litellm()
    try:
        lm.get_llm_provider(model=model, api_base=api_base)
    except Exception:
        raise RunError(f"model {model!r}: litellm knows no provider for it; write provider/model, e.g. "
                       "openai/gpt-4o-mini, anthropic/claude-3-5-haiku-20241022, ollama_chat/llama3.1 (or "
                       'openai/NAME with api_base for an OpenAI-compatible server), or use model = "sim"') from None


def _check_provider_key(model: str) -> None:
    lm = load_litellm()
    try:
        info = lm.validate_environment(model=model)
    except Exception as exc:  # litellm could not even place the model
        raise RunError(f"model {model!r}: litellm does not know it ({scrub(str(exc))[:120]}); use a "
                       "provider/model id such as openai/gpt-4o-mini") from None
    missing = [str(k) for k in info.get("missing_keys") or []]
    if missing:
        names = " and ".join(missing)
        raise RunError(f"model {model!r}: the environment variable {names} is not set; export it, or name "
                       "another one with [team] api_key_env")


class LiteLLMBackend:
    """See the module docstring."""

    def __init__(self, scenario: Scenario, settings: ChatSettings, writer: CassetteWriter | None = None,
                 backoff_s: float = 1.0, flush_s: float = 0.25) -> None:
        self.lm = load_litellm()
        self.scenario = scenario
        self.settings = settings
        self.chats = Chats(settings)
        self.writer = writer
        self.backoff_s = backoff_s
        self.flush_s = flush_s
        refresh()  # the environment's secrets as they are now
        self.agents = {a.name: a for a in litellm_agents(scenario)}
        self.keys = {a.name: api_key_for(a) for a in self.agents.values()}
        for key in self.keys.values():
            register(key)
        self.counts: Counter[str] = Counter()
        self._unpriced: set[str] = set()
        self.usage_in_stream = True
        """Ask for usage in the stream; dropped for good if a server refuses the option (older local ones)."""
        self.flights = Flights()
        self._slots: dict[str, asyncio.Semaphore] = {}
        """`[team] parallel_calls`: one semaphore per server (api_base, or the model's provider)."""
        self.contexts: dict[str, int | None] = {}
        """Each server's context window in tokens: `[team] context_tokens`, else what the server says."""

    def _server(self, request: LLMRequest) -> str:
        agent = self.agents.get(request.agent)
        return (agent.api_base if agent is not None and agent.api_base else "") or request.model.split("/")[0]

    def _kwargs(self, request: LLMRequest, messages: list[dict[str, Any]]) -> dict[str, Any]:
        s = self.scenario
        ctx = self.contexts.get(self._server(request))
        kw: dict[str, Any] = dict(model=request.model, messages=messages, stream=True, timeout=s.timeout_s,
                                  max_tokens=reply_room(s.max_tokens, ctx), num_retries=0, max_retries=0)
        if self.usage_in_stream:
            kw["stream_options"] = {"include_usage": True}
        if s.temperature is not None:
            kw["temperature"] = s.temperature
        agent = self.agents.get(request.agent)
        if agent is not None and agent.api_base:
            kw["api_base"] = agent.api_base
        if self.keys.get(request.agent):
            kw["api_key"] = self.keys[request.agent]
        if self.settings.protocol == "tools":
            kw["tools"] = TOOLS
        return kw

    async def _call(self, request: LLMRequest, messages: list[dict[str, Any]]) -> tuple[str, list[Any], Any, bool]:
        """One reply through the server's slot (`parallel_calls`), if it has a limit."""
        base = self._server(request)
        limit = self.scenario.parallel_calls
        if limit is None:
            return await self._stream(request, messages, base)
        slot = self._slots.setdefault(base, asyncio.Semaphore(limit))
        async with slot:
            return await self._stream(request, messages, base)

    async def _stream(self, request: LLMRequest, messages: list[dict[str, Any]],
                      base: str) -> tuple[str, list[Any], Any, bool]:
        """Stream one reply: (text, [(tool name, arguments)], usage, whether usage is an estimate). Deltas are
        assembled here, as litellm normalises every provider's chunks to OpenAI's shape (`stream_chunk_builder`
        does the same but costs ~4 ms a call, so it is only the fallback that estimates usage when a provider
        sends none). A stream that ends with nothing, or without the server's finish reason, raises
        `StreamEnded` (`teamtui.llm.stream`): a failed call with its cause, not a reply to hold against the model."""
        flight = self.flights.start(base)
        try:
            return await self._read(request, messages, flight)
        except Exception as exc:
            if "Stream ended before a finish_reason" in str(exc):  # litellm's word for a cut-off stream
                raise StreamEnded(INTERRUPTED if flight.overlapped else CUT, retry=True) from None
            raise
        finally:
            self.flights.end(base, flight)

    async def _read(self, request: LLMRequest, messages: list[dict[str, Any]],
                    flight: Flight) -> tuple[str, list[Any], Any, bool]:
        response = await self.lm.acompletion(**self._kwargs(request, messages))
        watcher = await watch(response)
        chunks: list[Any] = []
        text: list[str] = []
        pending: list[str] = []
        calls: dict[int, list[str]] = {}
        usage = None
        size = 0
        stopped = False
        last = time.monotonic()
        sink = request.sink
        async for chunk in response:
            chunks.append(chunk)
            u = getattr(chunk, "usage", None)
            if u is not None and getattr(u, "prompt_tokens", None):
                usage = u
            choices = getattr(chunk, "choices", None) or []
            delta = choices[0].delta if choices else None
            content = getattr(delta, "content", None)
            if content:
                text.append(content)
                pending.append(content)
                size += len(content)
            for tc in getattr(delta, "tool_calls", None) or []:
                entry = calls.setdefault(getattr(tc, "index", None) or 0, ["", ""])
                fn = getattr(tc, "function", None)
                entry[0] = entry[0] or getattr(fn, "name", None) or ""  # sent once; some providers repeat it
                entry[1] += getattr(fn, "arguments", None) or ""
                size += len(getattr(fn, "arguments", None) or "")
            if size > MAX_REPLY_CHARS * 2:
                stopped = True
                break  # a runaway reply: stop reading; the parser cuts it and tells the agent
            if sink is not None and pending and time.monotonic() - last >= self.flush_s:
                sink.streamed("".join(pending))
                pending, last = [], time.monotonic()
        if sink is not None and pending:
            sink.streamed("".join(pending))
        judge(watcher, "".join(text), len(calls), flight.overlapped, stopped)
        if usage is None and chunks:
            full = self.lm.stream_chunk_builder(chunks, messages=messages)
            usage = getattr(full, "usage", None)
        estimated = usage is not None and (watcher is None or not watcher.usage)  # litellm counted, not the server
        return "".join(text), [(name, args) for name, args in (calls[i] for i in sorted(calls))], usage, estimated

    def _cost(self, model: str, tokens_in: int, tokens_out: int) -> float | None:
        """Dollars for a call from litellm's price map; None when it has no price for the model."""
        if model in self._unpriced:
            return None
        try:
            cost_in, cost_out = self.lm.cost_per_token(model=model, prompt_tokens=tokens_in,
                                                       completion_tokens=tokens_out)
        except Exception:
            self._unpriced.add(model)  # unknown, not free
            return None
        return float(cost_in) + float(cost_out)

    async def _context(self, request: LLMRequest, clock: Clock) -> int | None:
        """The server's context window: `[team] context_tokens`, else asked of the server once (None: unknown)."""
        base = self._server(request)
        if base not in self.contexts:
            agent = self.agents.get(request.agent)
            found = self.scenario.context_tokens
            if found is None and agent is not None and agent.api_base:
                async with clock.hold():
                    found = await asyncio.to_thread(context_of, agent.api_base, request.model,
                                                    self.keys.get(request.agent))
            self.contexts[base] = found
        return self.contexts[base]

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion:
        context = await self._context(request, clock)
        messages = self.chats.messages(request, context)
        n = self.counts[request.agent]
        self.counts[request.agent] += 1
        digest = request_hash(messages, request.model) if self.writer is not None else ""  # only cassettes need it
        retried: list[tuple[str, float]] = []
        while True:
            start, wall = clock.now(), time.monotonic()
            try:
                async with clock.hold():
                    text, calls, usage, estimated = await self._call(request, messages)
                break
            except Exception as exc:
                error = scrub(f"{type(exc).__name__}: {exc}")[:500] if not isinstance(exc, StreamEnded) else str(exc)
                if self.usage_in_stream and "stream_options" in str(exc) and not retryable(exc):
                    self.usage_in_stream = False  # usage is then estimated from the chunks
                    continue
                if not retryable(exc) and self.settings.protocol == "tools" and "tool" in str(exc).lower():
                    error += '; if this model cannot call tools, use [team] protocol = "tags"'
                if not retryable(exc) or len(retried) >= self.scenario.retries:
                    if self.writer is not None:
                        self.writer.call(request.agent, n, digest, request.model, retries=retried, error=error,
                                         context=context)
                    raise LLMCallError(error) from None
                wait = min(MAX_BACKOFF_S, self.backoff_s * 2 ** len(retried))
                retried.append((error, wait))
                if request.sink is not None:
                    request.sink.retried(len(retried), error, wait)
                await clock.sleep(wait)
        latency = round(time.monotonic() - wall, 6)  # µs: a replay must not turn two latencies into a tie
        lag = latency - (clock.now() - start)
        if lag > 0 and (isinstance(clock, VirtualClock) or lag > 0.002):
            # the virtual clock stood still during the HTTP wait: spend the real latency on it, exactly as a
            # cassette replay will (on the wall clock only a lag worth a sleep is slept)
            await clock.sleep(lag)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self._cost(request.model, tokens_in, tokens_out) if usage is not None else None
        completion = to_completion(text, calls, self.settings.protocol, tokens_in, tokens_out, cost,
                                   estimated=estimated)
        self.chats.reply(request.agent, str(messages[-1]["content"]), completion.text, completion)
        if self.writer is not None:
            self.writer.call(request.agent, n, digest, request.model, text=text, tool_calls=calls,
                             tokens_in=tokens_in, tokens_out=tokens_out, cost_usd=cost, latency_s=latency,
                             retries=retried, tokens_estimated=estimated, context=context)
        return completion

    def forget(self, agent: str) -> None:
        self.chats.forget(agent)


def make(scenario: Scenario, settings: ChatSettings) -> LiteLLMBackend:
    """The backend for a scenario's litellm models (keys checked first), recording if `record_llm` is set."""
    check_keys(scenario)
    writer = CassetteWriter(Path(scenario.record_llm), settings.protocol) if scenario.record_llm else None
    return LiteLLMBackend(scenario, settings, writer)
