"""The fault vocabulary: one frozen class per fault a run can suffer, and `Scheduled`, when a scenario applies one.

Each class knows its `action` (the word scenario files use and `FaultInjected.fault` records) and its
`params` (what `FaultInjected.params` records: the settings that were given, in one fixed key order:
seconds, factor, rate, latency_s, groups). `target` is the agent a fault is aimed at ("" for the network).
The monitor builds them (`engine.inject(Kill("bob"))`), `teamtui.scenario.load` resolves `[[faults]]`
into them, and the nemesis applies them. Whoever builds one, its settings are checked when it is built
(finite, and in the ranges a scenario file allows: `MAX_DELAY_FACTOR`...), so a value such as nan or inf
can never reach the engine, the event log or a stored run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

MAX_DELAY_FACTOR = 1000.0
"""The largest delay factor (the scenario file's bound too)."""


def _given(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _check(action: str, name: str, value: float | None, lo: float, hi: float = math.inf,
           lo_open: bool = False) -> None:
    """Refuse a setting that is not a finite number in [lo, hi] ((lo, hi] with `lo_open`), in one sentence."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{action}: {name} must be a finite number, not {value!r}")
    if value < lo or (lo_open and value == lo) or value > hi:
        low = f"above {lo:g}" if lo_open else f"at least {lo:g}"
        raise ValueError(f"{action}: {name} must be {low}" + (f" and at most {hi:g}" if hi < math.inf else "")
                         + f", not {value:g}")


class _Fault:
    """What every fault answers: its action name, its recorded parameters and the agent it is aimed at."""

    action: ClassVar[str]

    @property
    def params(self) -> dict[str, Any]:
        return {}

    @property
    def target(self) -> str:
        return ""


@dataclass(frozen=True)
class _AgentFault(_Fault):
    agent: str

    @property
    def target(self) -> str:
        return self.agent


@dataclass(frozen=True)
class Kill(_AgentFault):
    """The agent dies: its call is abandoned, its inbox lost; what it held must be reclaimed."""

    action: ClassVar[str] = "kill"


@dataclass(frozen=True)
class Restart(_AgentFault):
    """The agent (killed first if alive) rejoins as a new incarnation with empty memory."""

    action: ClassVar[str] = "restart"


@dataclass(frozen=True)
class Delay(_AgentFault):
    """Every call of the agent takes `factor` times as long (default 3, or 1 with `latency_s`) plus
    `latency_s` seconds, for `seconds` (None: until restarted)."""

    action: ClassVar[str] = "delay"
    factor: float | None = None
    seconds: float | None = None
    latency_s: float | None = None

    def __post_init__(self) -> None:
        _check("delay", "factor", self.factor, 1.0, MAX_DELAY_FACTOR)
        _check("delay", "seconds", self.seconds, 0.0, lo_open=True)
        _check("delay", "latency_s", self.latency_s, 0.0)

    @property
    def params(self) -> dict[str, Any]:
        return _given(seconds=self.seconds, factor=self.factor, latency_s=self.latency_s)


@dataclass(frozen=True)
class Undelay(_AgentFault):
    """The agent's delay ends now (it runs at its own speed again); nothing happens if it has none."""

    action: ClassVar[str] = "undelay"


@dataclass(frozen=True)
class Stall(_AgentFault):
    """The agent freezes at the end of its current call, for `seconds` (None: until resumed)."""

    action: ClassVar[str] = "stall"
    seconds: float | None = None

    def __post_init__(self) -> None:
        _check("stall", "seconds", self.seconds, 0.0, lo_open=True)

    @property
    def params(self) -> dict[str, Any]:
        return _given(seconds=self.seconds)


@dataclass(frozen=True)
class Resume(_AgentFault):
    """A stalled agent goes on."""

    action: ClassVar[str] = "resume"


@dataclass(frozen=True)
class Partition(_Fault):
    """Only agents in the same group can talk: `groups` (agents in none form one more group), or, without
    groups, `agent` alone against the rest; for `seconds` (None: until healed)."""

    action: ClassVar[str] = "partition"
    groups: tuple[tuple[str, ...], ...] = ()
    seconds: float | None = None
    agent: str = ""

    def __post_init__(self) -> None:
        _check("partition", "seconds", self.seconds, 0.0, lo_open=True)

    @property
    def params(self) -> dict[str, Any]:
        out = _given(seconds=self.seconds)
        if self.groups:
            out["groups"] = [list(g) for g in self.groups]
        return out

    @property
    def target(self) -> str:
        return self.agent


@dataclass(frozen=True)
class Heal(_Fault):
    """Every partition ends."""

    action: ClassVar[str] = "heal"


@dataclass(frozen=True)
class _LinkRate(_Fault):
    """A fault on every link that hits each message to each recipient with probability `rate`."""

    rate: float
    seconds: float | None = None

    def __post_init__(self) -> None:
        _check(self.action, "rate", self.rate, 0.0, 1.0)
        _check(self.action, "seconds", self.seconds, 0.0, lo_open=True)

    @property
    def params(self) -> dict[str, Any]:
        return _given(seconds=self.seconds, rate=self.rate)


@dataclass(frozen=True)
class Drop(_LinkRate):
    """Each message to each recipient is lost with probability `rate`, for `seconds` (None: for good)."""

    action: ClassVar[str] = "drop"


@dataclass(frozen=True)
class Duplicate(_LinkRate):
    """Each message to each recipient arrives twice with probability `rate`, for `seconds` (None: for good)."""

    action: ClassVar[str] = "duplicate"


@dataclass(frozen=True)
class SlowNetwork(_Fault):
    """Every message takes `latency_s` more seconds, for `seconds` (None: for good)."""

    action: ClassVar[str] = "slow_network"
    latency_s: float
    seconds: float | None = None

    def __post_init__(self) -> None:
        _check("slow_network", "latency_s", self.latency_s, 0.0)
        _check("slow_network", "seconds", self.seconds, 0.0, lo_open=True)

    @property
    def params(self) -> dict[str, Any]:
        return _given(seconds=self.seconds, latency_s=self.latency_s)


Fault = Kill | Restart | Delay | Undelay | Stall | Resume | Partition | Heal | Drop | Duplicate | SlowNetwork

FAULTS: dict[str, type[Fault]] = {cls.action: cls for cls in Fault.__args__}  # type: ignore[attr-defined]
"""Each fault class by its action name."""


@dataclass(frozen=True)
class Scheduled:
    """A fault of a scenario's schedule: applied at run time `at` seconds, or at the start of round `round`.

    `aim` is a selector (`teamtui.faults.aim.SELECTORS`) the nemesis resolves when the fault fires (the fault's own
    agent is then a placeholder); `when = "holding"` waits from that moment until the target holds a subtask, for
    at most `timeout_s` run seconds, then fires (or records that it gave up)."""

    fault: Fault
    at: float | None = None
    round: int | None = None
    aim: str = ""
    when: str = "now"
    timeout_s: float | None = None

