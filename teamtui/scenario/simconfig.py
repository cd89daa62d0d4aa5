"""The `[team.sim]` table: the knobs of the simulated team's behavioural model (docs/sim-model.md).

Two families of knobs live here. The *mechanism demonstrator* (the default): think time per unit of work,
coordination messages, bugs found by tests, completion only on passing tests. The *harness-faithful*
mechanisms, fitted to the paper's recorded runs by `teamtui calibrate` and shipped as profiles
(`profile = "NAME"`): several subtasks per coding turn (`files_per_turn`), completion in the same turn with
advisory whole-suite tests (`verify = "harness"`), writes to files other agents hold (`foreign_writes`,
`assist_writes`), idle replies (`idle_rate`), claims lost track of (`abandon_rate`), and a latency model with
random effects (`latency`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThinkTime(_Strict):
    """How long one simulated LLM call takes, in seconds, for a turn that writes one unit of work."""

    dist: Literal["lognormal", "constant", "uniform", "exponential"] = "lognormal"
    median_s: float = Field(default=6.0, gt=0, le=3600)
    sigma: float = Field(default=0.6, ge=0, le=3)  # LLM latencies are heavy-tailed
    low_s: float = Field(default=3.0, gt=0)
    high_s: float = Field(default=9.0, gt=0)

    @model_validator(mode="after")
    def _range(self) -> ThinkTime:
        if self.dist == "uniform" and self.high_s < self.low_s:
            raise ValueError(f"high_s ({self.high_s}) must be at least low_s ({self.low_s})")
        return self


class Latency(_Strict):
    """How long one call takes: exp(intercept + files_slope · log files + run + agent + round + ε) seconds for a
    call that writes `files` ≥ 1 files, with `idle_intercept` instead for a call that writes none; run, agent
    and round are normal random effects (one draw per run, per agent and run, per round), ε one per call."""

    intercept: float = Field(default=1.4, ge=-5, le=8)
    """log seconds of a call that writes one file."""
    files_slope: float = Field(default=0.75, ge=0, le=3)
    """How latency grows with the files a call writes (sub-linear below 1)."""
    idle_intercept: float = Field(default=0.8, ge=-5, le=8)
    """log seconds of a call that writes nothing."""
    sigma: float = Field(default=0.45, ge=0, le=3)
    """Spread of one call around its round (σ of log seconds)."""
    round_sigma: float = Field(default=0.0, ge=0, le=3)
    """Spread shared by every call of one round."""
    agent_sigma: float = Field(default=0.0, ge=0, le=3)
    """Spread of one agent over a whole run (a persistently slow or fast agent)."""
    run_sigma: float = Field(default=0.0, ge=0, le=3)
    """Spread of a whole run (a slow or fast day at the provider)."""


class SimConfig(_Strict):
    """Knobs of the simulated agents' behavioural model (documented in docs/sim-model.md)."""

    profile: str | None = Field(default=None, min_length=1)
    """A fitted profile (`teamtui calibrate`; shipped: the paper's models) whose values are the defaults of
    every key this table does not set."""
    think_time: ThinkTime = ThinkTime()
    coord_factor: float = Field(default=0.35, gt=0, le=1)
    """A turn that writes no code takes this fraction of a coding turn's think time."""
    bug_rate: float = Field(default=0.1, ge=0, le=1)
    """Chance that code written in a turn fails its tests (then the agent reworks it)."""
    chattiness: float = Field(default=0.5, ge=0, le=1)
    """Chance per turn of an optional coordination message (status updates, status requests)."""
    optimism: float = Field(default=0.25, ge=0, le=1)
    """Chance that an idle self-coordinating agent claims a subtask whose dependencies are not done (under
    verify = "harness": that a peer's coding turn also claims, and writes, the next links of its chains)."""
    herding: float = Field(default=0.6, ge=0, le=1)
    """Chance that a self-coordinating agent picks the first ready subtask rather than a random one."""
    verify: Literal["model", "tests", "harness"] = "model"
    """model: test outcomes follow the model (fast); tests: really run the pack's pytest tests; harness: as the
    paper's harness, a subtask is complete when its holder (or assignee) says so, in the same turn, and test
    runs are advisory whole-suite runs (the run still records whether every test passes at its end)."""
    test_time_s: float = Field(default=1.0, ge=0, le=600)
    """Modelled duration of one test run (added to real runs' time under the virtual clock)."""
    tokens_per_work: int = Field(default=400, ge=1, le=100_000)
    """Completion tokens for one unit of work."""
    prefill_s_per_ktok: float = Field(default=0.25, ge=0, le=60)
    """Extra think time per 1,000 prompt tokens: a call with a longer context (more messages read) is slower."""
    context_window: int = Field(default=8_000, ge=500, le=2_000_000)
    """Prompt tokens of conversation history an agent carries at most (older turns fall out)."""
    latency: Latency | None = None
    """The latency model of harness-faithful calls; when given it replaces think_time, coord_factor and
    prefill_s_per_ktok."""
    files_per_turn: float = Field(default=0.0, ge=0, le=50)
    """Pre-assigned subtasks a worker's coding turn takes on beyond the first, on average (geometric, so with
    the long tail of real batches): real agents batch (verify = "harness")."""
    chain_follow: float = Field(default=0.0, ge=0, le=1)
    """Chance that a worker whose batch is full still writes the next link of a chain it is writing (real agents
    wrote chains of related functions together, independent subtasks one or two at a time)."""
    claims_per_turn: float = Field(default=0.0, ge=0, le=50)
    """Ready subtasks a self-coordinating peer claims in one turn beyond the first, on average (geometric)."""
    idle_rate: float = Field(default=0.0, ge=0, le=1)
    """Chance that a turn does nothing although the agent has work it could do (the mean over runs)."""
    idle_spread: float = Field(default=0.0, ge=0, lt=1)
    """How much the idle chance varies between runs: each run draws its own from a beta distribution with mean
    `idle_rate` and this dispersion (1 / (a + b + 1)); 0 gives every run `idle_rate`, near 1 most runs never
    idle and a few idle nearly always (real teams stall together in some runs, not a little in all)."""
    foreign_writes: float = Field(default=0.0, ge=0, le=20)
    """Files of subtasks other agents hold or finished that a self-coordinating peer's coding turn also
    rewrites, on average (Poisson; possible only under consistency = "none", as in the harness, where locks are
    per write)."""
    assist_writes: float = Field(default=0.0, ge=0, le=20)
    """The same for a worker given its subtasks (pre-assigned, or by a lead): files of ready subtasks given to
    teammates (the ones they are writing in the same round) that its coding turn also writes, on average."""
    burst_rate: float = Field(default=0.0, ge=0, le=1)
    """Chance that a coding turn takes on everything the agent can (all its doable subtasks; a peer: every ready
    one): real batches are bimodal, mostly one file, sometimes all of them."""
    abandon_rate: float = Field(default=0.0, ge=0, le=1)
    """Chance that a peer loses track of a subtask it claims, per teammate including itself (1 − (1 − rate)^n:
    the bigger the crowd, the more confusion): it holds it and never declares it done, so the run ends at the
    round limit (there are no leases in the harness)."""
    derail_rate: float = Field(default=0.0, ge=0, le=1)
    """Chance per coding turn that an agent derails: from then on it rewrites one subtask's file every turn and
    never declares it done (real agents were seen looping so until the round limit)."""
    complete_lag: float = Field(default=0.0, ge=0, le=1)
    """Chance that a coding turn writes its subtasks but declares them done only in the agent's next turn."""
    round_lag: float = Field(default=0.0, ge=0, le=1)
    """Chance that a whole round declares nothing done: every turn of it writes as it would and declares its
    subtasks (and any it carried over) done in the agent's next turn. The paper's teams had rounds without a
    completion at about the same rate (a third, decentralized) whatever their size, so they stall together,
    round by round, which agent-by-agent idleness (its chance for a whole round falls as idle_rate^n) cannot
    give."""
    test_rate: float = Field(default=1.0, ge=0, le=1)
    """Chance that a coding turn runs the tests (under verify = "harness": the whole suite, advisory)."""
