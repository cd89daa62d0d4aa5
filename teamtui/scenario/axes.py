"""Parsing and checking the axes of a sweep grid (team sizes, p, architectures, fault conditions).

Each parser takes what a person typed (a CLI option or a `[sweep]` value) and returns canonical values,
or raises `ValueError` with a message that says what is wrong and how to write it instead. The scenario
model and the `teamtui sweep` options both use these, so a bad grid reads the same from either place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teamtui.scenario.architectures import ARCHITECTURES

P_ALIASES = {"serial": 0.2, "mixed": 0.5, "parallel": 0.9}
FAULT_ACTIONS = ("stall", "delay", "kill")
_NUM = r"\d+(?:\.\d+)?"
_FAULT = re.compile(rf"^(?P<action>[a-z_]+)(?::(?P<agent>\d+))?@(?P<at>{_NUM})s?(?:\+(?P<seconds>{_NUM})s?)?"
                    rf"(?:x(?P<factor>{_NUM}))?$")


def parse_sizes(value: str | int | list[int]) -> tuple[int, ...]:
    """`"1-5"`, `"1,2,4"`, `"1-3,5"`, `3` or `[1, 2, 3]` -> sorted distinct sizes, each at least 1."""
    if isinstance(value, bool):
        raise ValueError("team sizes must be numbers, e.g. 1-5")
    if isinstance(value, int):
        items: list[int] = [value]
    elif isinstance(value, list):
        items = list(value)
    else:
        items = []
        for part in str(value).replace(" ", "").split(","):
            if not part:
                continue
            m = re.fullmatch(r"(-?\d+)(?:-(-?\d+))?", part)
            if m is None:
                raise ValueError(f'"{part}" is not a size or a range; write e.g. 1-5 or 1,2,4')
            low, high = int(m.group(1)), int(m.group(2) or m.group(1))
            if high < low:
                raise ValueError(f'"{part}" is an empty range; write LOW-HIGH with LOW <= HIGH, e.g. 1-5')
            items.extend(range(low, high + 1))
    if not items:
        raise ValueError("no team sizes given; write e.g. 1-5")
    for n in items:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1 or n > 64:
            raise ValueError(f"team size {n!r} is out of range; sizes run from 1 to 64")
    return tuple(sorted(set(items)))


def parse_ps(values: list[float | str] | str) -> tuple[float, ...]:
    """`"0.2,0.5,0.9"`, aliases (serial, mixed, parallel) or a list -> distinct p values inside (0, 1)."""
    items: list[float | str] = ([v for v in values.replace(" ", "").split(",") if v]
                                if isinstance(values, str) else list(values))
    if not items:
        raise ValueError("no p values given; write e.g. 0.2,0.5,0.9")
    out: list[float] = []
    for v in items:
        if isinstance(v, str) and v.lower() in P_ALIASES:
            p = P_ALIASES[v.lower()]
        else:
            try:
                p = float(v)
            except (TypeError, ValueError):
                raise ValueError(f'p "{v}" is not a number; use a value in (0, 1) or serial, mixed, parallel') from None
        if not 0 < p < 1:
            raise ValueError(f"p = {v} is outside (0, 1); the parallel fraction must be between 0 and 1, e.g. 0.5")
        if p not in out:
            out.append(p)
    return tuple(out)


def parse_names(values: list[str] | str, what: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """A comma-separated string or a list of names -> distinct names (checked against `allowed` if given)."""
    items = [v.strip() for v in (values.split(",") if isinstance(values, str) else values) if v.strip()]
    if not items:
        raise ValueError(f"no {what} given")
    for v in items:
        if allowed is not None and v not in allowed:
            one = what[:-1] if what.endswith("s") else what
            raise ValueError(f'unknown {one} "{v}"; allowed: {", ".join(allowed)}')
    return tuple(dict.fromkeys(items))


def parse_architectures(values: list[str] | str) -> tuple[str, ...]:
    return parse_names(values, "architectures", tuple(ARCHITECTURES))


def parse_executions(values: list[str] | str) -> tuple[str, ...]:
    return parse_names(values, "executions", ("rounds", "async"))


@dataclass(frozen=True)
class FaultCondition:
    """One fault condition of a grid: an action on agent `agent` (a position from 1) at `at` seconds."""

    action: str
    agent: int
    at: float
    seconds: float | None = None
    factor: float | None = None

    @property
    def label(self) -> str:
        out = f"{self.action}:{self.agent}@{self.at:g}"
        if self.seconds is not None:
            out += f"+{self.seconds:g}"
        if self.factor is not None:
            out += f"x{self.factor:g}"
        return out

    def to_toml(self) -> dict[str, object]:
        """The `[[faults]]` entry of a cell's scenario."""
        out: dict[str, object] = {"at": self.at, "action": self.action, "agent": self.agent}
        if self.seconds is not None:
            out["seconds"] = self.seconds
        if self.factor is not None:
            out["factor"] = self.factor
        return out


FAULT_HELP = ('write none, or ACTION[:AGENT]@SECONDS[+DURATION][xFACTOR] with ACTION stall, delay or kill, '
              'e.g. stall:1@40+30 or delay:2@40+60x4')


def parse_fault(text: str) -> FaultCondition | None:
    """`none` -> None; `stall:1@40+30` -> agent 1 stalled at 40 s for 30 s; `delay:2@40+60x4` -> agent 2
    four times slower from 40 s for 60 s; `kill:1@30` -> agent 1 killed at 30 s."""
    t = text.strip().lower()
    if t == "none":
        return None
    m = _FAULT.fullmatch(t)
    if m is None:
        raise ValueError(f'fault condition "{text}" cannot be read; {FAULT_HELP}')
    action = m.group("action")
    if action not in FAULT_ACTIONS:
        raise ValueError(f'fault condition "{text}": unknown action "{action}"; {FAULT_HELP}')
    agent = int(m.group("agent") or 1)
    if agent < 1:
        raise ValueError(f'fault condition "{text}": agents are counted from 1')
    seconds = float(m.group("seconds")) if m.group("seconds") else None
    factor = float(m.group("factor")) if m.group("factor") else None
    if seconds is not None and seconds <= 0:
        raise ValueError(f'fault condition "{text}": the duration must be more than 0 seconds')
    if action == "delay" and (factor is None or factor < 1):
        raise ValueError(f'fault condition "{text}": a delay needs a factor of at least 1, e.g. delay:1@40+60x4')
    if action != "delay" and factor is not None:
        raise ValueError(f'fault condition "{text}": only delay takes a factor (x...)')
    if action == "kill" and seconds is not None:
        raise ValueError(f'fault condition "{text}": a kill has no duration; write kill:1@30')
    return FaultCondition(action, agent, float(m.group("at")), seconds, factor)


def parse_faults(values: list[str] | str) -> tuple[str, ...]:
    """Fault conditions -> their canonical labels ("none" first if given)."""
    items = [v.strip() for v in (values.split(";") if isinstance(values, str) else values) if v.strip()]
    if not items:
        raise ValueError("no fault conditions given; write none, or e.g. none;stall:1@40+30")
    labels = []
    for v in items:
        cond = parse_fault(v)
        labels.append("none" if cond is None else cond.label)
    return tuple(dict.fromkeys(labels))
