"""What the monitor draws: a `RunState` (every figure) plus display state — agent streams and the event log.

`LiveView.apply(event)` folds the event into its `state` and, at O(1) per event (bounded deques), keeps what
only a screen needs: the lines each agent's pane streams, the reply streaming in, and the latest events for
the log pane. Every figure the monitor shows is read from `state` (see `teamtui.core.state`), so the panel
and the summary cannot disagree; agent badges are derived at draw time (`agent_state(name, now)`).
`baseline_makespan` is T1, the 1-agent makespan the speedup is measured against (None while unknown).
`view_at(recording, pos)` is the view replay installs: the state restored near `pos`, and the display
rebuilt from the last `LOG_EVENTS` events before it (`show` draws an event the state already holds).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from teamtui.core import events as ev
from teamtui.core.fold import conflict_of
from teamtui.core.state import Agent, RunState
from teamtui.metrics.summary import Bounds, bounds
from teamtui.ui.words import delay_text, incident_text

STREAM_LINES = 200
LOG_EVENTS = 5_000
ACT_WINDOW_S = 0.8
BADGES = ("thinking", "acting", "waiting", "idle", "stalled", "straggler", "killed", "restarting", "done", "stopped")


@dataclass
class Lines:
    """One agent's pane: the lines it streams (`seq` counts every line ever added) and the reply streaming in."""

    stream: deque[str] = field(default_factory=lambda: deque(maxlen=STREAM_LINES))
    seq: int = 0
    live: str = ""


class LiveView:
    """See the module docstring."""

    def __init__(self, state: RunState | None = None) -> None:
        self.state = state if state is not None else RunState()
        self.lines: dict[str, Lines] = {name: Lines() for name in self.state.agents}
        self.log: deque[ev.Event] = deque(maxlen=LOG_EVENTS)
        self.baseline_makespan: float | None = None
        """T1 for the speedup figure: known once a 1-agent run of the same task and seed is (None: estimated)."""
        self._bounds: tuple[ev.RunStarted | None, Bounds] | None = None

    def apply(self, e: ev.Event) -> None:
        self.state.apply(e)
        self.show(e)

    def show(self, e: ev.Event) -> None:
        """Only the display part of `apply`: for events the state has already folded (replay's rebuild)."""
        self.log.append(e)
        handler = _DISPLAY.get(type(e))
        if handler is not None:
            handler(self, e)

    @property
    def started(self) -> ev.RunStarted | None:
        return self.state.started

    @property
    def finished(self) -> ev.RunFinished | None:
        return self.state.finished

    @property
    def now(self) -> float:
        return self.state.now

    @property
    def seq(self) -> int:
        return self.state.seq

    @property
    def agents(self) -> dict[str, Agent]:
        return self.state.agents

    def lines_of(self, name: str) -> Lines:
        out = self.lines.get(name)
        if out is None:
            out = self.lines[name] = Lines()
        return out

    def _say(self, agent: str, text: str) -> None:
        if agent in self.state.agents:
            lines = self.lines_of(agent)
            lines.stream.append(text)
            lines.seq += 1

    def agent_state(self, name: str, now: float | None = None) -> str:
        """The badge of an agent at run time `now` (default: the state's now). Once the run has ended, an agent's
        final state: killed, stalled by a fault, or done (the run completed) / stopped (it ended otherwise)."""
        a = self.state.agents[name]
        now = self.state.now if now is None else now
        if not a.alive:
            return "killed"
        end = self.state.finished
        if end is not None:
            return "stalled" if a.stall_injected else "done" if end.status == "completed" else "stopped"
        if a.restarting:
            return "restarting"
        if a.stalled or a.stall_injected:
            return "stalled"
        if a.straggler:
            return "straggler"
        if a.in_call_since is not None:
            return "thinking"
        if a.acted_at is not None and now - a.acted_at <= ACT_WINDOW_S:
            return "acting"
        return "waiting" if a.task else "idle"

    def bounds(self) -> Bounds:
        """What the task graph allows (p, Amdahl's bound, ...), computed once per run: the graph never changes."""
        start = self.state.started
        if self._bounds is None or self._bounds[0] is not start:
            self._bounds = (start, bounds(start) if start is not None else Bounds(0.0, 0.0, 1.0, 1.0))
        return self._bounds[1]

    def t1(self) -> tuple[float | None, bool]:
        """T1 for the speedup and whether it is an estimate: the baseline's makespan when known; else, while the
        run goes, total work × model time per unit of work; at the end without a baseline, None (n/a)."""
        if self.baseline_makespan is not None:
            return self.baseline_makespan, False
        if self.state.finished is not None:
            return None, False
        return self.state.t1_estimate(), True


class Seekable(Protocol):
    """What `view_at` needs of a recording (`teamtui.store.recording.Recording`)."""

    def state_near(self, pos: int, floor: int) -> tuple[int, RunState]: ...

    def slice(self, lo: int, hi: int) -> list[ev.Event]: ...


def view_at(recording: Seekable, pos: int) -> LiveView:
    """The view after the first `pos` events: the state from a checkpoint at or after the last LOG_EVENTS events
    (else folded up to them), the display rebuilt from those events, and the state folded on to `pos`."""
    lo = max(0, pos - LOG_EVENTS)
    at, state = recording.state_near(pos, lo)
    view = LiveView(state)
    for e in recording.slice(lo, at):
        view.show(e)
    for e in recording.slice(at, pos):
        view.apply(e)
    return view


def _call_completed(v: LiveView, e: ev.LLMCallCompleted) -> None:
    v.lines_of(e.agent).live = ""
    v._say(e.agent, f"{e.t:6.1f} ◆ {e.text[:70]} ({e.latency:.1f}s, "
           f"{'≈' if e.tokens_estimated else ''}{e.tokens_out} tok)")


def _call_ended(v: LiveView, e: ev.LLMCallFailed | ev.LLMCallAbandoned) -> None:
    v.lines_of(e.agent).live = ""
    why = e.error if isinstance(e, ev.LLMCallFailed) else e.reason
    v._say(e.agent, f"{e.t:6.1f} ✗ call {e.call} {'failed' if isinstance(e, ev.LLMCallFailed) else 'abandoned'}: {why}")


def _streamed(v: LiveView, e: ev.LLMTokensStreamed) -> None:
    if e.agent in v.state.agents:
        lines = v.lines_of(e.agent)
        lines.live = (lines.live + e.text)[-400:]


def _sent(v: LiveView, e: ev.MessageSent) -> None:
    to = "all" if len(e.to) > 1 and len(e.to) == len(v.state.agents) - 1 else ",".join(e.to)
    v._say(e.agent, f"{e.t:6.1f} → {to} [{e.topic}] {e.text[:60]}")


def _conflict(v: LiveView, e: ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied) -> None:
    v._say(e.agent, f"{e.t:6.1f} ⚠ {incident_text(conflict_of(e))}")


def _agent_fault(v: LiveView, e: ev.Event) -> None:
    if isinstance(e, ev.AgentKilled):
        v._say(e.agent, f"{e.t:6.1f} ☠ killed" + (f", held {', '.join(e.held)}" if e.held else ""))
    elif isinstance(e, ev.AgentRestarted):
        v._say(e.agent, f"{e.t:6.1f} ↻ restarted (incarnation {e.incarnation})")
    elif isinstance(e, ev.AgentDelayed):
        v._say(e.agent, f"{e.t:6.1f} ◷ delayed {delay_text(e.factor, e.extra_s, e.duration)}")
    elif isinstance(e, ev.AgentDelayEnded):
        v._say(e.agent, f"{e.t:6.1f} ◷ delay over")
    elif isinstance(e, ev.AgentStallInjected):
        v._say(e.agent, f"{e.t:6.1f} ‖ stalled" + (f" for {e.duration:g}s" if e.duration else ""))
    elif isinstance(e, ev.AgentResumed):
        v._say(e.agent, f"{e.t:6.1f} ▶ resumed")


def _say_with(text: Callable[[Any], str]) -> Callable[[LiveView, Any], None]:
    return lambda v, e: v._say(e.agent, f"{e.t:6.1f} {text(e)}")


_DISPLAY: dict[type, Callable[[LiveView, Any], None]] = {
    ev.LLMCallCompleted: _call_completed, ev.LLMCallFailed: _call_ended, ev.LLMCallAbandoned: _call_ended,
    ev.LLMTokensStreamed: _streamed, ev.MessageSent: _sent,
    ev.LLMCallRetried: _say_with(lambda e: f"↻ retry {e.attempt} in {e.wait_s:.0f}s: {e.error[:60]}"),
    ev.ReplyRejected: _say_with(lambda e: f"⚠ {e.problem[:80]}"),
    ev.TaskClaimed: _say_with(lambda e: f"⚑ claimed {e.task}" + (f" (from {e.reclaimed_from})" if e.reclaimed_from
                                                                  else "")),
    ev.TaskAssigned: lambda v, e: v._say(e.agent, f"{e.t:6.1f} ⇢ assigned {e.task} to {e.to}") if e.agent else None,
    ev.TaskCompleted: _say_with(lambda e: f"✓ completed {e.task}"),
    ev.FileWritten: _say_with(lambda e: f"✎ wrote {e.path} v{e.version}"),
    ev.TestsRan: _say_with(lambda e: f"{'✓' if e.passed else '✗'} tests {e.task} {'pass' if e.passed else 'FAIL'}"),
    ev.CompletionRejected: _say_with(lambda e: f"✗ completion of {e.task} refused: {e.reason}"),
    ev.ClaimConflicted: _conflict, ev.WriteConflicted: _conflict, ev.LockDenied: _conflict,
    ev.AgentKilled: _agent_fault, ev.AgentRestarted: _agent_fault, ev.AgentDelayed: _agent_fault,
    ev.AgentDelayEnded: _agent_fault, ev.AgentStallInjected: _agent_fault, ev.AgentResumed: _agent_fault,
}
