"""Forks of real-model runs: the prefix is replayed offline from the run's cassette, then the change is applied."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from teamtui.core import events as ev
from teamtui.store.reader import list_runs, load_events
from tests.conftest import ROOT

from .conftest import scenario_text
from .fake_openai import FakeOpenAI
from .test_end_to_end import Scripted, script


def _teamtui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)


def _replies(events: list[ev.Event], agent: str, before: int) -> list[str]:
    return [e.text for e in events if isinstance(e, ev.LLMCallCompleted) and e.agent == agent and e.seq <= before]


def test_a_fork_of_a_recorded_real_model_run_replays_its_prefix_offline(mini_pack: Path, fake_key: str,
                                                                        tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    cassette = tmp_path / "calls.jsonl"
    db = tmp_path / "runs.db"
    env = {**os.environ, "TEAMTUI_DB": str(db)}
    with FakeOpenAI(Scripted(script())) as server:
        path.write_text(scenario_text(mini_pack, server.url))
        live = _teamtui("run", str(path), "--headless", "--record-llm", str(cassette), env=env)
        assert live.returncode == 0, live.stderr
    parent = list_runs(db)[0].id
    events = load_events(db, parent)
    first = next(e for e in events if isinstance(e, ev.LLMCallCompleted))  # after the first reply
    at, when = first.seq, f"{first.t + 0.01:.2f}"
    refused = _teamtui("fork", parent, "--at-time", when, env=env)  # the server is gone: only the cassette answers
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "--cassette PATH" in refused.stderr
    # The parent ran on the wall clock: its times are not reproduced, so the fork is placed by time, and each
    # agent's replies before it are the first ones the parent got (the cassette's, in order).
    forked = _teamtui("fork", parent, "--at-time", when, "--cassette", str(cassette), "--add-fault", "kill:bob",
                      "--json", env=env)
    assert forked.returncode == 0, forked.stderr
    child = list_runs(db)[0]
    assert child.parent == parent and child.fork_at is not None
    kids = load_events(db, child.id)
    got = {agent: _replies(kids, agent, child.fork_at) for agent in ("ada", "bob", "cy")}
    for agent, replies in got.items():
        assert replies == _replies(events, agent, len(events))[:len(replies)]
    assert sum(map(len, got.values())) >= 1
    kill = kids[child.fork_at + 1]
    assert isinstance(kill, ev.FaultInjected) and (kill.fault, kill.agent) == ("kill", "bob")
    assert json.loads(forked.stdout)["faults"] == 1

    replayed = _teamtui("run", str(path), "--headless", "--cassette", str(cassette), env=env)  # offline, virtual
    assert replayed.returncode == 0, replayed.stderr
    base = list_runs(db)[0].id
    again = _teamtui("fork", base, "--at", str(at), "--add-fault", "kill:bob", env=env)
    assert again.returncode == 0, again.stderr
    fork_of_replay = list_runs(db)[0]
    with sqlite3.connect(db) as conn:
        rows = {rid: [bytes(r[0]) for r in conn.execute(
            "SELECT payload FROM events WHERE run_id=? ORDER BY seq", (rid,))] for rid in (base, fork_of_replay.id)}
    n = (fork_of_replay.fork_at or 0) + 1
    assert rows[base][:n] == rows[fork_of_replay.id][:n] and rows[base] != rows[fork_of_replay.id]
    listed = {r["id"]: r["parent"] for r in json.loads(_teamtui("runs", "--json", env=env).stdout)}
    assert listed[child.id] == parent and listed[fork_of_replay.id] == base
