"""`teamtui doctor`: one probe of a model's server, and the settings it calls for, against fake servers."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from tests.conftest import ROOT

from .fake_openai import FakeOpenAI, Reply


def _doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", "doctor", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_a_capable_server_gets_tools_its_window_and_parallel_calls() -> None:
    def handler(body: dict[str, Any]) -> Reply:
        return Reply(tool_calls=[("wait", {})]) if body.get("tools") else Reply(text="ok")

    with FakeOpenAI(handler) as server:
        server.context = 32768
        proc = _doctor("openai/whatever", "--api-base", server.url)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "serves whatever" in out and "32,768 tokens" in out
    assert 'protocol = "tools" works' in out and "the server counts tokens" in out
    assert "side by side" in out


def test_a_llama_cpp_python_like_server_gets_tags_estimates_and_one_call_at_a_time() -> None:
    with FakeOpenAI(lambda body: Reply(text="I would call wait. " * 4, usage=False), chunk_delay=0.02,
                    slots="interrupt") as server:
        proc = _doctor("openai/whatever", "--api-base", server.url)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "does not say; set [team] context_tokens" in out
    assert 'use [team] protocol = "tags"' in out and "estimates, marked ≈" in out
    assert "parallel_calls = 1" in out and "--interrupt_requests False" in out


def test_a_server_that_does_not_answer_is_exit_2() -> None:
    proc = _doctor("openai/whatever", "--api-base", "http://127.0.0.1:9/v1")
    assert proc.returncode == 2
    assert "probe failed" in proc.stdout
