"""Cassettes: every completion of a real-model run as JSON lines, and a backend that replays them offline.

`CassetteWriter(path)` appends one line per LLM call (agent, the agent's call number, a hash of the
request, the raw reply text and tool calls, tokens, cost, latency, the retried errors, or the final
error). `CassetteBackend(path)` replays a cassette: the n-th call of an agent gets the agent's n-th
recorded reply, parsed again by the same protocol code, after the recorded latency on the run clock, so
a real-model run re-runs offline and, on the virtual clock, deterministically. A request whose hash
differs from the recorded one still gets its recorded reply (the run stays faithful to the model's
outputs) and is counted in `mismatches`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from teamtui.core import files
from teamtui.core.clock import Clock
from teamtui.core.errors import RunError
from teamtui.core.redact import scrub
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.chat import Chats, ChatSettings, request_hash, to_completion

FORMAT = 1


class CassetteWriter:
    """Appends calls to a cassette file (created with a header line; flushed after every call)."""

    def __init__(self, path: Path, protocol: str) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"teamtui_cassette": FORMAT, "protocol": protocol}) + "\n", encoding="utf-8")
        except OSError as exc:
            raise RunError(f"--record-llm {path}: cannot write there ({exc.strerror}); choose another path") from None

    def _write(self, obj: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as f:  # one append per call: nothing to close, nothing lost
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def call(self, agent: str, n: int, digest: str, model: str, *, text: str = "",
             tool_calls: list[tuple[object, object]] | None = None, tokens_in: int = 0, tokens_out: int = 0,
             cost_usd: float | None = None, latency_s: float = 0.0, retries: list[tuple[str, float]] | None = None,
             error: str | None = None, tokens_estimated: bool = False, context: int | None = None) -> None:
        self._write({"agent": agent, "n": n, "hash": digest, "model": model, "text": scrub(text),
                     "tool_calls": [[name, scrub(args) if isinstance(args, str) else args]
                                    for name, args in tool_calls or []],
                     "tokens_in": tokens_in, "tokens_out": tokens_out, "cost_usd": cost_usd,
                     "latency_s": latency_s, "retries": [[scrub(e), w] for e, w in retries or []],
                     "error": scrub(error) if error else None, "tokens_estimated": tokens_estimated,
                     "context": context})


class RecordedFailure(Exception):
    """A call that failed when the cassette was recorded fails again on replay."""


def load(path: Path) -> tuple[str, dict[tuple[str, int], dict[str, Any]]]:
    """A cassette's protocol and its calls keyed by (agent, call number); raises a one-line `RunError`."""
    try:
        lines = files.read_text(path, "cassette", "record one with --record-llm").splitlines()
    except files.FileRefused as exc:
        raise RunError(f"cassette {path}: {exc.detail}") from None
    try:
        header = json.loads(lines[0]) if lines else {}
        if header.get("teamtui_cassette") != FORMAT:
            raise ValueError("no teamtui cassette header")
        calls = {}
        for line in lines[1:]:
            if line.strip():
                entry = json.loads(line)
                calls[(str(entry["agent"]), int(entry["n"]))] = entry
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise RunError(f"cassette {path}: not a teamtui cassette ({exc!s:.200}); record one with --record-llm"
                       ) from None
    return str(header.get("protocol", "tools")), calls


class CassetteBackend:
    """See the module docstring."""

    def __init__(self, path: Path, settings: ChatSettings) -> None:
        self.path = path
        protocol, self.calls = load(path)
        self.settings = ChatSettings(protocol=protocol, prompts=settings.prompts,
                                     history_turns=settings.history_turns, max_tokens=settings.max_tokens,
                                     project=settings.project)
        self.chats = Chats(self.settings)
        self.counts: Counter[str] = Counter()
        self.mismatches: list[tuple[str, int]] = []

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion:
        n = self.counts[request.agent]
        entry = self.calls.get((request.agent, n))
        context = entry.get("context") if entry is not None else None
        messages = self.chats.messages(request, int(context) if isinstance(context, int) else None)
        self.counts[request.agent] += 1
        if entry is None:
            raise RecordedFailure(f"the cassette has no call {n + 1} for {request.agent} (the recording ended "
                                  "there)")
        if entry.get("hash") != request_hash(messages, request.model if not request.model.startswith("cassette:")
                                             else str(entry.get("model", ""))):
            self.mismatches.append((request.agent, n))
        for attempt, (error, wait) in enumerate(entry.get("retries") or [], start=1):
            if request.sink is not None:
                request.sink.retried(attempt, str(error), float(wait))
            await clock.sleep(float(wait))
        await clock.sleep(float(entry.get("latency_s") or 0.0))
        if entry.get("error"):
            raise RecordedFailure(str(entry["error"]))
        calls = [(c[0], c[1]) for c in entry.get("tool_calls") or []]
        completion = to_completion(str(entry.get("text") or ""), calls, self.settings.protocol,
                                   int(entry.get("tokens_in") or 0), int(entry.get("tokens_out") or 0),
                                   entry.get("cost_usd"), estimated=bool(entry.get("tokens_estimated")))
        self.chats.reply(request.agent, str(messages[-1]["content"]), completion.text, completion)
        return completion

    def forget(self, agent: str) -> None:
        self.chats.forget(agent)
