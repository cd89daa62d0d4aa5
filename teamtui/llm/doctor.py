"""`teamtui doctor MODEL [--api-base URL]`: probe a model's server and say which protocol and limits will work.

It asks the server for its models and context window (`teamtui.llm.serverinfo`), then sends one small streamed
probe that offers the tools (does a tool call come back? does the stream carry usage? how long does it take?)
and two small probes at once (does the server run them side by side, queue them, or interrupt one?). Each
finding is one line, ending with the scenario setting it calls for. litellm is reached through
`teamtui.llm.litellm_backend` (the one module that imports it).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from teamtui.llm.protocol import TOOLS
from teamtui.llm.serverinfo import context_of, models
from teamtui.llm.stream import watch

PROBE = [{"role": "system", "content": "You are a helpful assistant that acts by calling functions."},
         {"role": "user", "content": "There is nothing to do right now. Call the function wait."}]


@dataclass
class Probe:
    text: str = ""
    tool_calls: list[str] = field(default_factory=list)
    usage: bool = False
    finish: str | None = None
    seconds: float = 0.0
    error: str = ""


async def probe(lm: Any, kwargs: dict[str, Any], tools: bool, max_tokens: int) -> Probe:
    """One streamed call; what came back and what the server itself said."""
    out = Probe()
    start = time.monotonic()
    try:
        response = await lm.acompletion(messages=PROBE, stream=True, max_tokens=max_tokens, num_retries=0,
                                        max_retries=0, stream_options={"include_usage": True},
                                        **({"tools": TOOLS} if tools else {}), **kwargs)
        watcher = await watch(response)
        async for chunk in response:
            choices = getattr(chunk, "choices", None) or []
            delta = choices[0].delta if choices else None
            out.text += getattr(delta, "content", None) or ""
            for tc in getattr(delta, "tool_calls", None) or []:
                name = getattr(getattr(tc, "function", None), "name", None)
                if name:
                    out.tool_calls.append(str(name))
        if watcher is not None:
            out.usage, out.finish = watcher.usage, watcher.finish
    except Exception as exc:
        out.error = f"{type(exc).__name__}: {str(exc)[:300]}"
    out.seconds = time.monotonic() - start
    return out


def diagnose(model: str, api_base: str | None, key: str | None, lm: Any) -> tuple[list[str], bool]:
    """The findings, one line each, and whether the model answered at all (one event loop for every call)."""
    return asyncio.run(_diagnose(model, api_base, key, lm))


async def _diagnose(model: str, api_base: str | None, key: str | None, lm: Any) -> tuple[list[str], bool]:
    lines: list[str] = []
    kwargs: dict[str, Any] = {"model": model, "timeout": 600}
    if api_base:
        kwargs["api_base"] = api_base
        kwargs["api_key"] = key or "no-key"
        listed = [str(m.get("id")) for m in models(api_base, key)]
        name = model.split("/", 1)[-1]
        if listed:
            lines.append(f"reachable: {api_base} serves {', '.join(listed[:8])}"
                         + ("" if name in listed else f" (not {name!r}: most servers answer with their one model "
                                                       "anyway; name one of these to be sure)"))
        else:
            lines.append(f"reachable? {api_base}/models lists no model (the probe below tells)")
        window = context_of(api_base, model, key)
        lines.append(f"context window: {window:,} tokens, as the server says (requests are fitted to it)" if window
                     else "context window: the server does not say; set [team] context_tokens to its size "
                          "(llama-cpp-python --n_ctx, default 2048; ollama num_ctx; llama-server -c), or a "
                          "prompt over it is answered with an empty stream")
    elif key:
        kwargs["api_key"] = key
    one = await probe(lm, kwargs, tools=True, max_tokens=48)
    if one.error:
        lines.append(f"probe failed: {one.error}")
        if "tool" in one.error.lower():
            lines.append('tools: the server refuses them; use [team] protocol = "tags"')
        return lines, False
    lines.append(f"probe: answered in {one.seconds:.1f} s (48 tokens at most); a team's prompts are 2,000–8,000 "
                 f"tokens, so allow [team] timeout_s ≥ {max(120, int(one.seconds * 40)):,} and [limits] "
                 f"stall_after_s ≥ {max(90, int(one.seconds * 30)):,} on this machine")
    if "wait" in one.tool_calls:
        lines.append('tools: the model called the function it was asked to: protocol = "tools" works')
    elif one.tool_calls:
        lines.append(f"tools: the model called {', '.join(one.tool_calls)} (not wait): protocol = \"tools\" may "
                     'work; protocol = "tags" if its replies do nothing')
    else:
        lines.append('tools: no tool call came back (its chat template has none, or the server drops them): '
                     'use [team] protocol = "tags"')
    lines.append("usage: the server counts tokens" if one.usage else
                 "usage: no usage in the stream: token counts will be teamtui's estimates, marked ≈ (and so "
                 "will any budget_usd that rests on them)")
    if not one.finish:
        lines.append("finish: the stream carried no finish reason; replies may be cut off")
    lines.append(await _parallel(lm, kwargs))
    return lines, True


async def _parallel(lm: Any, kwargs: dict[str, Any]) -> str:
    """Two small calls at once: run side by side, queued, or one interrupted."""
    a, b = await asyncio.gather(probe(lm, kwargs, False, 24), probe(lm, kwargs, False, 24))
    cut = [p for p in (a, b) if p.error or not p.finish]
    if cut:
        return ("parallel calls: one of two calls at once was cut off: the server serves one call at a time and "
                "interrupts the other (llama-cpp-python's default); set [team] parallel_calls = 1, or start it "
                "with --interrupt_requests False")
    slow, fast = max(a.seconds, b.seconds), min(a.seconds, b.seconds)
    if slow > 1.7 * fast:
        return ("parallel calls: two calls at once were answered one after the other (one slot); "
                "[team] parallel_calls = 1 keeps a team's calls from waiting out their time-outs in the queue")
    return "parallel calls: two calls at once ran side by side"
