"""The CLI with real models: --model overrides the scenario, --record-llm records, --cassette replays offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

from .conftest import scenario_text
from .fake_openai import FakeOpenAI
from .test_end_to_end import Scripted, script


def _teamtui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)


def test_model_override_records_and_the_cassette_replays_offline(mini_pack: Path, fake_key: str,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    cassette = tmp_path / "calls.jsonl"
    env = {**os.environ, "TEAMTUI_DB": str(tmp_path / "runs.db")}
    with FakeOpenAI(Scripted(script())) as server:
        path.write_text(scenario_text(mini_pack, server.url, model="sim"))  # the file says sim ...
        live = _teamtui("run", str(path), "--headless", "--json", "--model", "openai/whatever",  # ... we say litellm
                        "--record-llm", str(cassette), env=env)
        assert live.returncode == 0, live.stderr
        assert len(server.bodies) >= 4  # the team really talked to the server
    metrics = json.loads(live.stdout)
    assert metrics["status"] == "completed" and metrics["done"] == 3
    assert metrics["paper"]["tokens_in"] > 0 and metrics["cost_usd"] is None and metrics["unpriced_calls"] > 0
    replay = _teamtui("run", str(path), "--headless", "--json", "--cassette", str(cassette), env=env)  # server gone
    assert replay.returncode == 0, replay.stderr
    assert json.loads(replay.stdout)["status"] == "completed"
    exported = _teamtui("export", "latest", env=env)
    assert exported.returncode == 0 and "LLMCallCompleted" in exported.stdout and fake_key not in exported.stdout
    runs = _teamtui("runs", env=env)
    assert runs.stdout.count("finished") == 2


def test_a_missing_cassette_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    path.write_text('[scenario]\nname = "c"\n[task]\npack = "math_utils"\n')
    proc = _teamtui("run", str(path), "--headless", "--cassette", str(tmp_path / "nope.jsonl"),
                    env={**os.environ, "TEAMTUI_DB": str(tmp_path / "runs.db")})
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "nope.jsonl" in proc.stderr and "--record-llm" in proc.stderr


def test_recording_a_team_without_real_models_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = _teamtui("run", str(ROOT / "scenarios" / "quickstart.toml"), "--headless", "--record-llm",
                    str(tmp_path / "c.jsonl"), env={**os.environ, "TEAMTUI_DB": str(tmp_path / "runs.db")})
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "--model" in proc.stderr
    assert not (tmp_path / "c.jsonl").exists()
