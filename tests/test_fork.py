"""Runs again from their records: rerun replays keyboard faults; fork re-executes a prefix and changes course."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from teamtui.core import events as ev
from teamtui.core.faults import Fault, Stall
from teamtui.launch import Run
from teamtui.scenario.spec import Scenario
from teamtui.store.reader import list_runs, load_events

from .conftest import ROOT, run_cli, scenario_from

QUICK = ROOT / "scenarios" / "quickstart.toml"
SIM = """
[scenario]
name = "forkable"
seed = 5
[team]
size = 3
architecture = "decentralized"
[team.sim]
verify = "model"
[task]
pack = "math_utils"
p = 0.5
[[faults]]
at = 12
action = "kill"
agent = "bob"
[[faults]]
at = 30
action = "delay"
agent = "cy"
factor = 3.0
seconds = 10.0
"""


def keyboard_run(db: Path, scenario: Scenario, presses: list[tuple[float, Fault]]) -> str:
    """Record a run as the monitor makes one: on the paced virtual clock, with faults injected from another thread
    (as a key press does) while the run's loop waits at run time `t`. The clock moves only when told (manual)."""
    run = Run(scenario, speed=1.0, db=db, baselines=False)
    assert run.pace is not None
    run.pace.manual = True
    run.start()
    for t, fault in presses:
        for _ in range(6000):  # the loop also parks while its recorder opens (a thread): wait for the engine
            run.pace.advance_to(t)  # the virtual loop starts at 0, so run time is loop time
            assert run.pace.reached.wait(60), "the run's loop did not park"
            if run.engine.events and len(run.engine.events) > 1 and run.pace.reached.is_set():
                break
            time.sleep(0.01)
        done = threading.Event()
        run.inject(fault, "user")
        assert run._loop is not None
        run._loop.call_soon_threadsafe(done.set)
        assert done.wait(60)
    run.pace.advance_to(1e9)
    outcome = run.wait(120)
    assert outcome is not None and outcome.run_id is not None, run.failure
    return outcome.run_id


def fault_rows(db: Path, run_id: str) -> list[bytes]:
    return [ev.encode(e) for e in load_events(db, run_id) if isinstance(e, ev.FaultInjected)]


def test_rerun_replays_keyboard_faults_at_the_same_instant(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    original = keyboard_run(db, scenario_from(SIM), [(7.0, Stall("ada", seconds=15.0))])
    faults = fault_rows(db, original)
    assert any(b'"source":"user"' in f for f in faults) and len(faults) == 3
    proc = run_cli("rerun", original, "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    again = list_runs(db)[0].id
    assert again != original
    assert fault_rows(db, again) == faults  # the same faults, at the same seq and run time, from the same source
    assert [ev.encode(e) for e in load_events(db, again)] == [ev.encode(e) for e in load_events(db, original)]


def test_rerun_size_that_removes_a_faulted_agent_is_an_error_naming_the_fault(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    original = keyboard_run(db, scenario_from(SIM), [(7.0, Stall("cy", seconds=5.0))])
    proc = run_cli("rerun", original, "--size", "2", db=db)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--size 2 removes cy" in proc.stderr and "fault 2 (schedule delay cy at 30 s)" in proc.stderr
    assert "--size 3 or more" in proc.stderr
    assert len(list_runs(db)) == 1  # nothing ran
