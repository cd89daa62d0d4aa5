"""A bundle of a real-model run carries its cassette: moved to a fresh database, the cassette comes out byte for byte
and answers a run of the same scenario offline with the same events; the bundle never holds the API key. The live
run's OTLP/JSON trace is on the wall clock and names the litellm model's provider."""

from __future__ import annotations

import json
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
    _check_wall_clock_trace(recorded_run, db, tmp_path / "trace.json", fake_key, env)
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


def _check_wall_clock_trace(run_id: str, db: Path, path: Path, key: str, env: dict[str, str]) -> None:
    """The same run as an OTLP/JSON trace: on the wall clock, the provider and model of a litellm id, tokens and
    cost as the events have them, and not the key."""
    out = _teamtui("export", run_id, "--format", "otlp-json", "-o", str(path), env=env)
    assert out.returncode == 0, out.stderr
    text = path.read_text()
    assert key not in text
    (rs,) = json.loads(text)["resourceSpans"]
    kv = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
    assert kv["teamtui.time_base"] == {"stringValue": "wall"}
    chats = [{a["key"]: a["value"] for a in s["attributes"]} for s in rs["scopeSpans"][0]["spans"]
             if s["name"].startswith("chat ")]
    done = [e for e in load_events(db, run_id) if isinstance(e, ev.LLMCallCompleted)]
    assert len(chats) >= len(done) > 0
    assert all(c["gen_ai.provider.name"] == {"stringValue": "openai"} for c in chats)
    assert all(c["gen_ai.request.model"] == {"stringValue": "whatever"} for c in chats)
    assert sum(int(c["gen_ai.usage.output_tokens"]["intValue"]) for c in chats if "gen_ai.usage.output_tokens" in c) \
        == sum(e.tokens_out for e in done)
    assert sum("teamtui.cost_usd" in c for c in chats) == sum(e.cost_usd is not None for e in done)
