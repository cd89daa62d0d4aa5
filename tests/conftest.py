"""Shared fixtures: scenario text -> Scenario, and a virtual-clock engine runner."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.clock import VirtualClock, run_virtual
from teamtui.launch import new_engine
from teamtui.llm.base import LLMBackend
from teamtui.runtime.engine import Engine
from teamtui.scenario.load import parse_scenario
from teamtui.scenario.spec import Scenario

ROOT = Path(__file__).resolve().parent.parent

CHAIN5 = """
[task]
[[task.subtasks]]
id = "a"
[[task.subtasks]]
id = "b"
depends_on = ["a"]
[[task.subtasks]]
id = "c"
[[task.subtasks]]
id = "d"
[[task.subtasks]]
id = "e"
depends_on = ["b"]
"""


def scenario_from(text: str, path: Path | None = None) -> Scenario:
    return parse_scenario(textwrap.dedent(text), path or ROOT / "tests" / "inline.toml")


def run_cli(*args: str, cwd: Path = ROOT, db: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `teamtui` command in a subprocess, with a clean environment (and `--db DB` when given)."""
    return subprocess.run([sys.executable, "-m", "teamtui", *args, *(["--db", str(db)] if db else [])], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "CI": "true"})


def solo_scenario(name: str, max_rounds: int) -> Scenario:
    """One agent, pre-assigned, one inline subtask "a": the smallest team a test can drive."""
    return scenario_from(f"""
        [scenario]
        name = "{name}"
        [team]
        size = 1
        architecture = "preassigned"
        [task]
        [[task.subtasks]]
        id = "a"
        [limits]
        max_rounds = {max_rounds}
    """)


def run_engine(s: Scenario, backend: LLMBackend | None = None,
               during: Callable[[Engine], None] | None = None) -> tuple[Engine, list[ev.Event]]:
    async def main() -> tuple[Engine, list[ev.Event]]:
        engine = new_engine(s, VirtualClock(), backend=backend)
        if during is not None:
            during(engine)
        events = await engine.run()
        if engine.error is not None:
            raise engine.error
        return engine, events

    return run_virtual(main())


def kinds(events: list[ev.Event]) -> list[str]:
    return [e.kind for e in events]


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    return scenario_from
