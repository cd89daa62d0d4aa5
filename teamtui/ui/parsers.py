"""What the monitor's prompts accept: strict parsers from typed text to a fault, a time or an agent, one line of
reason when they refuse.

Every prompt (`d` delay, `g` partition groups, `f` focus an agent, replay's `t` seek, the `/` log filter)
goes through one function here; none imports Textual, so the property tests drive them directly. A number
is plain decimal (`20`, `2.5`, `1e3`), never `nan`, `inf`, hex or `1_000`, and must be finite and within
the stated bounds; a unit may follow after a space (`20 s`). What a parser accepts is always a value the
engine can run and the event log can store: a prompt can never put a run beyond reading back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from teamtui.core.faults import MAX_DELAY_FACTOR, Delay, Undelay
from teamtui.core.printable import shown

DEFAULT_DELAY = "3x 20s"
MAX_SECONDS = 86_400.0
"""The longest delay a prompt sets: a day of run time (a run that long is its own problem)."""
MAX_LATENCY_S = 3_600.0
"""The most extra latency per call a prompt adds: an hour."""
CLEAR_WORDS = frozenset({"clear", "off", "none", "normal", "stop", "undelay"})
"""What `d` takes to end an agent's delay."""

_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DELAY_TOKEN = re.compile(rf"(?P<plus>\+)?\s*(?P<num>{_NUMBER})\s*(?P<unit>x|×|s|secs?|seconds?)?(?!\.|[^\W\d])",
                          re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,]*")
_SECONDS = re.compile(rf"\s*(?P<num>{_NUMBER})\s*(?:s|secs?|seconds?)?\s*", re.IGNORECASE)
_CLOCK = re.compile(r"\s*(?P<m>[0-9]{1,6}):(?P<s>[0-5]?[0-9](?:\.[0-9]*)?)\s*")


def number(text: str, what: str) -> float:
    """A plain decimal number that is finite (`1e999` overflows to inf and is refused)."""
    if not re.fullmatch(_NUMBER, text):
        raise ValueError(f"'{shown(text)}' is not a number; write {what} as digits, e.g. 20 or 2.5")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"'{shown(text)}' is too large for {what}")
    return value


def parse_delay(text: str, agent: str = "") -> Delay | Undelay:
    """'3x 20s' -> factor 3 for 20 s; '+5s' -> 5 s extra per call; 'clear' -> the delay ends; empty -> 3x 20s."""
    text = text.strip()
    if text.lower() in CLEAR_WORDS:
        return Undelay(agent)
    out: dict[str, float] = {}
    pos = 0
    source = text or DEFAULT_DELAY
    while True:
        pos = _SEPARATORS.match(source, pos).end()  # type: ignore[union-attr]  # [\s,]* always matches
        if pos >= len(source):
            break
        m = _DELAY_TOKEN.match(source, pos)
        if m is None:
            word = source[pos:].split()[0]
            raise ValueError(f"'{shown(word)}' is not a delay; write e.g. 3x, 20s, +5s or clear")
        unit = (m["unit"] or "").lower()
        key = ("latency_s" if m["plus"] else "seconds" if unit.startswith("s") else "factor")
        if m["plus"] and not unit.startswith("s"):
            raise ValueError(f"'{shown(m[0].strip())}': extra latency is in seconds, e.g. +5s")
        if key in out:
            if not unit and not m["plus"]:
                raise ValueError(f"'{m['num']}' needs a unit: {m['num']}s for a duration, {m['num']}x for a factor")
            raise ValueError(f"the {_NAMES[key]} is given twice; give it once, e.g. 3x 20s")
        out[key] = number(m["num"], f"the {_NAMES[key]}")
        pos = m.end()
    factor, seconds, latency = out.get("factor"), out.get("seconds"), out.get("latency_s")
    if factor is not None and not 1 <= factor <= MAX_DELAY_FACTOR:
        raise ValueError(f"a delay factor must be from 1 to {MAX_DELAY_FACTOR:g} (3x = three times slower), "
                         f"not {factor:g}")
    if factor == 1 and not latency:
        raise ValueError("1x is the agent's own speed: it changes nothing; type clear to end a delay")
    if seconds is not None and not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"a delay lasts more than 0 and at most {MAX_SECONDS:g} s, not {seconds:g} s")
    if latency is not None and not 0 < latency <= MAX_LATENCY_S:
        raise ValueError(f"extra latency must be more than 0 and at most {MAX_LATENCY_S:g} s, not {latency:g} s")
    return Delay(agent, factor=factor, seconds=seconds, latency_s=latency)


_NAMES = {"factor": "factor (3x)", "seconds": "duration (20s)", "latency_s": "extra latency (+5s)"}


def parse_agent(text: str, agents: Sequence[str]) -> str:
    """An agent by its position from 1 (`10`) or its name (exact, or case aside when that is unique)."""
    word = text.strip()
    if not agents:
        raise ValueError("no agent to focus yet: the team is starting")
    if word.isascii() and word.isdigit():
        i = int(word) if len(word) <= 6 else 0
        if 1 <= i <= len(agents):
            return agents[i - 1]
        raise ValueError(f"agent numbers go from 1 to {len(agents)}, not {shown(word[:12])}")
    if word in agents:
        return word
    folded = [a for a in agents if a.casefold() == word.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ValueError(f"no agent named '{shown(word[:40])}'; give a number from 1 to {len(agents)} or one of "
                     f"{', '.join(shown(a) for a in agents)}")


def parse_groups(text: str, agents: Sequence[str], focused: str) -> tuple[tuple[str, ...], ...]:
    """'ada,bob | cy' -> the groups (the rest form a last group); agents by name or number; empty -> isolate
    the focused agent."""
    if not text.strip():
        if focused not in agents:
            raise ValueError("no agent to isolate yet: the team is starting")
        return ((focused,), tuple(a for a in agents if a != focused))
    groups = [tuple(parse_agent(n, agents) for n in part.split(",") if n.strip()) for part in text.split("|")]
    named = [n for g in groups for n in g]
    if len(set(named)) != len(named):
        twice = next(n for n in named if named.count(n) > 1)
        raise ValueError(f"{shown(twice)} is named twice; an agent may be in only one group")
    rest = tuple(a for a in agents if a not in named)
    if rest:
        groups.append(rest)
    groups = [g for g in groups if g]
    if len(groups) < 2:
        raise ValueError("a partition needs at least two groups, e.g. ada,bob | cy,dee")
    return tuple(groups)


def parse_seek(text: str, end: float) -> float:
    """A run time from 0 to `end`: seconds (`42`, `42.5 s`) or minutes:seconds (`1:30`)."""
    clock = _CLOCK.fullmatch(text)
    if clock is not None:
        value = int(clock["m"]) * 60 + float(clock["s"])
    else:
        m = _SECONDS.fullmatch(text)
        if m is None:
            raise ValueError(f"'{shown(text.strip()[:40])}' is not a time; write seconds (42, 42.5s) or m:ss (1:30)")
        value = number(m["num"], "the time")
    if not 0 <= value <= end:
        raise ValueError(f"the run lasted {end:.1f} s; give a time from 0 to that, not {value:g}")
    return value


def filter_problem(words: Iterable[str], agents: Sequence[str], kinds: Iterable[str]) -> str:
    """Why a log filter can match nothing ("" when it can): an unknown agent or an event kind no event has."""
    known = [k.lower() for k in kinds]
    for w in words:
        if w.startswith("agent:") and w[6:] not in agents:
            return (f"no agent named '{shown(w[6:][:40])}' (agents: {', '.join(shown(a) for a in agents)})"
                    if w[6:] else "agent: needs a name, e.g. agent:bob")
        if w.startswith("kind:") and not any(w[5:].lower() in k for k in known):
            return f"no event kind contains '{shown(w[5:][:40])}' (e.g. kind:Conflict, kind:Killed)"
    return ""
