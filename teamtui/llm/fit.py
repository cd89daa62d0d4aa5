"""Fitting a conversation into a model's context window, by construction: whole old turns go first, then the tail
of the turn's own observation, so a request never outgrows the server (which then answers with an empty stream).

Token counts here are estimates made without the model's tokenizer, on the safe side (`CHARS_PER_TOKEN` is
below what BPE tokenizers of code and English achieve, 3.5–4.5 characters a token), plus a few tokens of chat
template per message and the tool definitions when the team speaks in tool calls. A share of the window is kept
for the reply (`reply_room`), and the request's `max_tokens` is cut to it.
"""

from __future__ import annotations

import json
import math
from typing import Any

CHARS_PER_TOKEN = 2.8
PER_MESSAGE = 8
"""Chat-template tokens around each message (role markers, separators)."""
MIN_REPLY = 256


def estimate(text: str) -> int:
    """Tokens a text takes, estimated on the safe side."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def reply_room(max_tokens: int, context: int | None) -> int:
    """The completion tokens to ask for: `max_tokens`, at most a quarter of the window (at least `MIN_REPLY`)."""
    if context is None:
        return max_tokens
    return min(max_tokens, max(MIN_REPLY, context // 4))


def request_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    """The estimated prompt tokens of a request."""
    total = sum(estimate(str(m.get("content") or "")) + PER_MESSAGE for m in messages)
    return total + (estimate(json.dumps(tools)) if tools else 0)


def fit(system: str, turns: list[tuple[str, str]], user: str, context: int | None, max_tokens: int,
        tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The request's messages: the system prompt, as many of the latest `turns` as fit, and the user message (its
    tail cut, with a note, if even it alone does not fit). Without a known `context`, everything is kept."""
    head: list[dict[str, Any]] = [{"role": "system", "content": system}]
    if context is None:
        msgs = list(head)
        for u, a in turns:
            msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        return [*msgs, {"role": "user", "content": user}]
    budget = context - reply_room(max_tokens, context) - request_tokens(head, tools) - PER_MESSAGE
    room = max(0, budget - estimate(user))
    if room == 0:
        keep = max(0, int((budget - 40) * CHARS_PER_TOKEN))
        note = f"\n[... {len(user) - keep} characters cut to fit the model's context window]"
        user = user[:keep] + note
    kept: list[dict[str, Any]] = []
    for u, a in reversed(turns):
        cost = estimate(u) + estimate(a) + 2 * PER_MESSAGE
        if cost > room:
            break
        room -= cost
        kept = [{"role": "user", "content": u}, {"role": "assistant", "content": a}, *kept]
    return [*head, *kept, {"role": "user", "content": user}]
