"""A bundle of a real-model run carries its cassette: moved to a fresh database, the cassette comes out byte for byte
and answers a run of the same scenario offline with the same events; the bundle never holds the API key."""

from __future__ import annotations

import os
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


def test_a_bundle_keeps_the_cassette_its_run_replayed(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    cassette = tmp_path / "calls.jsonl"
    db = tmp_path / "runs.db"
    env = {**os.environ, "TEAMTUI_DB": str(db)}
    with FakeOpenAI(Scripted(script())) as server:
        path.write_text(scenario_text(mini_pack, server.url))
        live = _teamtui("run", str(path), "--headless", "--no-baseline", "--record-llm", str(cassette), env=env)
        assert live.returncode == 0, live.stderr
    recorded_run = list_runs(db)[0].id
    offline = _teamtui("run", str(path), "--headless", "--no-baseline", "--cassette", str(cassette), env=env)
    assert offline.returncode == 0, offline.stderr
    replayed_run = list_runs(db)[0].id
    assert replayed_run != recorded_run
    bundles = {}
    for run_id, extra in ((replayed_run, ()), (recorded_run, ("--cassette", str(cassette)))):
        bundle = tmp_path / f"{run_id}.teamtui"
        out = _teamtui("export", run_id, "--format", "bundle", "-o", str(bundle), *extra, env=env)
        assert out.returncode == 0, out.stderr
        assert "calls.jsonl" in out.stderr
        assert fake_key.encode() not in bundle.read_bytes()
        bundles[run_id] = bundle
    original = cassette.read_bytes()
    cassette.unlink()  # "another machine": only the bundles are left
    fresh = tmp_path / "there" / "runs.db"
    for run_id, bundle in bundles.items():
        got = _teamtui("import", str(bundle), "--db", str(fresh), env={**env, "TEAMTUI_DB": ""})
        assert got.returncode == 0, got.stderr
        moved = fresh.parent / "cassettes" / run_id / "calls.jsonl"
        assert str(moved) in got.stdout and moved.read_bytes() == original
    # The cassette that came out of the bundle answers the scenario offline: the same events as the replay before.
    moved = fresh.parent / "cassettes" / replayed_run / "calls.jsonl"
    again = _teamtui("run", str(path), "--headless", "--no-baseline", "--cassette", str(moved), "--db", str(fresh),
                     env=env)
    assert again.returncode == 0, again.stderr
    newest = list_runs(fresh)[0].id
    there = ev.to_jsonl(load_events(fresh, newest)).replace(str(moved).encode(), b"CASSETTE")
    here = ev.to_jsonl(load_events(db, replayed_run)).replace(str(cassette).encode(), b"CASSETTE")
    assert there.count(b"\n") > 10 and there == here  # the model names the cassette's path: the rest is equal
