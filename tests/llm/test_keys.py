"""A missing API key is found from the model's provider prefix before litellm is imported: one line, at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.llm.keys import PROVIDER_KEYS, missing_key
from teamtui.scenario.spec import AgentSpec
from tests.conftest import ROOT

QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")


def _agent(model: str, api_base: str | None = None, api_key_env: str | None = None) -> AgentSpec:
    return AgentSpec(name="ada", role="worker", model=model, api_base=api_base, api_key_env=api_key_env)


def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for names in PROVIDER_KEYS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("model", "variable"), [("openai/gpt-4o-mini", "OPENAI_API_KEY"),
                                                 ("anthropic/claude-3-5-haiku-20241022", "ANTHROPIC_API_KEY"),
                                                 ("gemini/gemini-2.0-flash", "GEMINI_API_KEY"),
                                                 ("mistral/mistral-small", "MISTRAL_API_KEY"),
                                                 ("groq/llama-3.1-8b-instant", "GROQ_API_KEY"),
                                                 ("gpt-4o-mini", "OPENAI_API_KEY")])
def test_a_known_provider_without_its_key_is_named(model: str, variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_keys(monkeypatch)
    problem = missing_key(_agent(model))
    assert problem is not None and variable in problem and "not set" in problem and "\n" not in problem
    monkeypatch.setenv(variable, "sk-test")
    assert missing_key(_agent(model)) is None


def test_a_local_server_an_unknown_provider_and_the_sim_need_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_keys(monkeypatch)
    assert missing_key(_agent("openai/qwen2.5-coder:7b", api_base="http://127.0.0.1:11434/v1")) is None
    assert missing_key(_agent("ollama_chat/llama3.1")) is None
    assert missing_key(_agent("someone/model")) is None  # left to litellm's own check
    assert missing_key(_agent("sim")) is None


def test_api_key_env_names_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_SERVER_KEY", raising=False)
    agent = _agent("openai/local", api_base="http://127.0.0.1:8000/v1", api_key_env="MY_SERVER_KEY")
    problem = missing_key(agent)
    assert problem is not None and "MY_SERVER_KEY (api_key_env) is not set" in problem
    monkeypatch.setenv("MY_SERVER_KEY", "k")
    assert missing_key(agent) is None


@pytest.mark.parametrize("args", [["run", QUICKSTART, "--headless", "--model", "gemini/gemini-2.0-flash"],
                                  [QUICKSTART, "--model", "anthropic/claude-3-5-haiku-20241022"]])
def test_the_cli_reports_a_missing_key_without_importing_litellm(args: list[str], tmp_path: Path) -> None:
    """Proof that the check precedes litellm's slow import: the CLI runs in a fresh interpreter, then we look at
    its sys.modules (a timing assertion would race the machine's load)."""
    code = ("import sys\nfrom teamtui.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n"
            "    print('exit', e.code, 'litellm' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if "KEY" not in k and "TOKEN" not in k}
    env["TEAMTUI_DB"] = str(tmp_path / "runs.db")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip() == "exit 2 False", proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "API_KEY" in lines[0] and "not set" in lines[0], proc.stderr
    assert not (tmp_path / "runs.db").exists()
