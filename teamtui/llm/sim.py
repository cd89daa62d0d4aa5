"""The simulated team: a seeded behavioural model of an LLM agent that needs no API key and no network.

Each call takes think time on the run clock (drawn from `think_time`, times the subtask's work for a
coding turn, times `coord_factor` otherwise) and returns the actions a reasonable agent in its role
would take given only its observation. The rules, by role (docs/sim-model.md has the full model):

* everyone: answers status requests; announces its own completions (peers broadcast, lead-team workers
  report to the lead, preassigned workers tell the owners of dependent subtasks with `chattiness`);
  works on a subtask it holds by writing the pack's reference solution (a bug with `bug_rate`),
  running the tests and completing it.
* peer (decentralized): claims a ready subtask (the first one with `herding`, else a random one),
  announcing it, and writes it in the same reply; with nothing ready, claims a not-yet-ready subtask
  with `optimism` (blocked), or asks for status with `chattiness`.
* worker: preassigned, takes its next assigned ready subtask; in a lead team, only what the lead's
  messages assigned to it.
* lead: assigns ready subtasks to idle workers, longest remaining path first; takes work back from
  workers silent for `stall_after_s` and from assignments nobody picked up, and assigns it again.

Nothing here knows the metrics: speedups, messages and conflicts come out of the engine's mechanisms.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from teamtui.core import files
from teamtui.core.agent import (
    Action,
    Assign,
    Broadcast,
    Claim,
    Complete,
    Observation,
    Release,
    RequestStatus,
    RunTests,
    Send,
    TaskView,
    Wait,
    WriteFile,
)
from teamtui.core.clock import Clock
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.harness import HarnessPolicy
from teamtui.scenario.simconfig import SimConfig
from teamtui.scenario.spec import Scenario


@dataclass
class Memory:
    """What one incarnation of a simulated agent remembers between its turns."""

    rng: random.Random
    announced: set[str] = field(default_factory=set)
    assigned: list[str] = field(default_factory=list)
    assigned_at: dict[str, float] = field(default_factory=dict)
    reported_idle: bool = False
    history: int = 0
    """Prompt tokens of conversation history carried into the next call (messages read, own replies)."""
    written: set[str] = field(default_factory=set)
    """Subtasks this incarnation has written and sent to the tests (it completes them on a later turn)."""
    lagged: list[str] = field(default_factory=list)
    """Subtasks written last turn whose completion this turn declares (the harness-faithful `complete_lag`)."""
    stuck: str = ""
    """The subtask this incarnation derailed on: it rewrites it every turn and never declares it done."""
    abandoned: set[str] = field(default_factory=set)
    """Subtasks this incarnation claimed and lost track of: it holds them and never declares them done."""
    effect: float = 0.0
    """This agent's random effect on log latency for the run (`latency.agent_sigma`)."""
    foreign: random.Random = field(default_factory=random.Random)
    """The draws of foreign writes alone (`foreign_writes`), so that a small change of that knob changes only
    them, not every later draw of the run (common random numbers: a calibration compares nearby knob values)."""


class SimBackend:
    """See the module docstring."""

    def __init__(self, scenario: Scenario) -> None:
        self.cfg: SimConfig = scenario.sim
        self.seed = scenario.seed
        self.graph = scenario.task
        self.mem: dict[str, Memory] = {}
        self._code: dict[str, str] = {}
        self._rank = _remaining_path(scenario.task.subtasks)
        self.harness = HarnessPolicy(self.cfg, self._content, self.seed) if self.cfg.verify == "harness" else None
        lat = self.cfg.latency
        self.run_effect = random.Random(f"{self.seed}:run").gauss(0.0, lat.run_sigma) if lat else 0.0
        self._round_effect: dict[int, float] = {}

    def forget(self, agent: str) -> None:
        self.mem.pop(agent, None)

    def think_time(self, rng: random.Random) -> float:
        tt = self.cfg.think_time
        if tt.dist == "constant":
            return tt.median_s
        if tt.dist == "uniform":
            return rng.uniform(tt.low_s, tt.high_s)
        if tt.dist == "exponential":
            return rng.expovariate(math.log(2) / tt.median_s)
        return tt.median_s * math.exp(rng.gauss(0.0, tt.sigma))

    async def complete(self, request: LLMRequest, clock: Clock) -> Completion:
        obs = request.observation
        m = self.mem.get(request.agent)
        if m is None:
            m = self.mem[request.agent] = self._memory(request.agent, request.incarnation)
        actions: list[Action] = []
        if self.harness is not None:
            files = self.harness.decide(obs, m, actions)
            work = float(files)
        else:
            work = self._decide(obs, m, actions)
        coding = work > 0
        tokens_in = 450 + 30 * len(obs.tasks) + m.history + 45 * len(obs.inbox) + 25 * len(obs.feedback)
        tokens_out = int(self.cfg.tokens_per_work * work) if coding else 30 + 25 * len(actions)
        if self.cfg.latency is not None:
            think = self._latency(obs.round, m, work)
        else:
            think = self.think_time(m.rng) * (work if coding else self.cfg.coord_factor)
            think += tokens_in / 1000 * self.cfg.prefill_s_per_ktok
        # what was read and said stays in the conversation (a short summary of the code, not all of it)
        m.history = min(self.cfg.context_window, m.history + 45 * len(obs.inbox) + 25 * len(obs.feedback)
                        + 30 + 25 * len(actions))
        await clock.sleep(think)
        return Completion(text=describe(actions), actions=tuple(actions), tokens_in=tokens_in,
                          tokens_out=tokens_out, cost_usd=None, coding=coding)

    def _memory(self, agent: str, incarnation: int) -> Memory:
        m = Memory(random.Random(f"{self.seed}:{agent}:{incarnation}"),
                   foreign=random.Random(f"{self.seed}:{agent}:{incarnation}:foreign"))
        lat = self.cfg.latency
        if lat is not None and lat.agent_sigma > 0:
            m.effect = random.Random(f"{self.seed}:{agent}:effect").gauss(0.0, lat.agent_sigma)
        return m

    def _latency(self, rnd: int, m: Memory, files: float) -> float:
        """exp(intercept + slope · log files + run + agent + round + ε) seconds (`SimConfig.latency`)."""
        lat = self.cfg.latency
        assert lat is not None
        if rnd not in self._round_effect:  # one draw per round, the same whichever agent asks first
            self._round_effect[rnd] = random.Random(f"{self.seed}:round:{rnd}").gauss(0.0, lat.round_sigma)
        base = lat.intercept + lat.files_slope * math.log(files) if files > 0 else lat.idle_intercept
        return math.exp(base + self.run_effect + m.effect + self._round_effect[rnd] + m.rng.gauss(0.0, lat.sigma))

    # -- the behavioural model ---------------------------------------------------------------------

    def _decide(self, obs: Observation, m: Memory, out: list[Action]) -> float:
        """Fill `out` with this turn's actions; return the work written (0 for a coordination turn)."""
        me = obs.agent
        tasks = {t.id: t for t in obs.tasks}
        for msg in obs.inbox:
            if msg.topic == "status_request":
                mine = [t.id for t in obs.tasks if t.holder == me and t.state == "claimed"]
                out.append(Send(msg.sender, f"working on {mine[0]}" if mine else "idle", "status"))
            elif msg.topic == "assign" and msg.task and msg.task not in m.assigned:
                m.assigned.append(msg.task)
        self._announce(obs, m, out, tasks)
        if obs.role == "lead":
            self._lead(obs, m, out)
            return 0.0
        held = [t for t in obs.tasks if t.holder == me and t.state == "claimed"]
        if held:
            return self._code_it(held[0], obs, m, out)
        pick = self._next_task(obs, m, tasks)
        if pick is not None:
            m.reported_idle = False
            if obs.architecture == "decentralized":
                out.append(Broadcast(f"claiming {pick.id}", "claim", pick.id))
            out.append(Claim(pick.id))
            return self._code_it(pick, obs, m, out)
        self._idle(obs, m, out)
        return 0.0

    def _announce(self, obs: Observation, m: Memory, out: list[Action], tasks: dict[str, TaskView]) -> None:
        for t in obs.tasks:
            if t.state != "done" or t.holder != obs.agent or t.id in m.announced:
                continue
            m.announced.add(t.id)
            if obs.architecture == "decentralized":
                out.append(Broadcast(f"done {t.id}", "done", t.id))
            elif obs.lead and obs.role != "lead":
                out.append(Send(obs.lead, f"done {t.id}", "report", t.id))
            elif m.rng.random() < self.cfg.chattiness:
                owners = sorted({d.assigned_to for d in obs.tasks if t.id in d.depends_on
                                 and d.assigned_to and d.assigned_to != obs.agent})
                out.extend(Send(o, f"{t.id} is done", "done", t.id) for o in owners)

    def _next_task(self, obs: Observation, m: Memory, tasks: dict[str, TaskView]) -> TaskView | None:
        me = obs.agent
        if obs.architecture == "decentralized":
            ready = [t for t in obs.tasks if t.state == "ready"]
            if not ready:
                return None
            return ready[0] if m.rng.random() < self.cfg.herding else m.rng.choice(ready)
        if obs.lead:
            mine = [tasks[t] for t in m.assigned if t in tasks]
        else:
            mine = [t for t in obs.tasks if t.assigned_to == me]
        return next((t for t in mine if t.state == "ready" and (not obs.lead or t.assigned_to == me)), None)

    def _idle(self, obs: Observation, m: Memory, out: list[Action]) -> None:
        if obs.architecture == "decentralized":
            state = {t.id: t.state for t in obs.tasks}
            hopeful = [t for t in obs.tasks if t.state == "pending"
                       and all(state.get(d, "") in ("claimed", "done") for d in t.depends_on)]
            if hopeful and m.rng.random() < self.cfg.optimism:
                out.append(Claim(hopeful[0].id))
            elif m.rng.random() < self.cfg.chattiness:
                out.append(RequestStatus())
        elif obs.lead and not m.reported_idle and m.rng.random() < self.cfg.chattiness:
            m.reported_idle = True
            out.append(Send(obs.lead, "idle, ready for work", "report"))
        if not out:
            out.append(Wait())

    def _code_it(self, t: TaskView, obs: Observation, m: Memory, out: list[Action]) -> float:
        if t.id in m.written and obs.tests.get(t.id) is True:
            out.append(Complete(t.id))  # the tests passed last turn: a short turn to complete it
            return 0.0
        m.written.add(t.id)
        ok = m.rng.random() >= self.cfg.bug_rate
        out.append(WriteFile(t.file, self._content(t.id, ok), t.id, obs.files.get(t.file, 0), ok))
        out.append(RunTests(t.id))
        return t.work

    def _content(self, tid: str, ok: bool) -> str:
        if tid not in self._code:
            st = self.graph.by_id[tid]
            text = _read(st.reference) if st.reference is not None else f'"""{st.spec}"""\n'
            self._code[tid] = text
        code = self._code[tid]
        if ok:
            return code
        symbol = self.graph.by_id[tid].symbol or tid
        return f"{code}\n\ndef {symbol}(*args, **kwargs):  # the simulated model wrote a bug here\n    return None\n"

    def _lead(self, obs: Observation, m: Memory, out: list[Action]) -> None:
        me = obs.agent
        workers = [w for w in obs.team if w != me]
        suspects = {w for w in workers if obs.now - obs.last_seen.get(w, 0.0) > obs.suspect_after}
        freed: set[str] = set()
        for t in obs.tasks:
            if t.state == "done":
                continue
            stale = (t.assigned_to and t.state == "ready"
                     and obs.now - m.assigned_at.get(t.id, obs.now) > obs.suspect_after)
            if t.holder in suspects or (not t.holder and (t.assigned_to in suspects or stale)):
                if t.holder:
                    out.append(Release(t.id))
                freed.add(t.id)
        healthy = [w for w in workers if w not in suspects]
        busy = {t.assigned_to for t in obs.tasks if t.state != "done" and t.id not in freed and t.assigned_to}
        busy |= {t.holder for t in obs.tasks if t.state == "claimed" and t.id not in freed}
        idle = [w for w in healthy if w not in busy]
        ready = [t for t in obs.tasks if (t.state == "ready" and (not t.assigned_to or t.id in freed))
                 or (t.id in freed and t.state == "claimed" and all(tasks_state(obs, d) == "done"
                                                                    for d in t.depends_on))]
        ready.sort(key=lambda t: -self._rank.get(t.id, 0.0))
        for worker, t in zip(idle, ready, strict=False):
            out.append(Assign(t.id, worker))
            m.assigned_at[t.id] = obs.now
        if not out and m.rng.random() < self.cfg.chattiness * 0.5:
            out.append(RequestStatus())
        if not out:
            out.append(Wait())


def tasks_state(obs: Observation, tid: str) -> str:
    return next((t.state for t in obs.tasks if t.id == tid), "")


def _remaining_path(subtasks: tuple[object, ...]) -> dict[str, float]:
    """Subtask -> work on the longest path from it to the end (how urgent it is for a scheduler)."""
    children: dict[str, list[str]] = {}
    work: dict[str, float] = {}
    for st in subtasks:
        sid, deps, w = st.id, st.depends_on, st.work  # type: ignore[attr-defined]
        work[sid] = w
        children.setdefault(sid, [])
        for d in deps:
            children.setdefault(d, []).append(sid)
    rank: dict[str, float] = {}
    for start in work:  # depth first with a stack of its own: a chain of any length, no RecursionError
        stack = [start]
        while stack:
            t = stack[-1]
            todo = [c for c in children[t] if c not in rank]
            if todo:
                stack.extend(todo)
                continue
            rank[t] = work[t] + max((rank[c] for c in children[t]), default=0.0)
            stack.pop()
    return rank


def describe(actions: list[Action]) -> str:
    """A short, human-readable rendering of a reply, as a pane would show it."""
    parts = []
    for a in actions:
        match a:
            case WriteFile(path=p, intended_ok=ok):
                parts.append(f"write {p}" + ("" if ok else " (buggy)"))
            case Claim(task=t) | Complete(task=t) | RunTests(task=t) | Release(task=t):
                parts.append(f"{type(a).__name__.lower()} {t}")
            case Assign(task=t, to=to):
                parts.append(f"assign {t} -> {to}")
            case Send(to=to, text=text):
                parts.append(f"to {to}: {text}")
            case Broadcast(text=text):
                parts.append(f"all: {text}")
            case RequestStatus():
                parts.append("status?")
            case Wait():
                parts.append("wait")
    return "; ".join(parts)


@functools.lru_cache(maxsize=512)
def _read(path: Path) -> str:
    """A pack's reference file (read once per process: sweeps run the same pack many times)."""
    return files.read_text(path, "reference solution")
