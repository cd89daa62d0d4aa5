"""Property: malformed model output (tool calls or reply tags) never crashes a run; each one is recorded."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamtui.core import events as ev
from teamtui.core.agent import Claim, Complete, WriteFile
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.chat import to_completion
from teamtui.llm.protocol import MAX_FILE_CHARS
from teamtui.llm.scripted import ScriptedBackend
from tests.conftest import run_engine, solo_scenario

SCENARIO = solo_scenario("fuzz", 20)
ACTIONS = ["send", "broadcast", "claim", "release", "assign", "read_file", "write_file", "run_tests", "complete",
           "request_status", "wait"]
REQUIRED = {"send": "to", "broadcast": "text", "claim": "task", "release": "task", "assign": "task",
            "read_file": "path", "write_file": "path", "run_tests": "task", "complete": "task"}
HUGE = "@HUGE@"  # stands for a file body over the size limit (expanded in _run, kept short in reprs)

junk = st.text(max_size=40)
json_junk = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                         lambda inner: st.lists(inner, max_size=3), max_leaves=5)
bad_call = st.one_of(
    st.tuples(junk.filter(lambda n: n not in ACTIONS), junk),                        # unknown action
    st.tuples(st.sampled_from(ACTIONS), junk.map(lambda s: "{" + s)),               # JSON that does not parse
    st.tuples(st.sampled_from(ACTIONS), json_junk.filter(lambda v: not isinstance(v, dict)).map(json.dumps)),
    st.tuples(st.sampled_from(sorted(REQUIRED)), st.dictionaries(junk, junk, max_size=3).map(
        lambda d: json.dumps({k: v for k, v in d.items() if k not in REQUIRED.values()}))),  # a required field missing
    st.tuples(st.sampled_from(sorted(REQUIRED)), st.sampled_from([True, [], {}, ["x"], {"a": 1}]).map(
        lambda v: json.dumps({"task": v, "path": v, "to": v, "text": v}))),           # a field of the wrong type
    st.just(("write_file", json.dumps({"path": "a.py", "content": HUGE}))),         # over the size limit
)
tools_reply = st.tuples(junk, st.lists(bad_call, min_size=1, max_size=4))
bad_tag = st.one_of(
    st.tuples(st.text("abcdefghijkl", min_size=1, max_size=6), st.text("mnopqrstuvwxyz", min_size=1, max_size=6),
              st.sampled_from(["", ' x="y"', " "])).map(lambda t: f"<{t[0]}_{t[1]}{t[2]}/>"),  # unknown tags
    st.sampled_from(['<claim_task/>', '<claim_task id=a/>', '<complete_task id="">', '<assign_task id="a"/>',
                     '<edit_file path="a.py">never closed', '<read_file/>', '<run_tests id=3/>',
                     '<broadcast>no end', '<edit_file>no path</edit_file>', '<claim_task id=""/>']),
    st.just(f'<edit_file path="a.py">{HUGE}</edit_file>'),
)
tags_reply = st.tuples(junk, st.lists(bad_tag, min_size=1, max_size=4), junk).map(
    lambda t: t[0] + " ".join(t[1]) + t[2])


def _run(outputs: list[Any], protocol: str) -> list[ev.Event]:
    def handler(req: LLMRequest) -> Completion:
        if req.call < len(outputs):
            out = _expand(outputs[req.call])
            return to_completion(out[0], out[1], protocol) if protocol == "tools" else to_completion(out, [], "tags")
        return Completion("done", (Claim("a"), WriteFile("a.py", "x = 1\n"), Complete("a")))

    _, events = run_engine(SCENARIO, ScriptedBackend(handler))
    return events


def _expand(out: Any) -> Any:
    big = "x" * (MAX_FILE_CHARS + 1)
    if isinstance(out, str):
        return out.replace(HUGE, big)
    return out[0], [(n, a.replace(HUGE, big) if isinstance(a, str) else a) for n, a in out[1]]


def _check(outputs: list[Any], events: list[ev.Event]) -> None:
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed", end  # the run carried on
    rejected = {e.call for e in events if isinstance(e, ev.ReplyRejected)}
    assert rejected == set(range(len(outputs)))  # every malformed reply recorded, no valid one flagged


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(tools_reply, min_size=1, max_size=3))
def test_malformed_tool_calls_are_recorded_and_the_run_goes_on(outputs: list[Any]) -> None:
    _check(outputs, _run(outputs, "tools"))


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(tags_reply, min_size=1, max_size=3))
def test_malformed_reply_tags_are_recorded_and_the_run_goes_on(outputs: list[str]) -> None:
    _check(outputs, _run(outputs, "tags"))


name_or_junk = st.one_of(st.sampled_from(["a", "ada", "bob", "a.py", "x/y.py", "..", "/etc/passwd", ""]),
                         st.text(max_size=12))
valid_call = st.tuples(st.sampled_from(ACTIONS), st.fixed_dictionaries({}, optional={
    "task": name_or_junk, "to": name_or_junk, "path": name_or_junk, "text": st.text(max_size=20),
    "content": st.text(max_size=30)}).map(json.dumps))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(junk, st.lists(valid_call, min_size=1, max_size=5)), min_size=1, max_size=3))
def test_arbitrary_well_formed_actions_never_break_the_run(outputs: list[Any]) -> None:
    events = _run(outputs, "tools")
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed", end
    assert len([e for e in events if isinstance(e, ev.LLMCallCompleted)]) >= len(outputs)
