"""A run's events as OpenTelemetry spans (GenAI conventions), built as the events come, and written as OTLP/JSON.

One trace per run: a root `invoke_workflow` span; per agent turn an `invoke_agent AGENT` span, whose children
are the turn's model call (`chat MODEL`: provider, model, tokens, and cost where the event has it — a figure
the events lack is left out, never 0) and its actions (`execute_tool claim|write|test|message|...`). Faults,
detector findings and recoveries are span events `teamtui.<kind>` on the root, conflicts on the action
that met them. A turn ends when its agent's next call starts, it dies, or the run ends: `SpanBuilder.feed`
returns the spans finished by each event, so a live run can send them as it goes. Times are the run's
start plus its run-clock seconds: wall seconds for real models, virtual seconds for the sim and cassettes
(`teamtui.time_base`). Ids are derived from a key (the run id), so exporting a run twice gives one trace.
Only the event vocabulary is read: no environment, configuration or message text reaches an attribute.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from teamtui.core import events as ev
from teamtui.core.redact import scrub

Attrs = dict[str, Any]
INTERNAL, CLIENT = 1, 3
"""OTLP span kinds (the protobuf enum's numbers)."""
OK, ERROR = 1, 2

_TOOLS: dict[type[ev.Event], str] = {
    ev.TaskClaimed: "claim", ev.ClaimBlocked: "claim", ev.ClaimConflicted: "claim", ev.FileWritten: "write",
    ev.WriteConflicted: "write", ev.LockDenied: "write", ev.TestsRan: "test", ev.MessageSent: "message",
    ev.TaskCompleted: "complete", ev.CompletionRejected: "complete", ev.TaskReleased: "release", ev.FileRead: "read",
    ev.ActionRejected: "action",
}
_CONFLICTS = {ev.ClaimConflicted: "teamtui.conflict.claim", ev.WriteConflicted: "teamtui.conflict.write",
              ev.LockDenied: "teamtui.conflict.lock"}
_RUN_EVENTS = {
    ev.AgentKilled: "teamtui.agent.killed", ev.AgentRestarted: "teamtui.recovery.restart",
    ev.AgentDelayed: "teamtui.agent.delayed", ev.AgentDelayEnded: "teamtui.agent.delay_ended",
    ev.AgentStallInjected: "teamtui.agent.stall_injected", ev.AgentResumed: "teamtui.agent.resumed",
    ev.NetworkPartitioned: "teamtui.network.partitioned", ev.NetworkHealed: "teamtui.network.healed",
    ev.LinkFaultSet: "teamtui.network.link_fault", ev.AgentStalled: "teamtui.detector.stalled",
    ev.AgentRecovered: "teamtui.recovery.agent", ev.StragglerDetected: "teamtui.detector.straggler",
    ev.StragglerCleared: "teamtui.detector.straggler_cleared", ev.LeaseExpired: "teamtui.recovery.lease_expired",
    ev.LeaderElected: "teamtui.recovery.leader_elected", ev.WorkStranded: "teamtui.run.stranded",
    ev.FaultSkipped: "teamtui.fault.skipped",
}
_SKIP = frozenset({"agent", "seq", "t", "text", "output", "params", "tasks", "problem"})
"""Fields not copied into `teamtui.*` attributes (what a model wrote, or handled on their own)."""
_FREE_TEXT = frozenset({"error", "reason", "why"})
"""Fields of prose that pass through `scrub` once more on their way out (the engine scrubbed them already)."""


@dataclass
class Span:
    """One finished (or, inside the builder, open) span; times in run-clock seconds."""

    name: str
    span_id: bytes
    parent_id: bytes | None
    start: float
    end: float
    kind: int = INTERNAL
    attrs: Attrs = field(default_factory=dict)
    events: list[tuple[str, float, Attrs]] = field(default_factory=list)
    error: str | None = None


def time_base(models: Iterable[str]) -> str:
    """`wall` when some model is served over the network (the run followed the wall clock), else `virtual`."""
    virtual = all(m == "sim" or m.startswith(("sim:", "cassette:")) for m in models)
    return "virtual" if virtual else "wall"


def started_ns(started: str) -> int:
    """A run's recorded start (ISO 8601, UTC) in Unix nanoseconds."""
    return int(datetime.fromisoformat(started).timestamp()) * 1_000_000_000


def _id(key: str, size: int) -> bytes:
    digest = hashlib.blake2b(key.encode(), digest_size=size).digest()
    return digest if any(digest) else b"\x01" * size


def provider(model: str) -> str:
    """What serves a model: `teamtui.sim`, `teamtui.cassette`, or a litellm id's provider (openai/... -> openai)."""
    if model == "sim" or model.startswith("sim:"):
        return "teamtui.sim"
    if model.startswith("cassette:"):
        return "teamtui.cassette"
    return model.split("/", 1)[0] if "/" in model else "unknown"


def model_name(model: str) -> str:
    """The model as a span names it: a litellm id without its provider (openai/gpt-4o -> gpt-4o), a cassette by
    its file name only."""
    if model.startswith("cassette:"):
        return "cassette:" + model.removeprefix("cassette:").replace("\\", "/").rsplit("/", 1)[-1]
    if model == "sim" or model.startswith("sim:") or "/" not in model:
        return model
    return model.split("/", 1)[1]


def _plain(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return json.dumps(value, default=str, sort_keys=True)


def _fields(e: ev.Event) -> Attrs:
    out: Attrs = {}
    for name in e.__struct_fields__:
        if name not in _SKIP:
            value = getattr(e, name)
            if value is None or value == "" or value == ():
                continue
            out["teamtui." + name] = scrub(value) if name in _FREE_TEXT and isinstance(value, str) else _plain(value)
    if e.agent:
        out["teamtui.agent"] = e.agent
    return out


@dataclass
class _Turn:
    span: Span
    call: Span | None


class SpanBuilder:
    """Spans from a run's events, one event at a time (`feed`), then `finish` for what is still open."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.trace_id = _id(f"teamtui-trace:{key}", 16)
        self.root = Span("invoke_workflow teamtui", self._sid("run"), None, 0.0, 0.0,
                         attrs={"gen_ai.operation.name": "invoke_workflow", "gen_ai.agent.name": "teamtui"})
        self.turns: dict[str, _Turn] = {}
        self.last_t = 0.0
        self.spans = 0

    def _sid(self, name: str) -> bytes:
        return _id(f"teamtui-span:{self.key}:{name}", 8)

    def feed(self, e: ev.Event) -> list[Span]:
        """The spans that event `e` finishes (in the order they end)."""
        self.last_t = max(self.last_t, e.t)
        out: list[Span] = []
        kind = type(e)
        if kind is ev.LLMCallStarted:
            assert isinstance(e, ev.LLMCallStarted)
            self._close_turn(e.agent, out)
            turn = Span(f"invoke_agent {e.agent}", self._sid(f"turn:{e.call}"), self.root.span_id, e.t, e.t,
                        attrs={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": e.agent,
                               "teamtui.call": e.call, "teamtui.round": e.round})
            prov, name = provider(e.model), model_name(e.model)
            call = Span(f"chat {name}", self._sid(f"call:{e.call}"), turn.span_id, e.t, e.t, CLIENT,
                        attrs={"gen_ai.operation.name": "chat", "gen_ai.provider.name": prov, "gen_ai.system": prov,
                               "gen_ai.request.model": name, "gen_ai.agent.name": e.agent, "teamtui.call": e.call,
                               "teamtui.model": model_name(e.model) if e.model.startswith("cassette:") else e.model})
            self.turns[e.agent] = _Turn(turn, call)
        elif kind in (ev.LLMCallCompleted, ev.LLMCallFailed, ev.LLMCallAbandoned):
            self._end_call(e, out)
        elif kind in (ev.LLMCallRetried, ev.ReplyRejected):
            open_turn = self.turns.get(e.agent)
            target = (open_turn.call or open_turn.span) if open_turn else self.root
            name = "teamtui.llm.retried" if kind is ev.LLMCallRetried else "teamtui.llm.reply_rejected"
            target.events.append((name, e.t, _fields(e)))
        elif kind in _TOOLS:
            out.append(self._action(e))
        elif kind is ev.FaultInjected:
            assert isinstance(e, ev.FaultInjected)
            attrs = {"teamtui.fault.kind": e.fault, "teamtui.fault.source": e.source,
                     "teamtui.fault.params": ev.params_text(e.params), "teamtui.agent": e.agent}
            if e.aim:
                attrs.update({"teamtui.fault.aim": e.aim, "teamtui.fault.why": scrub(e.why)})
            self.root.events.append((f"teamtui.fault.{e.fault}", e.t, attrs))
        elif kind in _RUN_EVENTS:
            self.root.events.append((_RUN_EVENTS[kind], e.t, _fields(e)))
            if kind is ev.AgentKilled:
                self._close_turn(e.agent, out, error="killed")
        elif kind is ev.RunStarted:
            assert isinstance(e, ev.RunStarted)
            self.root.name = f"invoke_workflow {e.scenario}"
            self.root.start = e.t
            self.root.attrs.update({"teamtui.scenario": e.scenario, "teamtui.seed": e.seed,
                                    "teamtui.architecture": e.architecture, "teamtui.execution": e.execution,
                                    "teamtui.consistency": e.consistency, "teamtui.agents": list(e.agents),
                                    "teamtui.subtasks": len(e.tasks)})
            if e.pack:
                self.root.attrs["teamtui.pack"] = e.pack
        elif kind is ev.RunFinished:
            assert isinstance(e, ev.RunFinished)
            self.root.attrs.update({"teamtui.run.status": e.status, "teamtui.makespan_s": e.makespan,
                                    "teamtui.rounds": e.rounds, "teamtui.done": e.done, "teamtui.total": e.total})
            if e.status == "failed":
                self.root.error = scrub(e.reason)[:200]
        self.spans += len(out)
        return out

    def _end_call(self, e: ev.Event, out: list[Span]) -> None:
        turn = self.turns.get(e.agent)
        if turn is None or turn.call is None:
            return
        call, turn.call = turn.call, None
        call.end = turn.span.end = e.t
        if isinstance(e, ev.LLMCallCompleted):
            call.attrs.update({"gen_ai.usage.input_tokens": e.tokens_in, "gen_ai.usage.output_tokens": e.tokens_out})
            if e.cost_usd is not None:
                call.attrs["teamtui.cost_usd"] = e.cost_usd
            if e.tokens_estimated:
                call.attrs["teamtui.tokens_estimated"] = True
        elif isinstance(e, ev.LLMCallFailed):
            call.error = e.error
            call.attrs["error.type"] = e.error.split(":", 1)[0][:80] or "error"
        elif isinstance(e, ev.LLMCallAbandoned):
            call.error = f"abandoned: {e.reason}"
            call.attrs["error.type"] = "abandoned"
        out.append(call)

    def _action(self, e: ev.Event) -> Span:
        tool = _TOOLS[type(e)]
        turn = self.turns.get(e.agent)
        parent = turn.span if turn else self.root
        start = e.t - e.duration if isinstance(e, ev.TestsRan) else e.t
        span = Span(f"execute_tool {tool}", self._sid(f"action:{e.seq}"), parent.span_id, max(start, parent.start),
                    e.t, attrs={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
                                "gen_ai.tool.type": "function", **_fields(e)})
        span.attrs["teamtui.event"] = e.kind
        if type(e) in _CONFLICTS:
            span.events.append((_CONFLICTS[type(e)], e.t, _fields(e)))
            span.error = e.kind
        elif isinstance(e, ev.ClaimBlocked | ev.CompletionRejected | ev.ActionRejected):
            span.error = e.kind
        if isinstance(e, ev.TaskClaimed) and e.reclaimed_from:
            self.root.events.append(("teamtui.recovery.reclaim", e.t, _fields(e)))
        if turn is not None:
            turn.span.end = max(turn.span.end, e.t)
        return span

    def _close_turn(self, agent: str, out: list[Span], error: str | None = None) -> None:
        turn = self.turns.pop(agent, None)
        if turn is None:
            return
        if turn.call is not None:  # a call that never ended (the agent died in it)
            turn.call.error = error or "unfinished"
            turn.call.attrs["error.type"] = turn.call.error
            turn.call.end = self.last_t
            turn.span.end = self.last_t
            out.append(turn.call)
        if error:
            turn.span.error = error
            turn.span.end = max(turn.span.end, self.last_t)
        out.append(turn.span)

    def finish(self, attrs: Attrs | None = None) -> list[Span]:
        """Close every open turn and the root (last), with `attrs` added to the root (the run id, say)."""
        out: list[Span] = []
        for agent in list(self.turns):
            self._close_turn(agent, out, error=None)
        self.root.end = max(self.root.end, self.last_t)
        self.root.attrs.update(attrs or {})
        out.append(self.root)
        self.spans += len(out)
        return out


def spans_of(events: Iterable[ev.Event], key: str, root_attrs: Attrs | None = None) -> Iterator[Span]:
    """Every span of a whole run, root last."""
    builder = SpanBuilder(key)
    for e in events:
        yield from builder.feed(e)
    yield from builder.finish(root_attrs)


def resource_attrs(time_base_: str, teamtui_version: str) -> Attrs:
    """What a trace says about its source: teamtui, its version, and the run's time base."""
    return {"service.name": "teamtui", "service.version": teamtui_version, "teamtui.time_base": time_base_}
