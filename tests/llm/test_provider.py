"""Provider behaviour over real local HTTP: retries, failures, budget, missing keys, leaks, cassettes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.core.errors import RunError
from teamtui.llm import make_backend
from teamtui.metrics.summary import summarize
from teamtui.store.reader import load_events, load_metrics
from teamtui.store.writer import record_run
from tests.conftest import ROOT, run_engine, scenario_from

from .conftest import scenario_text
from .fake_openai import FakeOpenAI, Reply, agent_of
from .test_end_to_end import Scripted, script


def _kinds(events: list[ev.Event], kind: type[ev.Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


class Failing:
    """The first `n` requests get `status` (n < 0: every request), the rest a wait."""

    def __init__(self, n: int, status: int = 429) -> None:
        self.n, self.status, self.count = n, status, 0

    def __call__(self, body: dict[str, Any]) -> Reply:
        self.count += 1
        if self.n < 0 or self.count <= self.n:
            return Reply(status=self.status)
        return Reply(tool_calls=[("wait", {})])


def _solo(pack: Path, url: str, tmp_path: Path, **kw: Any) -> Any:
    text = scenario_text(pack, url, arch="preassigned", size=1, **kw).replace("max_rounds = 8", "max_rounds = 2")
    return scenario_from(text, tmp_path / "s.toml")


def test_a_rate_limit_is_retried_then_the_call_succeeds(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    handler = Failing(1)
    with FakeOpenAI(handler) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
    retried = _kinds(events, ev.LLMCallRetried)
    assert len(retried) == 1 and "RateLimit" in retried[0].error and retried[0].call == 0
    assert [e.call for e in _kinds(events, ev.LLMCallCompleted)] == [0, 1]
    assert not _kinds(events, ev.LLMCallFailed)
    assert handler.count == 3  # one refused attempt, its retry, the second call: no hidden client retries


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_provider_failing_forever_fails_each_call_after_bounded_retries(
        mini_pack: Path, fake_key: str, tmp_path: Path, status: int) -> None:
    handler = Failing(-1, status)
    with FakeOpenAI(handler) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))  # retries = 2, max_rounds = 2
    failed = _kinds(events, ev.LLMCallFailed)
    assert [e.call for e in failed] == [0, 1] and handler.count == 6
    assert len(_kinds(events, ev.LLMCallRetried)) == 4
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "round_limit"  # the run carried on to its end


def test_a_bad_request_is_not_retried(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    handler = Failing(-1, 400)
    with FakeOpenAI(handler) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
    assert handler.count == 2 and len(_kinds(events, ev.LLMCallFailed)) == 2 and not _kinds(events, ev.LLMCallRetried)


def test_the_budget_ends_the_run_cleanly(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    # gpt-4o-mini has a price in litellm's shipped map: 100 prompt + 20 completion tokens cost ~$0.000027
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})])) as server:
        text = scenario_text(mini_pack, server.url, model="openai/gpt-4o-mini", limits="budget_usd = 0.00005")
        _, events = run_engine(scenario_from(text, tmp_path / "s.toml"))
    costs = [e.cost_usd for e in _kinds(events, ev.LLMCallCompleted)]
    assert all(c is not None and c > 0 for c in costs)
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "budget" and "budget_usd" in end.reason
    # it stopped in the round whose calls crossed the budget (calls already under way are still recorded)
    assert sum(costs) >= 0.00005 and len(costs) <= 3 and len(_kinds(events, ev.RoundStarted)) == 1
    assert summarize(events).cost_usd == pytest.approx(sum(costs))


def test_a_missing_key_named_in_api_key_env_fails_before_the_run(mini_pack: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMTUI_TEST_KEY", raising=False)
    s = scenario_from(scenario_text(mini_pack, "http://127.0.0.1:9/v1"), tmp_path / "s.toml")
    with pytest.raises(RunError, match=r"TEAMTUI_TEST_KEY.*is not set"):
        make_backend(s)


def test_a_missing_provider_key_is_one_line_and_exit_2_from_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nname = "k"\n[team]\nsize = 2\nmodel = "sim"\n[task]\npack = "math_utils"\n')
    env = {k: v for k, v in os.environ.items() if "KEY" not in k and "TOKEN" not in k}
    env["TEAMTUI_DB"] = str(tmp_path / "runs.db")
    # `teamtui FILE --model ID` (the live monitor's form): the key is checked before any UI opens
    proc = subprocess.run([sys.executable, "-m", "teamtui", str(path), "--model", "openai/gpt-4o-mini"], cwd=ROOT,
                          env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "OPENAI_API_KEY" in lines[0] and "not set" in lines[0], proc.stderr
    assert not (tmp_path / "runs.db").exists() or "running" not in (tmp_path / "runs.db").read_bytes().decode("latin-1")


def test_the_api_key_reaches_no_event_database_export_or_cassette(mini_pack: Path, fake_key: str,
                                                                  tmp_path: Path) -> None:
    turns = script()
    # a provider that echoes the key back, in an error and in a reply
    turns["bob"].insert(0, Reply(status=500, error=f"bad key {fake_key}; Authorization: Bearer {fake_key}"))
    turns["cy"].insert(0, Reply(text=f"my key is {fake_key}", tool_calls=[("broadcast", {"text": fake_key})]))
    cassette = tmp_path / "calls.jsonl"
    with FakeOpenAI(Scripted(turns)) as server:
        s = scenario_from(scenario_text(mini_pack, server.url), tmp_path / "s.toml")
        from dataclasses import replace

        _, events = run_engine(replace(s, record_llm=str(cassette)))
    assert _kinds(events, ev.LLMCallRetried)  # the echoing error happened
    db = tmp_path / "runs.db"
    run_id = record_run(db, s, events, summarize(events).to_dict())
    exported = ev.to_jsonl(load_events(db, run_id)).decode() + json.dumps(load_metrics(db, run_id))
    for blob in (db.read_bytes().decode("latin-1"), exported, cassette.read_text()):
        assert fake_key not in blob
        assert fake_key[8:] not in blob
    assert "[redacted]" in exported


def test_a_recorded_run_replays_offline_and_deterministically(mini_pack: Path, fake_key: str,
                                                              tmp_path: Path) -> None:
    cassette = tmp_path / "calls.jsonl"
    with FakeOpenAI(Scripted(script())) as server:
        s = scenario_from(scenario_text(mini_pack, server.url), tmp_path / "s.toml")
        from dataclasses import replace

        _, recorded = run_engine(replace(s, record_llm=str(cassette)))
    lines = cassette.read_text().splitlines()
    assert json.loads(lines[0])["teamtui_cassette"] == 1
    assert {json.loads(x)["agent"] for x in lines[1:]} == {"ada", "bob", "cy"}
    replay_text = scenario_text(mini_pack, "http://127.0.0.1:9/v1", model=f"cassette:{cassette}")
    replay = scenario_from(replay_text, tmp_path / "r.toml")
    backend = make_backend(replay)
    _, first = run_engine(replay, backend)
    _, second = run_engine(replay)
    assert ev.to_jsonl(first) == ev.to_jsonl(second)
    def work(evs: list[ev.Event]) -> list[tuple[str, str]]:
        return [(e.agent, e.kind) for e in evs if isinstance(e, ev.TaskCompleted | ev.FileWritten | ev.TestsRan)]
    assert work(first) == work(recorded)
    assert [e.text for e in _kinds(first, ev.LLMCallCompleted)] == [e.text for e in _kinds(recorded, ev.LLMCallCompleted)]
    assert first[-1].status == "completed"  # type: ignore[attr-defined]
    assert getattr(backend, "mismatches", None) == []


def test_a_runaway_reply_is_cut_recorded_and_told_to_the_agent(mini_pack: Path, fake_key: str,
                                                               tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> Reply:
        return Reply(text="blah " * 50_000)  # 250,000 characters

    with FakeOpenAI(handler, piece=50_000) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
        second = server.bodies[1]["messages"][-1]["content"]
    problems = [e.problem for e in _kinds(events, ev.ReplyRejected)]
    cut = [p for p in problems if "characters; only the first" in p]
    assert len(cut) == 2 and len(problems) == 4  # each reply: cut, and (prose alone) it did nothing
    assert all(len(e.text) <= 200_000 for e in _kinds(events, ev.LLMCallCompleted))
    assert "only the first" in second


def test_a_server_that_refuses_stream_options_is_asked_without_them(mini_pack: Path, fake_key: str,
                                                                    tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> Reply:
        if "stream_options" in body:
            return Reply(status=400, error="Unrecognized request argument supplied: stream_options")
        return Reply(text="nothing to do", tool_calls=[("wait", {})])

    with FakeOpenAI(handler) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
    done = _kinds(events, ev.LLMCallCompleted)
    assert len(done) == 2 and not _kinds(events, ev.LLMCallFailed) and all(e.tokens_in > 0 for e in done)
    assert ["stream_options" in b for b in server.bodies] == [True, False, False]


def test_agents_can_have_their_own_server_and_key(mini_pack: Path, fake_key: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    wait = Reply(tool_calls=[("wait", {})])
    with FakeOpenAI(lambda b: wait) as team_server, FakeOpenAI(lambda b: wait) as own:
        text = scenario_text(mini_pack, team_server.url, size=2).replace("max_rounds = 8", "max_rounds = 1") + (
            f'[[agents]]\nname = "ada"\n[[agents]]\nname = "bob"\nmodel = "openai/other"\napi_base = "{own.url}"\n'
            'api_key_env = "BOB_KEY"\n')
        monkeypatch.delenv("BOB_KEY", raising=False)
        with pytest.raises(RunError, match=r"\(bob\).*BOB_KEY"):
            make_backend(scenario_from(text, tmp_path / "s.toml"))
        monkeypatch.setenv("BOB_KEY", "bob-secret-key-123456")
        _, events = run_engine(scenario_from(text, tmp_path / "s.toml"))
    assert [(agent_of(b), b["model"]) for b in team_server.bodies] == [("ada", "whatever")]
    assert [(agent_of(b), b["model"]) for b in own.bodies] == [("bob", "other")]
    auth = {k.lower(): v for k, v in own.headers[0].items()}["authorization"]
    assert auth == "Bearer bob-secret-key-123456"
    assert "bob-secret-key-123456" not in ev.to_jsonl(events).decode()


def test_a_server_that_does_not_answer_in_time_is_retried_then_the_call_fails(mini_pack: Path, fake_key: str,
                                                                              tmp_path: Path) -> None:
    import time

    from teamtui.launch import run_events

    def handler(body: dict[str, Any]) -> Reply:
        time.sleep(5)  # far past timeout_s: the client gives up first
        return Reply(tool_calls=[("wait", {})])

    with FakeOpenAI(handler) as server:
        text = scenario_text(mini_pack, server.url, arch="preassigned", size=1, extra_team="timeout_s = 0.3")
        s = scenario_from(text.replace("retries = 2", "retries = 1").replace("max_rounds = 8", "max_rounds = 1"),
                          tmp_path / "s.toml")
        events = run_events(s)  # a litellm team runs on the wall clock
    retried = _kinds(events, ev.LLMCallRetried)
    assert len(retried) == 1 and "Timeout" in retried[0].error
    failed = _kinds(events, ev.LLMCallFailed)
    assert len(failed) == 1 and "Timeout" in failed[0].error and len(server.bodies) == 2
    assert isinstance(events[-1], ev.RunFinished) and events[-1].status == "round_limit"


def test_a_model_litellm_cannot_route_fails_before_the_run(mini_pack: Path, tmp_path: Path) -> None:
    text = scenario_text(mini_pack, "http://127.0.0.1:9/v1", model="no-such/model").replace(
        'api_key_env = "TEAMTUI_TEST_KEY"', "")
    with pytest.raises(RunError, match=r"'no-such/model': litellm knows no provider for it; write provider/model"):
        make_backend(scenario_from(text, tmp_path / "s.toml"))
