"""Failure detection: stalled agents (no reply for `stall_after_s`), stragglers, and lead election.

* Stalled: an agent inside one LLM call for longer than `stall_after_s` (checked periodically);
  `AgentRecovered` when that call finally returns.
* Straggler: an agent whose median latency over its last five calls exceeds `straggler_factor` times
  the median of its teammates' such medians (coding and idle turns mix alike for everyone, so only a
  persistently slow agent stands out); `StragglerCleared` when it falls back.
* Election: in a lead team with `lead_failover = "election"`, when the lead has been silent for
  `stall_after_s` (dead or stalled), the first living worker becomes lead (`LeaderElected`).
"""

from __future__ import annotations

import statistics
from collections import deque

from teamtui.core import events as ev
from teamtui.runtime.context import AgentState, RunContext


class FailureDetector:
    """See the module docstring."""

    def __init__(self, engine: RunContext) -> None:
        self.engine = engine
        self.stall_after = engine.scenario.stall_after_s
        self.factor = engine.scenario.straggler_factor
        self.recent: dict[str, deque[float]] = {}
        self.medians: dict[str, float] = {}
        """Median of each agent's recent latencies, updated with them."""

    async def run(self) -> None:
        interval = self.stall_after / 4
        while True:
            await self.engine.clock.sleep(interval)
            self.check()

    def check(self) -> None:
        eng = self.engine
        now = eng.clock.now()
        for st in eng.alive():
            if st.in_call_since is not None and not st.stall_flagged and now - st.in_call_since > self.stall_after:
                st.stall_flagged = True
                eng.emit(ev.AgentStalled(agent=st.name, since=round(st.in_call_since, 6)))
        self._election(now)

    def _election(self, now: float) -> None:
        eng = self.engine
        if not eng.lead or eng.scenario.lead_failover != "election":
            return
        lead = eng.agents[eng.lead]
        silent_for = now - lead.last_seen if lead.in_call_since is None or not lead.alive else now - lead.in_call_since
        if lead.alive and silent_for <= self.stall_after:
            return
        if not lead.alive and now - lead.last_seen <= self.stall_after:
            return
        successor = next((st for st in eng.alive() if st.name != eng.lead), None)
        if successor is None:
            return
        previous = eng.lead
        lead.role = "worker"
        successor.role = "lead"
        eng.lead = successor.name
        eng.emit(ev.LeaderElected(agent=successor.name, previous=previous))

    def after_call(self, st: AgentState, latency: float) -> None:
        eng = self.engine
        if st.stall_flagged:
            st.stall_flagged = False
            since = eng.clock.now() - latency
            eng.emit(ev.AgentRecovered(agent=st.name, stalled_for=round(eng.clock.now() - since, 6)))
        mine = self.recent.setdefault(st.name, deque(maxlen=5))
        mine.append(latency)
        own = self.medians[st.name] = statistics.median(mine)  # kept per agent: one median per call, not n
        if len(mine) < 3:
            return
        others = [self.medians[a.name] for a in eng.agents.values()
                  if a.alive and a is not st and a.name in self.medians]
        if not others:
            return
        median = statistics.median(others)
        slow = own > self.factor * median
        if slow and not st.straggler:
            st.straggler = True
            eng.emit(ev.StragglerDetected(agent=st.name, latency=round(own, 6), team_median=round(median, 6)))
        elif not slow and st.straggler:
            st.straggler = False
            eng.emit(ev.StragglerCleared(agent=st.name, latency=round(own, 6)))
