"""The words for events and the state's records: one line per event kind, per incident, and an agent's delay.

Plain strings, no Textual or rich, so the view (an agent's stream), the incidents pane, the event log, the headless
ticker and tests share them. No Python repr reaches the screen: a tuple is a comma list, a partition's groups
read `ada,bob | cy,dee`, a count agrees with its noun, and a figure that is missing reads "not measured".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from teamtui.core import events as ev
from teamtui.core.state import Incident

NOT_MEASURED = "not measured"


def plural(n: int, word: str, many: str = "") -> str:
    """`1 agent`, `2 agents`, `1 recovery`, `3 recoveries` (with `many`): a count with its noun in the right number."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def secs(v: float | None) -> str:
    """A duration in the lists: `3.5s`, or "not measured"."""
    return NOT_MEASURED if v is None else f"{v:.1f}s"


def delay_text(factor: float, extra_s: float, duration: float | None) -> str:
    return f"×{factor:g}" + (f" +{extra_s:g}s" if extra_s else "") + (f" for {duration:g}s" if duration else "")


def incident_text(i: Incident) -> str:
    """What an incident says in the incidents list (its time and kind are drawn beside it)."""
    k = i.kind
    if k == "conflict":
        if i.cause == "claim":
            return f"claim conflict on {i.subject}" + (f" (held by {i.other})" if i.other else " (already done)")
        if i.cause == "write":
            return f"write conflict on {i.subject}: v{int(i.value or 0)} < v{int(i.ref or 0)} by {i.other}, {i.note}"
        return f"lock denied on {i.subject} (held by {i.other})"
    if k == "fault":
        who = f" {i.agent}" if i.agent else ""
        params = f" {i.note}" if i.note else ""
        took = f" · recovered in {i.recovered_in:.1f}s" if i.recovered_in is not None else ""
        return f"{i.cause}{who}{params} ({i.other}){took}"
    if k == "stall":
        return f"{i.agent} stalled (silent since {secs(i.value)})"
    if k == "straggler":
        return f"{i.agent} is a straggler: {secs(i.value)} vs team median {secs(i.ref)}"
    if k == "recovery":
        return _recovery(i)
    if k == "lease":
        return f"lease on {i.subject} held by {i.other} expired"
    if k == "partition":
        return "partition " + " | ".join(i.names)
    if k == "stranded":
        return f"stranded: {', '.join(i.names)} ({i.note})"
    if k == "end":
        return f"run {i.cause}: {i.note}"
    return k


def _recovery(i: Incident) -> str:
    if i.cause == "reclaimed":
        took = (f"{i.value:.1f}s after the {i.other}" if i.value is not None
                else f"after the {i.other} (time {NOT_MEASURED})")
        return f"{i.agent}'s work reclaimed {took}"
    if i.cause == "resumed":
        return f"{i.agent} recovered after {secs(i.value)}"
    if i.cause == "caught_up":
        return f"{i.agent} no longer a straggler ({secs(i.value)} per call)"
    if i.cause == "healed":
        return "network healed"
    return f"{i.agent} elected lead (was {i.other or 'none'})"


# -- one line of words per event kind: the event log and the headless ticker print it after time, agent and kind --


def event_words(e: ev.Event) -> str:
    """What an event says, in words (its time, agent and kind are printed beside it)."""
    words = _EVENT_WORDS.get(type(e))
    return words(e) if words is not None else _fields(e)


def _list(names: tuple[str, ...] | list[str]) -> str:
    return ",".join(names) or "none"


def _quote(text: str, most: int = 60) -> str:
    flat = " ".join(text.split())
    return f'"{flat[:most]}{"…" if len(flat) > most else ""}"'


def _value(v: Any) -> str:
    if isinstance(v, tuple | list):
        return _list([_value(x) for x in v])
    if isinstance(v, dict):
        return " ".join(f"{k} {_value(x)}" for k, x in v.items())
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _fields(e: ev.Event) -> str:
    """An event kind without words of its own: its fields as `name value`, never a Python repr."""
    fields = msgspec.structs.asdict(e)
    return " ".join(f"{k} {_value(v)}" for k, v in fields.items() if k not in ("seq", "t", "agent") and v not in
                    ("", (), None, {}))


def _started(e: ev.RunStarted) -> str:
    return (f"{_quote(e.scenario, 50)} · {e.architecture} · {e.execution} · {e.model} · "
            f"{plural(len(e.agents), 'agent')} ({_list(e.agents)}) · {plural(len(e.tasks), 'subtask')} · seed {e.seed}")


def _finished(e: ev.RunFinished) -> str:
    tests = "" if e.tests_pass is None else " · tests pass" if e.tests_pass else " · tests FAIL"
    return f"{e.status}: {e.reason} · {e.done}/{e.total} subtasks in {e.makespan:.1f}s{tests}"


def _sent(e: ev.MessageSent) -> str:
    return f"msg {e.msg} [{e.topic}] to {_list(e.to)}: {_quote(e.text)}"


def _written(e: ev.FileWritten) -> str:
    return f"{e.path} v{e.version} (on v{e.base_version}, {plural(e.size, 'byte')})" + (f" for {e.task}" if e.task
                                                                                       else "")


def _delay(e: ev.AgentDelayed) -> str:
    return delay_text(e.factor, e.extra_s, e.duration)


def _link(e: ev.LinkFaultSet) -> str:
    return f"drop {e.drop:.0%}, duplicate {e.duplicate:.0%}, +{e.extra_latency:g}s latency"


_EVENT_WORDS: dict[type, Callable[[Any], str]] = {
    ev.RunStarted: _started,
    ev.RunFinished: _finished,
    ev.RoundStarted: lambda e: f"round {e.round}, waiting on {_list(e.waiting_on)}",
    ev.RoundEnded: lambda e: f"round {e.round} took {e.duration:.2f}s, slowest {e.slowest or 'none'}",
    ev.LLMCallStarted: lambda e: f"call {e.call} to {e.model}" + (f" in round {e.round}" if e.round else ""),
    ev.LLMCallCompleted: lambda e: (f"call {e.call}: {e.latency:.2f}s, {'≈' if e.tokens_estimated else ''}"
                                    f"{plural(e.tokens_out, 'token')} out: "
                                    f"{_quote(e.text, 50)}"),
    ev.LLMCallFailed: lambda e: f"call {e.call} failed: {e.error}",
    ev.LLMCallAbandoned: lambda e: f"call {e.call} abandoned: {e.reason}",
    ev.LLMTokensStreamed: lambda e: f"call {e.call}: {_quote(e.text, 40)}",
    ev.LLMCallRetried: lambda e: f"call {e.call}, retry {e.attempt} in {e.wait_s:g}s: {e.error}",
    ev.ReplyRejected: lambda e: f"call {e.call}: {e.problem}",
    ev.MessageSent: _sent,
    ev.MessageDelivered: lambda e: f"msg {e.msg} from {e.sender}",
    ev.MessageDropped: lambda e: f"msg {e.msg} from {e.sender} lost ({e.reason})",
    ev.TaskAssigned: lambda e: f"{e.task} to {e.to}",
    ev.TaskClaimed: lambda e: e.task + (f" (reclaimed from {e.reclaimed_from})" if e.reclaimed_from else ""),
    ev.ClaimBlocked: lambda e: f"{e.task} waits for {_list(e.missing)}",
    ev.ClaimConflicted: lambda e: f"{e.task} " + (f"held by {e.holder}" if e.holder else "already done"),
    ev.TaskReleased: lambda e: f"{e.task}: {e.reason}",
    ev.LeaseExpired: lambda e: f"{e.task} held by {e.holder}",
    ev.TaskCompleted: lambda e: e.task,
    ev.CompletionRejected: lambda e: f"{e.task}: {e.reason}",
    ev.WorkStranded: lambda e: f"{_list(e.tasks)}: {e.reason}",
    ev.FileWritten: _written,
    ev.WriteConflicted: lambda e: (f"{e.path} v{e.base_version} < v{e.current_version} by {e.last_writer}, "
                                   f"{e.outcome}"),
    ev.LockDenied: lambda e: f"{e.path} held by {e.holder}",
    ev.TestsRan: lambda e: (f"{e.task} {'pass' if e.passed else 'FAIL'} (exit {e.exit_code}, "
                            f"{e.duration:.1f}s)"),
    ev.FileRead: lambda e: f"{e.path} v{e.version}",
    ev.ActionRejected: lambda e: f"{e.action}: {e.reason}",
    ev.AgentStalled: lambda e: f"silent since {e.since:.1f}s",
    ev.AgentRecovered: lambda e: f"after {e.stalled_for:.1f}s",
    ev.StragglerDetected: lambda e: f"{e.latency:.1f}s per call vs team median {e.team_median:.1f}s",
    ev.StragglerCleared: lambda e: f"{e.latency:.1f}s per call",
    ev.LeaderElected: lambda e: f"replaces {e.previous}" if e.previous else "the first lead",
    ev.FaultInjected: lambda e: " ".join(x for x in (e.fault, ev.params_text(e.params), f"({e.source})",
                                                     f"[{e.why}]" if e.why else "") if x),
    ev.FaultSkipped: lambda e: f"{e.fault} ({e.source}) not applied: {e.reason}",
    ev.AgentKilled: lambda e: f"held {_list(e.held)}" if e.held else "held nothing",
    ev.AgentRestarted: lambda e: f"incarnation {e.incarnation}",
    ev.AgentDelayed: _delay,
    ev.AgentDelayEnded: lambda e: "",
    ev.AgentStallInjected: lambda e: f"for {e.duration:g}s" if e.duration else "until resumed",
    ev.AgentResumed: lambda e: "",
    ev.NetworkPartitioned: lambda e: " | ".join(_list(g) for g in e.groups),
    ev.NetworkHealed: lambda e: "",
    ev.LinkFaultSet: _link,
}
