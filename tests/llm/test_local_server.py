"""What a local server does that hosted ones do not, on fake servers that behave like llama-cpp-python and ollama.

An empty 200 stream (a prompt over the context window), no usage in the stream, prose replies from a small
model, a one-at-a-time server that interrupts (or queues) concurrent calls, and a context window to fit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from teamtui.core import events as ev
from teamtui.core.agent import Observation, TaskView
from teamtui.llm.base import LLMRequest
from teamtui.llm.chat import NOTHING_TAGS, NOTHING_TOOLS, Chats, ChatSettings, to_completion
from teamtui.llm.fit import estimate, fit, request_tokens
from teamtui.llm.protocol import TOOLS
from teamtui.metrics.summary import summarize
from teamtui.metrics.tables import summary_table
from tests.conftest import run_engine, scenario_from

from .conftest import scenario_text
from .fake_openai import FakeOpenAI, Reply


def _kinds(events: list[ev.Event], kind: type[ev.Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def _solo(pack: Path, url: str, tmp_path: Path, rounds: int = 2, **kw: Any) -> Any:
    text = scenario_text(pack, url, arch="preassigned", size=1, **kw).replace("max_rounds = 8",
                                                                              f"max_rounds = {rounds}")
    return scenario_from(text, tmp_path / "s.toml")


# -- an empty stream ------------------------------------------------------------------------------


def test_an_empty_stream_is_a_failed_call_with_its_cause_not_a_reply_blamed_on_the_model(
        mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(empty=True)) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
        assert len(server.bodies) == 2  # not retried: the same prompt would overflow again
    failed = _kinds(events, ev.LLMCallFailed)
    assert [e.call for e in failed] == [0, 1]
    assert all("stream ended with nothing" in e.error and "context" in e.error for e in failed)
    assert not _kinds(events, ev.ReplyRejected) and not _kinds(events, ev.LLMCallCompleted)


# -- the context window ---------------------------------------------------------------------------


def _obs(board: int = 3, round_: int = 1) -> Observation:
    tasks = tuple(TaskView(f"t{i:03d}", "ready", "", "", (), 1.0, f"f{i}.py", spec="a spec " * 30) for i in range(board))
    return Observation(agent="ada", role="peer", architecture="decentralized", execution="rounds", round=round_,
                       now=0.0, team=("ada", "bob"), lead="", inbox=(), tasks=tasks, files={}, tests={},
                       last_seen={}, suspect_after=90.0, feedback=(), reads=())


def test_a_conversation_is_trimmed_to_the_context_window_oldest_turns_first() -> None:
    chats = Chats(ChatSettings(history_turns=6, max_tokens=4096))
    big = "x" * 6000  # each turn's reply ≈ 2,100 tokens
    for rnd in range(1, 7):
        req = LLMRequest("ada", "m", 0, rnd, _obs(round_=rnd))
        msgs = chats.messages(req, context=8192)
        assert request_tokens(msgs, TOOLS) <= 8192 - 2048, f"round {rnd}: over the window"
        chats.reply("ada", str(msgs[-1]["content"]), big, to_completion(big, [], "tools"))
    assert 0 < sum(m["role"] == "assistant" for m in msgs) < 6  # some history kept, the oldest dropped
    assert msgs[-1]["content"].startswith("Round 6")  # the turn itself is whole
    unlimited = chats.messages(LLMRequest("ada", "m", 0, 7, _obs(round_=7)))
    assert sum(m["role"] == "assistant" for m in unlimited) == 6  # no window known: nothing is trimmed


def test_an_observation_larger_than_the_window_is_cut_with_a_note() -> None:
    msgs = fit("system", [], "y" * 50_000, 4096, 4096, None)
    assert "characters cut to fit the model's context window" in msgs[-1]["content"]
    assert request_tokens(msgs, None) <= 4096 - 1024
    assert estimate("abc" * 100) >= 100  # on the safe side of 3 characters a token


def test_the_context_window_comes_from_the_server_and_bounds_every_request(
        mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(text="thinking " * 700, tool_calls=[("wait", {})])) as server:
        server.context = 4096  # GET /v1/models says max_model_len = 2048, as vLLM does
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path, rounds=6, extra_team="history_turns = 6"))
        bodies = [b for b in server.bodies if "messages" in b]
    assert len(bodies) == 6 and len(_kinds(events, ev.LLMCallCompleted)) == 6
    for body in bodies:
        assert request_tokens(body["messages"], body.get("tools")) + body["max_tokens"] <= 4096
    assert sum(m["role"] == "assistant" for m in bodies[-1]["messages"]) < 5


def test_context_tokens_in_the_scenario_wins_over_the_server(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})])) as server:
        server.context = 100_000
        run_engine(_solo(mini_pack, server.url, tmp_path, rounds=1, extra_team="context_tokens = 3000"))
        assert server.bodies[0]["max_tokens"] == 750  # a quarter of the scenario's 3,000, not of 100,000


# -- token counts ---------------------------------------------------------------------------------


def test_tokens_without_the_servers_usage_are_marked_estimates_and_kept_apart(
        mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(text="ok", tool_calls=[("wait", {})], usage=False)) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
    done = _kinds(events, ev.LLMCallCompleted)
    assert len(done) == 2 and all(e.tokens_estimated and e.tokens_in > 0 for e in done)
    m = summarize(events)
    assert (m.paper.tokens_in, m.paper.tokens_out) == (0, 0)  # nothing the server counted
    assert m.paper.tokens_in_estimated == sum(e.tokens_in for e in done) and m.estimated_calls == 2
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(summary_table(m))
    shown = console.export_text()
    assert "≈ " in shown and "estimated (the server sent no usage)" in shown


def test_the_servers_own_usage_is_not_marked(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(tool_calls=[("wait", {})], prompt_tokens=321)) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path))
    done = _kinds(events, ev.LLMCallCompleted)
    assert [(e.tokens_in, e.tokens_estimated) for e in done] == [(321, False), (321, False)]
    assert summarize(events).paper.tokens_in == 642


def test_a_budget_reached_on_estimated_tokens_says_so(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    with FakeOpenAI(lambda body: Reply(text="x " * 200, tool_calls=[("wait", {})], usage=False)) as server:
        text = scenario_text(mini_pack, server.url, model="openai/gpt-4o-mini", limits="budget_usd = 0.000001")
        _, events = run_engine(scenario_from(text, tmp_path / "s.toml"))
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "budget"
    assert "estimate" in end.reason and "no usage" in end.reason


def test_a_stored_call_event_without_the_flag_still_reads() -> None:
    old = {"type": "LLMCallCompleted", "seq": 3, "t": 1.0, "agent": "ada", "call": 0, "round": 1, "latency": 1.0,
           "tokens_in": 10, "tokens_out": 2, "cost_usd": None, "text": "hi"}
    event = ev.decode(json.dumps(old))
    assert isinstance(event, ev.LLMCallCompleted) and event.tokens_estimated is False


# -- prose replies --------------------------------------------------------------------------------


@pytest.mark.parametrize(("protocol", "problem"), [("tools", NOTHING_TOOLS), ("tags", NOTHING_TAGS)])
def test_a_prose_reply_that_does_nothing_is_a_problem_told_to_the_model(protocol: str, problem: str) -> None:
    prose = "This is a variant of the poly_sum function, which adds two polynomials."
    assert to_completion(prose, [], protocol).problems == (problem,)
    acting = to_completion('<wait/>', [], "tags") if protocol == "tags" else to_completion("", [("wait", "{}")], "tools")
    assert acting.problems == ()


@pytest.mark.parametrize("protocol", ["tools", "tags"])
def test_the_model_hears_that_its_prose_turn_did_nothing(mini_pack: Path, fake_key: str, tmp_path: Path,
                                                         protocol: str) -> None:
    with FakeOpenAI(lambda body: Reply(text="This is a variant of the poly_sum function.")) as server:
        _, events = run_engine(_solo(mini_pack, server.url, tmp_path, protocol=protocol))
        second = server.bodies[1]["messages"][-1]["content"]
    assert [e.problem for e in _kinds(events, ev.ReplyRejected)][:1] == [NOTHING_TOOLS if protocol == "tools"
                                                                          else NOTHING_TAGS]
    assert "your reply did nothing" in second


# -- one-at-a-time servers ------------------------------------------------------------------------


def _team(pack: Path, url: str, tmp_path: Path, extra: str = "") -> Any:
    text = scenario_text(pack, url, size=3, extra_team=extra).replace("max_rounds = 8", "max_rounds = 2")
    return scenario_from(text, tmp_path / "s.toml")


def _talkative(body: dict[str, Any]) -> Reply:
    return Reply(text="Let me think about the board for a moment. " * 3, tool_calls=[("wait", {})])


def test_a_server_that_interrupts_concurrent_calls_is_named_with_its_fix(mini_pack: Path, fake_key: str,
                                                                         tmp_path: Path) -> None:
    with FakeOpenAI(_talkative, chunk_delay=0.02, slots="interrupt") as server:
        _, events = run_engine(_team(mini_pack, server.url, tmp_path))
        assert server.interrupted > 0
    trouble = [e.error for e in events if isinstance(e, ev.LLMCallRetried | ev.LLMCallFailed)]
    assert trouble and all("--interrupt_requests False" in t and "parallel_calls = 1" in t for t in trouble)
    assert not _kinds(events, ev.ReplyRejected)  # a cut-off reply is not held against the model


@pytest.mark.parametrize("slots", ["interrupt", "queue"])
def test_parallel_calls_1_makes_a_one_slot_server_work(mini_pack: Path, fake_key: str, tmp_path: Path,
                                                       slots: str) -> None:
    with FakeOpenAI(_talkative, chunk_delay=0.02, slots=slots) as server:
        _, events = run_engine(_team(mini_pack, server.url, tmp_path, "parallel_calls = 1"))
        assert (server.interrupted, server.most_at_once) == (0, 1)
    assert len(_kinds(events, ev.LLMCallCompleted)) == 6
    assert not _kinds(events, ev.LLMCallRetried) and not _kinds(events, ev.LLMCallFailed)
