"""Runs again from their records: rerun replays keyboard faults; fork re-executes a prefix and changes course."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.faults import Fault, Stall
from teamtui.launch import Run, run_events
from teamtui.scenario.spec import Scenario
from teamtui.store.reader import list_runs, load_events
from teamtui.store.schema import SCHEMA_VERSION
from teamtui.store.writer import record_run

from .conftest import run_cli, scenario_from

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


def payloads(db: Path, run_id: str) -> list[bytes]:
    """The stored event rows' payloads, as the database holds them."""
    with sqlite3.connect(db) as conn:
        return [bytes(r[0]) for r in conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (run_id,))]


def parent_run(db: Path, text: str = SIM) -> str:
    sc = scenario_from(text)
    return record_run(db, sc, run_events(sc), None)


def fork(db: Path, *args: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    proc = run_cli("fork", *args, db=db)
    assert proc.returncode == 0, proc.stderr
    return list_runs(db)[0].id, proc


def test_a_fork_repeats_its_parents_log_byte_for_byte_then_kills_at_the_fork_point(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    at = 60
    child, proc = fork(db, parent, "--at", str(at), "--add-fault", "kill:ada")
    a, b = payloads(db, parent), payloads(db, child)
    first = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    assert first > at and a[:first] == b[:first]  # the prefix, byte for byte, up to (at least) the fork point
    kill = ev.decode(b[first])
    assert isinstance(kill, ev.FaultInjected) and (kill.fault, kill.agent, kill.source) == ("kill", "ada", "fork")
    assert kill.t == ev.decode(b[first - 1]).t  # at the fork point's instant, right after it
    assert isinstance(ev.decode(b[first + 1]), ev.AgentKilled)
    assert f"from {parent} after event {first - 1}" in proc.stdout.replace("\n", " ")
    row = list_runs(db)[0]
    assert (row.id, row.parent, row.fork_at) == (child, parent, first - 1)
    listed = json.loads(run_cli("runs", "--json", db=db).stdout)
    assert [(r["id"], r["parent"], r["fork_at"]) for r in listed] == [(child, parent, first - 1), (parent, None, None)]
    table = run_cli("runs", db=db).stdout
    assert f"{child} is a fork of {parent} after event {first - 1}" in table


def test_a_fork_that_drops_a_later_fault_never_has_it_and_differs_after_the_fork_point(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    events = load_events(db, parent)
    delay = next(e for e in events if isinstance(e, ev.FaultInjected) and e.fault == "delay")
    at = delay.seq - 5
    child, _ = fork(db, parent, "--at", str(at), "--drop-fault", "2")
    a, b = payloads(db, parent), payloads(db, child)
    assert a[:at + 1] == b[:at + 1] and a != b
    faults = [e for e in load_events(db, child) if isinstance(e, ev.FaultInjected)]
    assert [(f.fault, f.agent) for f in faults] == [("kill", "bob")]  # the delay of cy is gone
    assert not any(isinstance(e, ev.AgentDelayed) for e in load_events(db, child))


def test_a_fork_at_a_time_and_a_fork_of_a_fork_rerun_to_the_same_log(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    child, _ = fork(db, parent, "--at-time", "20", "--add-fault", "stall:cy+15")
    stall = next(e for e in load_events(db, child) if isinstance(e, ev.FaultInjected) and e.source == "fork")
    assert stall.t == 20.0 and stall.params == {"seconds": 15.0}
    grandchild, _ = fork(db, child, "--at", str(stall.seq + 40), "--size", "2")
    killed = [e for e in load_events(db, grandchild) if isinstance(e, ev.FaultInjected) and e.seq > stall.seq + 40]
    assert [(k.fault, k.agent, k.source) for k in killed][:1] == [("kill", "cy", "fork")]
    assert payloads(db, grandchild)[:stall.seq + 41] == payloads(db, child)[:stall.seq + 41]
    again = run_cli("rerun", grandchild, db=db)
    assert again.returncode == 0, again.stderr
    redone = list_runs(db)[0]
    assert payloads(db, redone.id) == payloads(db, grandchild)  # a fork is made again as a fork, of the same parent
    assert (redone.parent, redone.fork_at) == (child, list_runs(db)[1].fork_at)
    assert f"fork {grandchild} made again" in again.stdout.replace("\n", " ")


def test_a_database_from_before_forks_lists_its_runs_and_is_upgraded_by_the_first_fork(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    with sqlite3.connect(db) as conn:  # schema 2, as teamtui wrote it before forks
        conn.execute("DROP TABLE forks")
        conn.execute("PRAGMA user_version = 2")
    listed = run_cli("runs", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    assert [(r["id"], r["parent"]) for r in json.loads(listed.stdout)] == [(parent, None)]
    assert run_cli("diff", parent, db=db).returncode == 2  # not a fork, and no other run named: one line
    child, _ = fork(db, parent, "--at", "30", "--add-fault", "kill:bob")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert conn.execute("SELECT parent, at_seq FROM forks WHERE run_id=?", (child,)).fetchone()[0] == parent


def test_diff_of_a_run_and_its_fork_names_the_fork_point_as_the_first_divergence(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    child, _ = fork(db, parent, "--at", "60", "--add-fault", "kill:ada")
    at = list_runs(db)[0].fork_at
    assert at is not None
    proc = run_cli("diff", child, "--json", db=db)  # a fork alone: against its parent
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["a"], out["b"], out["fork"]["at_seq"]) == (parent, child, at)
    first = out["first_divergence"]
    assert first["seq"] == at + 1 and first["b"]["type"] == "FaultInjected" and first["b"]["agent"] == "ada"
    faults = {m["name"]: m for m in out["metrics"]}["faults"]
    assert (faults["b"] - faults["a"], faults["delta"]) == (1, 1.0)
    killed = out["timeline"]["agents"]["ada"]
    assert "✗" in killed["b"] and "✗" not in killed["a"]
    text = run_cli("diff", parent, child, db=db)
    assert text.returncode == 0, text.stderr
    assert f"first divergence: event {at + 1} at" in text.stdout and "B: [" in text.stdout
    assert f"B is a fork of A after event {at}" in text.stdout
    same = run_cli("diff", parent, parent, db=db)
    assert "the two logs are the same" in same.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["nope", "--at", "3"], ['no run "nope"', "teamtui runs"]),
    (["PARENT", "--at", "100000"], ["--at 100000", "fork at an event from 0 to"]),
    (["PARENT", "--at-time", "9999"], ["--at-time 9999", "ended at"]),
    (["PARENT"], ["--at EVENT", "--at-time SECONDS"]),
    (["PARENT", "--at", "5", "--drop-fault", "7"], ["--drop-fault 7", "has 2 fault(s)", "1 schedule kill bob at 12 s",
                                                    "from 1 to 2"]),
    (["PARENT", "--at", "5", "--add-fault", "kil:bob"], ['--add-fault "kil:bob"', 'unknown action "kil"',
                                                        "e.g. kill:bob"]),
    (["PARENT", "--at", "5", "--add-fault", "kill:zed"], ['no agent named "zed"', "ada, bob, cy"]),
    (["PARENT", "--at", "5", "--add-fault", "kill:bob+3"], ["a kill has no duration"]),
    (["PARENT", "--at", "5", "--size", "5"], ["--size 5", "cannot join a run mid-way", "--size 3 or less"]),
    (["PARENT", "--at", "5", "--model", "openai/gpt-4o"], ["--model openai/gpt-4o", "sim:PROFILE"]),
    (["PARENT", "--at", "300", "--drop-fault", "1"], ["--drop-fault 1", "happened before the fork point"]),
])
def test_bad_fork_input_is_one_line_naming_the_value_and_exit_2(tmp_path: Path, args: list[str],
                                                                words: list[str]) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    proc = run_cli("fork", *[parent if a == "PARENT" else a for a in args], db=db)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert all(w in proc.stderr for w in words), proc.stderr
    assert len(list_runs(db)) == 1  # no child recorded


def test_diff_of_an_unknown_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = parent_run(db)
    proc = run_cli("diff", parent, "zzz", db=db)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and 'no run "zzz"' in proc.stderr


def test_a_fork_of_a_monitor_run_can_drop_its_keyboard_fault_or_swap_the_model(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    parent = keyboard_run(db, scenario_from(SIM), [(7.0, Stall("ada", seconds=15.0))])
    pressed = next(e for e in load_events(db, parent) if isinstance(e, ev.FaultInjected) and e.source == "user")
    at = pressed.seq - 3
    child, _ = fork(db, parent, "--at", str(at), "--drop-fault", "3")  # 1, 2: the schedule; 3: the key press
    a, b = payloads(db, parent), payloads(db, child)
    assert a[:at + 1] == b[:at + 1] and a != b
    assert not any(isinstance(e, ev.FaultInjected) and e.source == "user" for e in load_events(db, child))
    swapped, _ = fork(db, parent, "--at", str(pressed.seq + 20), "--model", "sim:gpt-5.2")
    c = payloads(db, swapped)
    assert c[:pressed.seq + 21] == a[:pressed.seq + 21] and c != a  # the key press is in the shared prefix
    replies = [e for e in load_events(db, swapped) if isinstance(e, ev.LLMCallCompleted) and e.seq > pressed.seq + 20]
    assert replies and [ev.encode(e) for e in replies][:5] != [
        ev.encode(e) for e in load_events(db, parent) if isinstance(e, ev.LLMCallCompleted) and e.seq > pressed.seq + 20
    ][:5]


def test_a_fork_drops_a_fault_aimed_by_a_selector(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    aimed = SIM.replace('agent = "bob"', 'agent = "holder"\nwhen = "holding"')
    parent = parent_run(db, aimed)
    kill = next(e for e in load_events(db, parent) if isinstance(e, ev.FaultInjected) and e.fault == "kill")
    assert kill.aim == "holder"
    child, _ = fork(db, parent, "--at", "3", "--drop-fault", "1")
    faults = [e for e in load_events(db, child) if isinstance(e, ev.FaultInjected)]
    assert [f.fault for f in faults] == ["delay"]  # the aimed kill is gone, the delay of cy stays
