"""A resolved scenario, ready to run: the frozen `Scenario`, its agents, scheduled faults and test limits.

`teamtui.scenario.load` builds these from a validated file; everything that runs a scenario (the engine,
the LLM backends, the recorder, sweeps) reads them and nothing else of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from teamtui.core.breakpoints import Breakpoint
from teamtui.core.faults import Scheduled
from teamtui.scenario.simconfig import SimConfig
from teamtui.scenario.tasks import TaskGraph


@dataclass(frozen=True)
class TestLimits:
    """What code under test may use (from `[limits]` in the scenario)."""

    __test__ = False  # not a pytest test class
    timeout_s: float = 120.0
    memory_mb: int = 1024
    file_mb: int = 64


@dataclass(frozen=True)
class AgentSpec:
    """One resolved agent."""

    name: str
    role: str
    model: str
    slowdown: float = 1.0
    api_base: str | None = None
    """Where this agent's model is served (its own [[agents]] api_base, else [team] api_base)."""
    api_key_env: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run (see `teamtui.scenario.model` for every key and default)."""

    name: str
    description: str
    seed: int
    architecture: str
    execution: str
    consistency: str
    model: str
    api_base: str | None
    lead_failover: str
    agents: tuple[AgentSpec, ...]
    task: TaskGraph
    faults: tuple[Scheduled, ...]
    sim: SimConfig
    max_rounds: int
    max_time_s: float
    lease_s: float
    stall_after_s: float
    straggler_factor: float
    budget_usd: float | None
    latency_s: float
    source: str = ""
    text: str = ""
    api_key_env: str | None = None
    protocol: str = "tools"
    prompts: tuple[tuple[str, str], ...] = ()
    """(role, prompt text) pairs replacing the packaged prompts."""
    temperature: float | None = None
    max_tokens: int = 4096
    timeout_s: float = 120.0
    retries: int = 3
    history_turns: int = 6
    context_tokens: int | None = None
    """The model's context window (`[team] context_tokens`); None: ask the server, else do not trim."""
    parallel_calls: int | None = None
    """At most this many calls in flight per server (`[team] parallel_calls`); None: no limit."""
    test_limits: TestLimits = field(default_factory=TestLimits)
    record_llm: str | None = None
    """Where to record every completion of a real-model run (`--record-llm`); not a scenario key."""
    unsafe_host_exec: bool = False
    """Run model-written code on the host where no sandbox works (`[limits]` key or `--unsafe-host-exec`)."""
    breakpoints: tuple[Breakpoint, ...] = ()
    """`[[breakpoints]]`: where the monitor pauses and `run --headless` stops."""

    @property
    def size(self) -> int:
        return len(self.agents)

    @property
    def workers(self) -> int:
        """Agents that do subtasks (all but a lead)."""
        return sum(1 for a in self.agents if a.role != "lead")
