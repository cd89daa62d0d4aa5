"""The reducer itself: what it may import, that its memory stays bounded on a long run, and its snapshot format."""

from __future__ import annotations

import ast
import sys
from functools import cache

import msgspec
import pytest

from teamtui.core import events as ev
from teamtui.core.failures import INCIDENTS
from teamtui.core.fold import UNIT_TIMES
from teamtui.core.state import FORMAT, RunState
from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario

from ..conftest import ROOT

REDUCER = ("state", "fold", "failures", "parts")
ALLOWED = {"teamtui.core", "teamtui.core.events", *(f"teamtui.core.{m}" for m in REDUCER), "msgspec", "__future__"}


@pytest.mark.parametrize("module", REDUCER)
def test_the_reducer_imports_only_the_event_vocabulary_the_standard_library_and_msgspec(module: str) -> None:
    tree = ast.parse((ROOT / "teamtui" / "core" / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.module is not None and node.level == 0
            names.add(node.module)
    foreign = {n for n in names if n not in ALLOWED and n.split(".")[0] not in sys.stdlib_module_names}
    assert foreign == set()


@cache
def _quickstart() -> tuple[ev.Event, ...]:
    return tuple(run_events(load_scenario(ROOT / "scenarios" / "quickstart.toml")))


def _repeated(n: int) -> list[ev.Event]:
    """The quickstart run's body repeated with fresh seq and t (rounds start again at 1 each time)."""
    run = _quickstart()
    body, span = run[1:-1], run[-1].t + 1.0
    out: list[ev.Event] = [run[0]]
    k = 0
    while len(out) < n:
        out += [msgspec.structs.replace(e, seq=len(out) + i, t=e.t + k * span) for i, e in enumerate(body)]
        k += 1
    return out[:n]


def test_memory_stays_bounded_on_a_long_rounds_run() -> None:
    events = _repeated(60_000)
    state = RunState()
    sizes = {}
    for i, e in enumerate(events, 1):
        state.apply(e)
        if i in (20_000, 60_000):
            sizes[i] = len(state.snapshot())
    assert len(state.incidents) <= 2 * INCIDENTS and len(state.incident_list()) == INCIDENTS
    assert len(state.unit_times) <= 2 * UNIT_TIMES
    assert state.rounds_mode and state.attempts == [] and state.latencies == []  # async-only history
    assert len(state.by_round) == max(e.round for e in events if isinstance(e, ev.RoundStarted))
    # what grows is a few numbers per fault and per 5 s of run time (recoveries, throughput bins)
    assert sizes[60_000] < 1.5 * sizes[20_000]


def test_what_came_before_the_first_round_is_its_round_zero() -> None:
    start = _quickstart()[0]
    write = [ev.FileWritten(seq=i, t=0.0, agent=a, path="x.py", task="", version=i, base_version=0, size=1)
             for i, a in ((1, "ada"), (2, "bob"))]
    state = RunState.of([start, *write])
    assert not state.rounds_mode and len(state.attempts) == 2 and state.concurrent_writes() == 1
    state.apply(ev.RoundStarted(seq=3, t=0.0, round=1, waiting_on=()))
    assert state.rounds_mode and state.attempts == [] and state.concurrent_writes() == 1
    state.apply(msgspec.structs.replace(write[0], seq=4, t=1.0))
    assert state.rewrites() == 1  # x.py was first written in round 0


def test_a_snapshot_carries_its_format_and_round_trips() -> None:
    state = RunState.of(_quickstart())
    blob = state.snapshot()
    assert msgspec.msgpack.decode(blob)["format"] == FORMAT
    back = RunState.restore(blob)
    assert back == state and back is not state
    assert back.recoveries[0].reclaim_s == state.recoveries[0].reclaim_s is not None
