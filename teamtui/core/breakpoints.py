"""Breakpoints: where a run should stop for a look, matched against its events as they come.

A `Breakpoint` is one kind from `KINDS` with its argument; `parse(text)` reads the command line's form
(`conflict`, `test_failures:3`, `cost:0.5`, `no_recovery:30`, `message:/dead ?lock/i`) and `build(kind, ...)`
the scenario's `[[breakpoints]]` tables; both raise `ValueError` with one sentence saying what is wrong and how
to fix it. `Matcher(breakpoints).feed(event)` returns the first `Hit` an event makes (and keeps the little state
that counting kinds need); `first_hit(events, breakpoints)` is the same over a whole list. Nothing here knows
the engine or the UI: the headless runner stops the run on a hit, the monitor pauses its clock.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from teamtui.core import events as ev

KINDS: dict[str, str] = {
    "conflict": "a claim, write or lock conflict",
    "stall": "the failure detector flags an agent as stalled",
    "straggler": "the failure detector flags a straggler",
    "recovery": "a fault's recovery: an agent's lost work reclaimed, a stalled agent back, a new lead elected",
    "no_recovery": "N seconds (ARG, default 30) after an agent holding work is killed, some of it is not reclaimed",
    "test_failures": "a subtask fails its tests N times (ARG, default 1)",
    "cost": "the run's cost passes ARG dollars",
    "message": "an agent's message or reply matches the regular expression ARG (/.../ or bare; /.../i ignores case)",
}
"""Every breakpoint kind, with when it stops the run (the docs and `--help` read these)."""

MAX_PATTERN = 500
"""The longest pattern a message breakpoint takes."""


@dataclass(frozen=True)
class Breakpoint:
    """One breakpoint: a kind and its argument (`times`, `usd`, `after_s` or `pattern`, as the kind takes)."""

    kind: str
    pattern: str = ""
    ignore_case: bool = False
    times: int = 1
    usd: float = 0.0
    after_s: float = 30.0

    def __str__(self) -> str:
        arg = {"message": f"/{self.pattern}/" + ("i" if self.ignore_case else ""), "test_failures": str(self.times),
               "cost": f"{self.usd:g}", "no_recovery": f"{self.after_s:g}"}.get(self.kind, "")
        return f"{self.kind}:{arg}" if arg else self.kind

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)


@dataclass(frozen=True)
class Hit:
    """A breakpoint met: which one, the event that met it, and why, in words."""

    breakpoint: Breakpoint
    event: ev.Event
    reason: str


_TAKES = {"message": "pattern", "test_failures": "times", "cost": "usd", "no_recovery": "after_s"}
_EXAMPLES = "conflict, stall, straggler, recovery, no_recovery:30, test_failures:3, cost:0.5, message:/deadlock/"


def build(kind: str, *, pattern: str | None = None, times: int | None = None, usd: float | None = None,
          after_s: float | None = None) -> Breakpoint:
    """A breakpoint from its kind and the one setting the kind takes (checked; ValueError in one sentence)."""
    if kind not in KINDS:
        raise ValueError(f"unknown breakpoint kind {kind!r}; kinds: {', '.join(KINDS)} (e.g. {_EXAMPLES})")
    given = {k: v for k, v in (("pattern", pattern), ("times", times), ("usd", usd), ("after_s", after_s))
             if v is not None}
    stray = [k for k in given if k != _TAKES.get(kind)]
    if stray:
        takes = _TAKES.get(kind)
        raise ValueError(f"a {kind} breakpoint does not take {' or '.join(stray)}; "
                         + (f"it takes {takes}" if takes else "it takes no setting") + "; remove it")
    if kind == "message":
        return _message(pattern)
    if kind == "test_failures":
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError(f"test_failures needs a whole number of times of at least 1, not {times!r}")
        return Breakpoint(kind, times=times or 1)
    if kind == "cost":
        if usd is None:
            raise ValueError("a cost breakpoint needs the dollars to stop past: cost:0.5 (in a scenario: usd = 0.5)")
        if isinstance(usd, bool) or not _finite(usd) or usd < 0:
            raise ValueError(f"cost needs a number of dollars of at least 0 (cost:0.5), not {usd!r}")
        return Breakpoint(kind, usd=float(usd))
    if kind == "no_recovery":
        if after_s is not None and (isinstance(after_s, bool) or not _finite(after_s) or after_s <= 0):
            raise ValueError(f"no_recovery needs a number of seconds above 0 (no_recovery:30), not {after_s!r}")
        return Breakpoint(kind, after_s=float(after_s) if after_s is not None else 30.0)
    return Breakpoint(kind)


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and x == x and abs(x) != float("inf")


def _message(pattern: str | None) -> Breakpoint:
    if not pattern:
        raise ValueError("a message breakpoint needs a pattern: message:/deadlock/ (a regular expression)")
    ignore = False
    if len(pattern) >= 2 and pattern.startswith("/") and (pattern.endswith("/") or pattern.endswith("/i")):
        ignore = pattern.endswith("/i") and len(pattern) >= 3
        pattern = pattern[1:-2] if ignore else pattern[1:-1]
    if not pattern or len(pattern) > MAX_PATTERN:
        raise ValueError(f"a message pattern must have 1 to {MAX_PATTERN} characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern /{pattern}/ does not compile as a regular expression: {exc}; fix it "
                         r"(escape a literal ( [ * + ? with \)") from None
    return Breakpoint("message", pattern=pattern, ignore_case=ignore)


def parse(text: str) -> Breakpoint:
    """A breakpoint from the command line's form, KIND[:ARG] (see the module docstring)."""
    kind, sep, arg = text.strip().partition(":")
    kind = kind.strip()
    if kind not in KINDS:
        raise ValueError(f"unknown breakpoint kind {kind!r}; kinds: {', '.join(KINDS)} (e.g. {_EXAMPLES})")
    if not sep:
        return build(kind) if kind != "message" else _message(None)
    if kind not in _TAKES:
        raise ValueError(f"a {kind} breakpoint takes no argument; write --break-on {kind}")
    if kind == "message":
        return _message(arg)
    try:
        value = float(arg) if kind != "test_failures" else int(arg)
    except ValueError:
        raise ValueError(f"{kind}:{arg}: {arg!r} is not a number (e.g. {kind}:"
                         f"{ {'test_failures': '3', 'cost': '0.5', 'no_recovery': '30'}[kind] })") from None
    if kind == "test_failures":
        return build(kind, times=int(value))
    return build(kind, usd=value) if kind == "cost" else build(kind, after_s=value)


_CONFLICTS = (ev.ClaimConflicted, ev.WriteConflicted, ev.LockDenied)


@dataclass
class Matcher:
    """Feeds events one by one to a set of breakpoints; `feed` returns the first hit an event makes, or None."""

    breakpoints: Sequence[Breakpoint]
    failures: dict[str, int] = field(default_factory=dict)
    cost: float = 0.0
    waiting: dict[str, tuple[ev.Event, set[str]]] = field(default_factory=dict)
    """no_recovery: per agent hit by a fault while holding work, the fault's event and the work not yet reclaimed."""

    def feed(self, e: ev.Event) -> Hit | None:
        for bp in self.breakpoints:  # an event at t says no reclaim came before t: deadlines first
            if bp.kind == "no_recovery" and (hit := self._overdue(bp, e.t)) is not None:
                return hit
        self._track(e)
        for bp in self.breakpoints:
            hit = self._check(bp, e)
            if hit is not None:
                return hit
        return None

    def _overdue(self, bp: Breakpoint, now: float) -> Hit | None:
        for agent, (fault, held) in list(self.waiting.items()):
            if now - fault.t >= bp.after_s:
                del self.waiting[agent]
                return Hit(bp, fault, f"{bp.after_s:g}s after {agent} was killed, "
                                      f"{', '.join(sorted(held))} not reclaimed")
        return None

    def _track(self, e: ev.Event) -> None:
        if isinstance(e, ev.TestsRan) and not e.passed:
            self.failures[e.task] = self.failures.get(e.task, 0) + 1
        elif isinstance(e, ev.LLMCallCompleted) and e.cost_usd:
            self.cost += e.cost_usd
        elif isinstance(e, ev.AgentKilled) and e.held:
            self.waiting[e.agent] = (e, set(e.held))
        elif isinstance(e, ev.TaskClaimed) and e.reclaimed_from in self.waiting:
            held = self.waiting[e.reclaimed_from][1]
            held.discard(e.task)
            if not held:
                del self.waiting[e.reclaimed_from]

    def _check(self, bp: Breakpoint, e: ev.Event) -> Hit | None:
        k = bp.kind
        if k == "conflict" and isinstance(e, _CONFLICTS):
            return Hit(bp, e, f"{e.agent} {e.kind}")
        if k == "stall" and isinstance(e, ev.AgentStalled):
            return Hit(bp, e, f"{e.agent} silent since {e.since:.1f}s")
        if k == "straggler" and isinstance(e, ev.StragglerDetected):
            return Hit(bp, e, f"{e.agent} at {e.latency:.1f}s per call")
        if k == "recovery":
            if isinstance(e, ev.TaskClaimed) and e.reclaimed_from:
                return Hit(bp, e, f"{e.agent} reclaimed {e.task} from {e.reclaimed_from}")
            if isinstance(e, ev.AgentRecovered):
                return Hit(bp, e, f"{e.agent} is back after {e.stalled_for:.1f}s")
            if isinstance(e, ev.LeaderElected) and e.previous:
                return Hit(bp, e, f"{e.agent} elected lead after {e.previous}")
        if k == "test_failures" and isinstance(e, ev.TestsRan) and not e.passed \
                and self.failures.get(e.task, 0) == bp.times:
            return Hit(bp, e, f"{e.task} failed its tests {bp.times} time{'s' * (bp.times != 1)}")
        if k == "cost" and isinstance(e, ev.LLMCallCompleted) and e.cost_usd and self.cost > bp.usd \
                and self.cost - e.cost_usd <= bp.usd:
            return Hit(bp, e, f"the run has cost ${self.cost:.4f}, past ${bp.usd:g}")
        if k == "message":
            text = e.text if isinstance(e, ev.MessageSent | ev.LLMCallCompleted) else None
            if text is not None and bp.regex.search(text):
                return Hit(bp, e, f"{e.agent}'s {'message' if isinstance(e, ev.MessageSent) else 'reply'} "
                                  f"matches /{bp.pattern}/")
        return None


def first_hit(events: Iterable[ev.Event], breakpoints: Sequence[Breakpoint]) -> Hit | None:
    """The first hit of `breakpoints` in `events` (a whole log), or None."""
    matcher = Matcher(breakpoints)
    for e in events:
        hit = matcher.feed(e)
        if hit is not None:
            return hit
    return None
