"""--api-base and --api-key-env on run, the monitor, sweep and rerun: the address need not be written into a copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

from .conftest import scenario_text
from .fake_openai import FakeOpenAI, Reply

KEY = "sk-teamtui-OTHER-1a2b3c4d5e6f"


def _teamtui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def _scenario(pack: Path, tmp_path: Path) -> Path:
    """A 1-agent real-model team whose file names a server that does not listen (port 9) and another key."""
    path = tmp_path / "team.toml"
    text = scenario_text(pack, "http://127.0.0.1:9/v1", arch="preassigned", size=1)
    path.write_text(text.replace("max_rounds = 8", "max_rounds = 2").replace("retries = 2", "retries = 0"))
    return path


def _auth(server: FakeOpenAI) -> set[str | None]:
    return {{k.lower(): v for k, v in h.items()}.get("authorization") for h in server.headers}


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TEAMTUI_DB": str(tmp_path / "runs.db"), "OTHER_KEY": KEY}


@pytest.mark.parametrize("command", [["run", "--headless"], ["--headless", "--speed", "50"]], ids=["run", "monitor"])
def test_run_and_the_monitor_take_the_server_and_its_key_from_the_command_line(
        mini_pack: Path, tmp_path: Path, command: list[str]) -> None:
    path = _scenario(mini_pack, tmp_path)
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})])) as server:
        args = [*command[:1], str(path), *command[1:]] if command[0] == "run" else [str(path), *command]
        proc = _teamtui(*args, "--api-base", server.url, "--api-key-env", "OTHER_KEY", env=_env(tmp_path))
        assert proc.returncode == 0, proc.stderr
        assert len(server.bodies) == 2  # both rounds' calls went to the server named on the command line ...
        assert _auth(server) == {f"Bearer {KEY}"}  # ... with the key named


def test_rerun_and_sweep_take_the_server_from_the_command_line(mini_pack: Path, tmp_path: Path) -> None:
    path = _scenario(mini_pack, tmp_path)
    env = _env(tmp_path)
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})])) as first:
        proc = _teamtui("run", str(path), "--headless", "--api-base", first.url, "--api-key-env", "OTHER_KEY", env=env)
        assert proc.returncode == 0, proc.stderr
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})])) as second:  # the same model, on another port
        proc = _teamtui("rerun", "latest", "--api-base", second.url, env=env)
        assert proc.returncode == 0, proc.stderr
        assert len(second.bodies) == 2
        proc = _teamtui("sweep", str(path), "--sizes", "1", "--trials", "1", "--jobs", "1", "--api-base", second.url,
                        "--api-key-env", "OTHER_KEY", env=env)
        assert proc.returncode == 0, proc.stderr
        assert len(second.bodies) >= 4
        assert _auth(second) == {f"Bearer {KEY}"}
