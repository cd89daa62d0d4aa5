"""A 3-agent math_utils team through litellm against a real local OpenAI-compatible server: files, tests, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teamtui.core import events as ev
from teamtui.metrics.summary import summarize
from teamtui.store.reader import load_events
from teamtui.store.writer import record_run
from tests.conftest import run_engine, scenario_from

from .conftest import reference, scenario_text
from .fake_openai import FakeOpenAI, Reply, agent_of


def script() -> dict[str, list[Reply]]:
    """Who says what, turn by turn: ada does poly_trim, bob gcd, cy waits for trim, then does poly_add."""
    return {
        "ada": [Reply(text="I'll take the trim.", tool_calls=[
            ("claim", {"task": "mu_poly_trim"}),
            ("broadcast", {"text": "claiming mu_poly_trim", "task": "mu_poly_trim"}),
            ("write_file", {"path": "mu_poly_trim.py", "content": reference("mu_poly_trim"),
                            "task": "mu_poly_trim"}),
            ("complete", {"task": "mu_poly_trim"})])],
        "bob": [Reply(tool_calls=[("claim", {"task": "mu_gcd"}),
                                  ("write_file", {"path": "mu_gcd.py", "content": reference("mu_gcd")}),
                                  ("run_tests", {"task": "mu_gcd"}), ("complete", {"task": "mu_gcd"})])],
        "cy": [Reply(tool_calls=[("claim", {"task": "mu_poly_add"}), ("wait", "{not json")]),
               Reply(tool_calls=[("claim", {"task": "mu_poly_add"}),
                                 ("write_file", {"path": "mu_poly_add.py",
                                                 "content": reference("mu_poly_add", chained=True)}),
                                 ("complete", {"task": "mu_poly_add"})])],
    }


class Scripted:
    def __init__(self, turns: dict[str, list[Reply]], default: Reply | None = None) -> None:
        self.turns = turns
        self.default = default or Reply(tool_calls=[("wait", {})])
        self.seen: dict[str, int] = {}

    def __call__(self, body: dict[str, Any]) -> Reply:
        name = agent_of(body)
        i = self.seen.get(name, 0)
        self.seen[name] = i + 1
        replies = self.turns.get(name, [])
        return replies[i] if i < len(replies) else self.default


def test_three_agents_write_and_test_real_code_through_litellm(mini_pack: Path, fake_key: str,
                                                                tmp_path: Path) -> None:
    with FakeOpenAI(Scripted(script())) as server:
        s = scenario_from(scenario_text(mini_pack, server.url), tmp_path / "s.toml")
        _, events = run_engine(s)
    by = {k: [e for e in events if e.kind == k] for k in {e.kind for e in events}}
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed", end
    assert sorted(e.task for e in by["TaskCompleted"]) == ["mu_gcd", "mu_poly_add", "mu_poly_trim"]
    assert {e.path for e in by["FileWritten"]} == {"mu_poly_trim.py", "mu_gcd.py", "mu_poly_add.py"}
    assert all(e.passed for e in by["TestsRan"]) and len(by["TestsRan"]) >= 3
    # the claim of poly_add before poly_trim was done was blocked; the bad JSON was a recorded problem
    assert any(e.task == "mu_poly_add" for e in by["ClaimBlocked"])
    assert any("not valid JSON" in e.problem for e in by["ReplyRejected"])
    assert by["LLMTokensStreamed"] and by["LLMCallCompleted"]
    assert all(e.tokens_in == 100 and e.tokens_out == 20 for e in by["LLMCallCompleted"])
    assert all(e.cost_usd is None for e in by["LLMCallCompleted"])  # openai/whatever has no known price
    # the requests were real streamed chat completions with our tools, sent with the key from api_key_env
    assert all(b["stream"] and {t["function"]["name"] for t in b["tools"]} >= {"claim", "write_file"}
               for b in server.bodies)
    assert all({k.lower(): v for k, v in h.items()}.get("authorization") == f"Bearer {fake_key}"
               for h in server.headers)
    # cy's second request told it what went wrong in its first turn
    cy = [b for b in server.bodies if agent_of(b) == "cy"]
    assert "not valid JSON" in cy[1]["messages"][-1]["content"]
    metrics = summarize(events)
    assert metrics.paper.tokens_in == 100 * len(by["LLMCallCompleted"]) and metrics.cost_usd is None
    db = tmp_path / "runs.db"
    run_id = record_run(db, s, events, metrics.to_dict())
    assert load_events(db, run_id) == events
    assert fake_key not in db.read_bytes().decode("latin-1")


def edit(path: str, body: str) -> str:
    return f'<edit_file path="{path}">\n{body}</edit_file>'


def test_a_lead_team_speaking_the_paper_harness_tags(mini_pack: Path, fake_key: str, tmp_path: Path) -> None:
    trim, gcd, add = reference("mu_poly_trim"), reference("mu_gcd"), reference("mu_poly_add", chained=True)
    turns = {
        "ada": [Reply(text='Splitting the work. <assign_task id="mu_poly_trim" to="bob"/>\n'
                           '<assign_task id="mu_gcd" to="cy"/> <broadcast>trim to bob, gcd to cy</broadcast>'),
                Reply(text='<assign_task id="mu_poly_add" to="bob"/><synthesize>trim and gcd are in</synthesize>')],
        "bob": [Reply(text=f'<claim_task id="mu_poly_trim"/>\n{edit("mu_poly_trim.py", trim)}\n'
                           '<complete_task id="mu_poly_trim"/>'),
                Reply(text=f'On it. {edit("mu_poly_add.py", add)} <claim_task id="mu_poly_add"/> <run_tests/>'
                           '<complete_task id="mu_poly_add"/>')],
        "cy": [Reply(text=f'<claim_task id="mu_gcd"/>{edit("mu_gcd.py", gcd)}<run_tests/><complete_task id="mu_gcd"/>'
                          '<delete_everything/>')],
    }
    with FakeOpenAI(Scripted(turns, default=Reply(text="Nothing for me. <wait/>"))) as server:
        s = scenario_from(scenario_text(mini_pack, server.url, arch="lead", protocol="tags"), tmp_path / "s.toml")
        _, events = run_engine(s)
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed", end
    assert [(e.agent, e.task, e.to) for e in events if isinstance(e, ev.TaskAssigned)] == [
        ("ada", "mu_poly_trim", "bob"), ("ada", "mu_gcd", "cy"), ("ada", "mu_poly_add", "bob")]
    assert sorted((e.agent, e.task) for e in events if isinstance(e, ev.TaskCompleted)) == [
        ("bob", "mu_poly_add"), ("bob", "mu_poly_trim"), ("cy", "mu_gcd")]
    assert any(isinstance(e, ev.MessageSent) and e.topic == "report" for e in events)  # <synthesize>
    assert [e.problem for e in events if isinstance(e, ev.ReplyRejected)] == [
        "unknown action tag <delete_everything>; the tags are: assign_task, broadcast, claim_task, complete_task, "
        "edit_file, read_file, release_task, request_status, run_tests, send, synthesize, wait"]
    assert all("tools" not in b and "<claim_task" in b["messages"][0]["content"] for b in server.bodies)
    lead_prompt = next(b for b in server.bodies if agent_of(b) == "ada")["messages"][0]["content"]
    assert "lead" in lead_prompt and "assign" in lead_prompt
