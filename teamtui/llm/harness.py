"""The harness-faithful policy of the simulated team: what an agent of the paper's harness does in one reply.

Fitted to the paper's recorded runs (`teamtui calibrate`), it differs from the mechanism demonstrator of
`teamtui.llm.sim` where real agents were seen to differ (docs/sim-model.md):

* **Batches.** A worker with pre-assigned subtasks takes on `1 + Poisson(files_per_turn)` of them per coding
  turn, following its own chains within the turn (a subtask whose dependencies are its own, earlier in the
  same turn, is taken too; one waiting on another agent's work is not). A self-coordinating peer first
  finishes what it holds, then claims `1 + Poisson(claims_per_turn)` ready subtasks (the first ones with
  `herding`, else in a random order), and with `optimism` also the next subtask whose dependencies it is
  working on (a blocked claim, its file written anyway).
* **One turn per subtask.** Its files are written, its claims made and its completions declared in that
  order in the same reply, as the harness processes tags; under `verify = "harness"` the engine accepts
  the completion without tests. A claim another agent won in the same round fails, so its completion does
  too: the file was written for nothing (a concurrent write).
* **Idle turns.** With `idle_rate` a turn does nothing although there is work (each run draws its own rate
  around it with `idle_spread`); with nothing the agent may do, it does nothing either (no messages: the
  harness's teammates do not message each other).
* **Foreign writes.** With `foreign_writes` a peer also rewrites the file of a subtask another agent holds or
  finished; with `assist_writes` a pre-assigned worker writes a ready subtask given to a teammate.
* **Stalled rounds.** With `round_lag` a whole round (one draw per round, shared by the team, from a stream of
  its own) declares nothing done: its turns write as they would and declare done in their next turn.
* **Lost claims.** With `abandon_rate` a peer loses track of a subtask it claims and never completes it.
* **Tests.** With `test_rate` a coding turn runs the whole suite (advisory).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol

from teamtui.core.agent import Action, Claim, Complete, Observation, RunTests, TaskView, Wait, WriteFile
from teamtui.scenario.simconfig import SimConfig

Content = Callable[[str, bool], str]
"""(subtask, written without a bug) -> the file's text."""


def geometric(rng: random.Random, mean: float) -> int:
    """How many more: a geometric draw with this mean (0, 1, 2, ... with a long tail, as real batches have)."""
    if mean <= 0:
        return 0
    q = mean / (1.0 + mean)
    return int(math.log(1.0 - rng.random()) / math.log(q))


class Mind(Protocol):
    """What the policy remembers of one agent between its turns (`teamtui.llm.sim.Memory`)."""

    rng: random.Random
    foreign: random.Random
    lagged: list[str]
    stuck: str
    abandoned: set[str]


class HarnessPolicy:
    """See the module docstring. `decide` fills a turn's actions and returns how many files it writes."""

    def __init__(self, cfg: SimConfig, content: Content, seed: int = 0) -> None:
        self.cfg = cfg
        self.content = content
        self.idle = run_idle_rate(cfg, random.Random(f"{seed}:idle"))
        """This run's idle chance (`idle_rate`, `idle_spread`)."""
        self.seed = seed
        self.stalled: dict[int, bool] = {}
        """Round -> whether it declares nothing done (`round_lag`; drawn once per round, on its own stream)."""

    def decide(self, obs: Observation, m: Mind, out: list[Action]) -> int:
        rng, tasks = m.rng, {t.id: t for t in obs.tasks}
        if m.stuck and tasks.get(m.stuck) is not None and tasks[m.stuck].state != "done":
            out.append(self._write(tasks[m.stuck], obs, rng))  # derailed: rewrites it, never declares it done
            out.append(RunTests(""))
            return 1
        if rng.random() < self.idle:
            out.append(Wait())
            return 0
        lagged = [tasks[i] for i in m.lagged if i in tasks and tasks[i].state != "done"]
        m.lagged = []
        if obs.architecture == "decentralized":
            batch, claims = self._peer_batch(obs, m, lagged)
        else:
            batch, claims = self._worker_batch(obs, rng, lagged), []
        if not batch:
            out.append(Wait())
            return 0
        fresh = [t for t in batch if t not in lagged]
        if claims:  # a claim lost track of: held from now on, never declared done (more likely in a crowd)
            lost = 1.0 - (1.0 - self.cfg.abandon_rate) ** len(obs.team)
            m.abandoned.update(t.id for t in claims if rng.random() < lost)
        written = [self._write(t, obs, rng) for t in fresh]
        written.extend(self._write(t, obs, m.foreign) for t in self._foreign(obs, m.foreign, {t.id for t in batch}))
        out.extend(written)
        out.extend(Claim(t.id) for t in claims)
        if fresh and rng.random() < self.cfg.derail_rate:
            m.stuck = fresh[0].id  # from now on it rewrites this one and declares nothing done
        batch = [t for t in batch if t.id != m.stuck and t.id not in m.abandoned]
        lag = bool(fresh) and rng.random() < self.cfg.complete_lag  # drawn either way: stalls move no draw
        if self._stalled(obs.round):  # the whole round declares nothing done: all of it comes next turn
            m.lagged = [t.id for t in batch]
            batch = []
        elif lag:
            m.lagged = [t.id for t in fresh if t.id != m.stuck]  # declared done next turn, after the tests
            batch = [t for t in batch if t not in fresh]
        out.extend(Complete(t.id) for t in batch)
        if written and rng.random() < self.cfg.test_rate:
            out.append(RunTests(""))
        return len(written)

    def _stalled(self, round_no: int) -> bool:
        if self.cfg.round_lag <= 0:
            return False  # no draw at all: runs without the knob are the same draw for draw
        if round_no not in self.stalled:
            self.stalled[round_no] = random.Random(f"{self.seed}:stall:{round_no}").random() < self.cfg.round_lag
        return self.stalled[round_no]

    def _write(self, t: TaskView, obs: Observation, rng: random.Random) -> WriteFile:
        ok = rng.random() >= self.cfg.bug_rate
        return WriteFile(t.file, self.content(t.id, ok), t.id, obs.files.get(t.file, 0), ok)

    def _worker_batch(self, obs: Observation, rng: random.Random, lagged: list[TaskView]) -> list[TaskView]:
        """A pre-assigned worker: its own subtasks in board order, following its own chains within the turn."""
        me = obs.agent
        done = {t.id for t in obs.tasks if t.state == "done"} | {t.id for t in lagged}
        mine = [t for t in obs.tasks if t.state != "done" and (t.assigned_to == me or t.holder == me)
                and t not in lagged]
        want = len(mine) if rng.random() < self.cfg.burst_rate else 1 + geometric(rng, self.cfg.files_per_turn)
        batch, taken = list(lagged), set[str]()
        for t in mine:
            if not all(d in done or d in taken for d in t.depends_on):
                continue
            follows = any(d in taken for d in t.depends_on)  # the next link of a chain it is writing
            if len(batch) - len(lagged) >= want and not (follows and rng.random() < self.cfg.chain_follow):
                if follows:
                    break
                continue
            batch.append(t)
            taken.add(t.id)
        return batch

    def _peer_batch(self, obs: Observation, m: Mind,
                    lagged: list[TaskView]) -> tuple[list[TaskView], list[TaskView]]:
        """A self-coordinating peer: what it holds, then ready subtasks nobody holds (and an optimistic next)."""
        me, rng = obs.agent, m.rng
        held = [t for t in obs.tasks if t.holder == me and t.state == "claimed" and t not in lagged
                and t.id not in m.abandoned]
        ready = [t for t in obs.tasks if t.state == "ready" and not t.holder]
        if ready and rng.random() >= self.cfg.herding:
            ready = rng.sample(ready, len(ready))
        burst = rng.random() < self.cfg.burst_rate
        want = len(held) + len(ready) if burst else 1 + geometric(rng, self.cfg.claims_per_turn)
        fresh = ready[:max(0, want - len(held))]
        batch = [*lagged, *held[:want], *fresh]
        claims = list(fresh)
        if batch and rng.random() < self.cfg.optimism:  # the next links of chains it works on, claimed early
            working = {t.id for t in batch} | {t.id for t in obs.tasks if t.state in ("claimed", "done")}
            for t in obs.tasks:
                if len(claims) >= 2 * want:
                    break
                if t.state == "pending" and not t.holder and all(d in working for d in t.depends_on):
                    batch.append(t)
                    claims.append(t)
                    working.add(t.id)
        return batch, claims

    def _foreign(self, obs: Observation, rng: random.Random, mine: set[str]) -> list[TaskView]:
        """Files of other agents' subtasks a turn also writes: a peer `foreign_writes` on average (Poisson) among
        the subtasks others hold or finished (it rewrites their files), a worker given its subtasks
        `assist_writes` among the ready ones given to teammates (which they are likely writing in the same
        round)."""
        me = obs.agent
        if obs.architecture == "decentralized":  # what others hold or finished: the board shows their claims
            others = [t for t in obs.tasks if t.id not in mine and t.holder and t.holder != me]
            mean = self.cfg.foreign_writes
        else:
            others = [t for t in obs.tasks if t.state == "ready" and t.id not in mine and not t.holder
                      and t.assigned_to not in ("", me)]
            mean = self.cfg.assist_writes
        count = min(len(others), _poisson(rng, mean))
        return rng.sample(others, count) if count else []


def run_idle_rate(cfg: SimConfig, rng: random.Random) -> float:
    """A run's idle chance: `idle_rate`, or with `idle_spread` a beta draw with that mean and dispersion."""
    m, s = cfg.idle_rate, cfg.idle_spread
    if s <= 0 or m <= 0 or m >= 1:
        return m
    k = 1.0 / s - 1.0  # a + b, so that 1 / (a + b + 1) = s
    return rng.betavariate(m * k, (1.0 - m) * k)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
