"""The scenario file's schema: one pydantic model per TOML table, every key documented, unknown keys refused.

These models check each key on its own (type, range, allowed values); `teamtui.scenario.load` then resolves
the whole file (agents, faults, the task DAG) and turns any failure into a one-line `ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from teamtui.core import breakpoints
from teamtui.core.faults import FAULTS
from teamtui.scenario import axes
from teamtui.scenario.architectures import ARCHITECTURES
from teamtui.scenario.simconfig import SimConfig

FAULT_ACTIONS = ("kill", "restart", "delay", "undelay", "stall", "resume", "partition", "heal", "drop", "duplicate",
                 "slow_network")
_FAULT_SETTINGS = ("agent", "seconds", "factor", "groups", "rate", "latency_s")
"""The keys of a `[[faults]]` entry besides action and its time; each action takes those its class has."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def non_finite(data: object) -> tuple[list[str | int], float] | None:
    """The key path and value of the first nan or inf in parsed TOML (any table, `[team.sim]` included), or None."""
    return next(iter(every_non_finite(data)), None)


def every_non_finite(data: object) -> list[tuple[list[str | int], float]]:
    """The key path and value of every nan or inf in parsed TOML, in the file's order."""
    found: list[tuple[list[str | int], float]] = []
    stack: list[tuple[list[str | int], object]] = [([], data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append((loc, value))
        if isinstance(value, dict):
            stack.extend(([*loc, k], v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(([*loc, i], v) for i, v in reversed(list(enumerate(value))))
    return found


def outside(name: str) -> str:
    """Why a file a scenario names is refused when it leaves the scenario's folder."""
    return (f"{name!r} is outside the scenario's folder; a scenario may name only files in its own folder (so a "
            "shared scenario cannot send your files to a model): copy the file next to the scenario")


class ScenarioMeta(_Strict):
    name: str = Field(min_length=1)
    """A short name shown in the UI, the run list and reports."""
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**62)
    """Same seed + sim backend + virtual clock => the same event log, byte for byte."""


class PromptFiles(_Strict):
    """Prompt files (Markdown, relative to the scenario file) replacing the packaged ones, per role."""

    lead: str | None = None
    worker: str | None = None
    peer: str | None = None


class TeamConfig(_Strict):
    size: int = Field(default=4, ge=1, le=64)
    architecture: str = "decentralized"
    execution: Literal["rounds", "async"] = "rounds"
    model: str = Field(default="sim", min_length=1)
    """"sim" for the built-in simulated team, "cassette:PATH" to replay recorded completions, or a litellm
    model id ("openai/gpt-4o-mini", "anthropic/claude-...", "ollama_chat/llama3.1", ...)."""
    api_base: str | None = None
    """An OpenAI-compatible server for the model (ollama, vLLM, llama.cpp): e.g. http://127.0.0.1:11434/v1."""
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """The environment variable holding the API key (default: the provider's usual one)."""
    protocol: Literal["tools", "tags"] = "tools"
    """How real models act: tool (function) calls, or the paper harness's reply tags."""
    prompts: PromptFiles = PromptFiles()
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int = Field(default=4096, ge=16, le=200_000)
    """Completion tokens a real model may produce per call."""
    timeout_s: float = Field(default=120.0, gt=0, le=3600)
    """A real model call that takes longer than this fails (and is retried)."""
    retries: int = Field(default=3, ge=0, le=10)
    """Retries (with exponential backoff) after a rate limit, time-out or server error."""
    history_turns: int = Field(default=6, ge=0, le=200)
    """Earlier turns a real-model agent sees in its conversation."""
    context_tokens: int | None = Field(default=None, ge=1024, le=10_000_000)
    """The model's context window in tokens: each request is trimmed to fit it (older turns first, then the
    observation's tail), keeping room for the reply. Default: what the server says (vLLM, llama-server), else
    no trimming."""
    parallel_calls: int | None = Field(default=None, ge=1, le=256)
    """At most this many calls in flight per server (api_base) at once; the rest wait their turn. 1 for a
    server that serves one call at a time (llama-cpp-python without --interrupt_requests False, ollama with
    one slot). Default: no limit."""
    consistency: Literal["none", "optimistic", "locking"] = "locking"
    lead_failover: Literal["none", "election"] = "election"
    """What a lead team does when its lead dies: nothing (work stops) or elect a new lead."""
    sim: SimConfig = SimConfig()

    @field_validator("architecture")
    @classmethod
    def _known_arch(cls, v: str) -> str:
        if v not in ARCHITECTURES:
            raise ValueError(f"unknown architecture; allowed: {', '.join(ARCHITECTURES)}")
        return v


class AgentOverride(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=24, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    role: Literal["lead", "worker", "peer"] | None = None
    model: str | None = None
    api_base: str | None = None
    """This agent's own OpenAI-compatible server (a team can mix a local model with a hosted one)."""
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    slowdown: float = Field(default=1.0, gt=0, le=100)
    """A built-in straggler: every LLM call of this agent takes this many times as long."""


class SubtaskDef(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    file: str = ""
    title: str = ""
    symbol: str = ""
    depends_on: list[str] = []
    work: float = Field(default=1.0, gt=0, le=100)
    spec: str = ""


class TaskConfig(_Strict):
    pack: str | None = None
    """A built-in pack (math_utils, data_analysis, svg_render) or a path to a pack directory."""
    p: float | str | None = None
    """0.2 | 0.5 | 0.9, or serial | mixed | parallel."""
    path: str | None = None
    """A task JSON file in the paper harness's format, relative to the scenario file."""
    subtasks: list[SubtaskDef] = []

    @field_validator("p")
    @classmethod
    def _p(cls, v: float | str | None) -> float | str | None:
        if isinstance(v, str) and v.lower() not in ("serial", "mixed", "parallel"):
            raise ValueError("must be a number or one of serial, mixed, parallel")
        if isinstance(v, float | int) and not 0 <= v <= 1:
            raise ValueError("must be between 0 and 1")
        return v

    @model_validator(mode="after")
    def _one_source(self) -> TaskConfig:
        given = [k for k, v in (("pack", self.pack), ("path", self.path), ("subtasks", self.subtasks)) if v]
        if len(given) != 1:
            raise ValueError(f"give exactly one of pack, path or [[task.subtasks]] (got {', '.join(given) or 'none'})")
        return self


class FaultDef(_Strict):
    action: Literal["kill", "restart", "delay", "undelay", "stall", "resume", "partition", "heal", "drop",
                    "duplicate", "slow_network"]
    at: float | None = Field(default=None, ge=0)
    """Run time in seconds."""
    round: int | None = Field(default=None, ge=1)
    """Or: at the start of this round (rounds execution)."""
    agent: str | int | None = None
    """An agent's name, its position counted from 1 (agent = 2), or a selector resolved when the fault fires:
    holder, lead, busiest, slowest, random (`teamtui.faults.aim.SELECTORS`)."""
    when: Literal["now", "holding"] | None = None
    """now (default): fire at the fault's time; holding: from then, wait until the target holds a subtask."""
    timeout_s: float | None = Field(default=None, gt=0, le=86_400)
    """when = "holding": give up (and record that) after this many run seconds of waiting (default 60)."""
    seconds: float | None = Field(default=None, gt=0)
    """How long the fault lasts (delay, stall, partition, drop, duplicate, slow_network)."""
    factor: float | None = Field(default=None, ge=1, le=1000)
    """delay: every call takes this many times as long."""
    groups: list[list[str | int]] | None = None
    """partition: the groups that can still talk among themselves (default: the agent alone)."""
    rate: float | None = Field(default=None, ge=0, le=1)
    """drop / duplicate: the probability per message."""
    latency_s: float | None = Field(default=None, ge=0)
    """slow_network: extra latency per message."""

    @model_validator(mode="after")
    def _when_and_who(self) -> FaultDef:
        if (self.at is None) == (self.round is None):
            raise ValueError("give exactly one of at (seconds) or round")
        if self.action in ("kill", "restart", "delay", "undelay", "stall", "resume") and self.agent is None:
            raise ValueError(f"{self.action} needs agent = a name, a position from 1 or a selector (holder, lead, ...)")
        if self.action == "partition" and self.agent is None and not self.groups:
            raise ValueError("partition needs agent = ... (to isolate it) or groups = [[...], [...]]")
        if self.action in ("drop", "duplicate") and self.rate is None:
            raise ValueError(f"{self.action} needs rate = a probability between 0 and 1")
        if self.action == "slow_network" and self.latency_s is None:
            raise ValueError("slow_network needs latency_s = extra seconds per message")
        if self.when is not None and self.agent is None:
            raise ValueError(f"when = {self.when!r} needs agent = a name, a position or a selector (holder, ...)")
        if self.timeout_s is not None and self.when != "holding":
            raise ValueError('timeout_s is how long when = "holding" waits; add when = "holding" or remove it')
        takes = [f.name for f in dataclasses.fields(FAULTS[self.action])]
        stray = [k for k in _FAULT_SETTINGS if getattr(self, k) is not None and k not in takes]
        if stray:
            raise ValueError(f"{self.action} does not take {' or '.join(stray)}; remove it ({self.action} takes "
                             f"{', '.join(takes) if takes else 'only at or round'})")
        return self


class BreakpointDef(_Strict):
    """Where the monitor pauses, and `run --headless` stops (exit code 3): `teamtui.core.breakpoints.KINDS`."""

    kind: Literal["conflict", "stall", "straggler", "recovery", "no_recovery", "test_failures", "cost", "message"]
    pattern: str | None = None
    """message: a regular expression an agent's message or reply must match ("/.../i" ignores case)."""
    times: int | None = Field(default=None, ge=1, le=1_000_000)
    """test_failures: stop when a subtask has failed its tests this many times (default 1)."""
    usd: float | None = Field(default=None, ge=0)
    """cost: stop once the run has cost more than this many dollars."""
    after_s: float | None = Field(default=None, gt=0)
    """no_recovery: stop when this long after a kill, the killed agent's work is not all reclaimed (default 30)."""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            breakpoints.build("message", pattern=v)
        return v

    @model_validator(mode="after")
    def _settings(self) -> BreakpointDef:
        breakpoints.build(self.kind, pattern=self.pattern, times=self.times, usd=self.usd, after_s=self.after_s)
        return self


class Limits(_Strict):
    max_rounds: int = Field(default=60, ge=1, le=100_000)
    max_time_s: float = Field(default=3600.0, gt=0)
    lease_s: float = Field(default=60.0, gt=0)
    """A claim not renewed for this long expires and can be reclaimed (decentralized)."""
    stall_after_s: float = Field(default=90.0, gt=0)
    """An agent with no progress for this long is stalled; a round stops waiting for it."""
    straggler_factor: float = Field(default=2.0, gt=1)
    """An agent whose call latency exceeds this multiple of the team median is a straggler."""
    budget_usd: float | None = Field(default=None, ge=0)
    """Real models: the run ends (status budget) once its calls have cost this much."""
    test_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    """A test run of model-written code is stopped after this long (and this much CPU time)."""
    test_memory_mb: int = Field(default=1024, ge=64, le=65_536)
    """Address-space limit of a test run of model-written code."""
    unsafe_host_exec: bool = False
    """Where this machine cannot sandbox test code (Landlock and user namespaces), run a real model's code on
    the host anyway, confined only by rlimits, instead of refusing to start (also `--unsafe-host-exec`)."""


class NetworkConfig(_Strict):
    latency_s: float = Field(default=0.05, ge=0, le=600)
    """One-way latency of every message."""


class SweepOverride(_Strict):
    """`[[sweep.overrides]]`: `[limits]` values for the cells that match every axis given here (a later entry
    wins over an earlier one), e.g. the round limit the paper's harness gave teams of one size."""

    architectures: list[str] | None = None
    sizes: str | int | list[int] | None = None
    p: list[float | str] | None = None
    packs: list[str] | None = None
    models: list[str] | None = None
    limits: Limits
    """Keys of [limits] (max_rounds, max_time_s, ...); only the keys given here change a cell's [limits]."""

    def given(self) -> dict[str, Any]:
        return self.limits.model_dump(include=self.limits.model_fields_set)

    @model_validator(mode="after")
    def _axes(self) -> SweepOverride:
        if not self.limits.model_fields_set:
            raise ValueError("an override needs at least one [limits] key, e.g. limits = { max_rounds = 30 }")
        if self.architectures is not None:
            axes.parse_architectures(self.architectures)
        if self.sizes is not None:
            axes.parse_sizes(self.sizes)
        if self.p is not None:
            axes.parse_ps(self.p)
        return self

    def matches(self, architecture: str, size: int, p: float, pack: str, model: str) -> bool:
        return ((self.architectures is None or architecture in axes.parse_architectures(self.architectures))
                and (self.sizes is None or size in axes.parse_sizes(self.sizes))
                and (self.p is None or any(abs(p - q) < 1e-9 for q in axes.parse_ps(self.p)))
                and (self.packs is None or pack in self.packs)
                and (self.models is None or model in self.models))


class SweepConfig(_Strict):
    """The grid `teamtui sweep FILE` runs (every combination of these); `teamtui run` ignores this table.
    An axis left out takes the one value the rest of the file gives (its [team] architecture, ...)."""

    sizes: str | int | list[int] = "1-5"
    """Team sizes: "1-5", "1,2,4" or a list. 1-agent baselines are added when 1 is missing."""
    architectures: list[str] | None = None
    executions: list[str] | None = None
    p: list[float | str] | None = None
    """Dependency variants: 0.2, 0.5, 0.9 (or serial, mixed, parallel); each inside (0, 1)."""
    packs: list[str] | None = None
    models: list[str] | None = None
    trials: int = Field(default=3, ge=1, le=10_000)
    """Runs per grid point; trial i runs with seed = [scenario] seed + i."""
    faults: list[str] = ["none"]
    """Fault conditions: "none", or ACTION[:AGENT]@SECONDS[+DURATION][xFACTOR], e.g. "stall:1@40+30"."""
    overrides: list[SweepOverride] = []
    """Per-cell [limits] values (`[[sweep.overrides]]`)."""

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, v: str | int | list[int]) -> str | int | list[int]:
        axes.parse_sizes(v)
        return v

    @field_validator("architectures")
    @classmethod
    def _archs(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            axes.parse_architectures(v)
        return v

    @field_validator("executions")
    @classmethod
    def _execs(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            axes.parse_executions(v)
        return v

    @field_validator("p")
    @classmethod
    def _ps(cls, v: list[float | str] | None) -> list[float | str] | None:
        if v is not None:
            axes.parse_ps(v)
        return v

    @field_validator("packs", "models")
    @classmethod
    def _nonempty(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            axes.parse_names(v, "values")
        return v

    @field_validator("faults")
    @classmethod
    def _faults(cls, v: list[str]) -> list[str]:
        axes.parse_faults(v)
        return v


class ScenarioFile(_Strict):
    """The whole file."""

    scenario: ScenarioMeta
    team: TeamConfig = TeamConfig()
    agents: list[AgentOverride] = []
    task: TaskConfig
    faults: list[FaultDef] = []
    breakpoints: list[BreakpointDef] = []
    limits: Limits = Limits()
    network: NetworkConfig = NetworkConfig()
    sweep: SweepConfig | None = None
