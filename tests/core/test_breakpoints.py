"""Breakpoints matched on literal event lists: `teamtui.core.breakpoints` is pure (no engine, no UI)."""

from __future__ import annotations

import pytest

from teamtui.core import events as ev
from teamtui.core.breakpoints import KINDS, Breakpoint, build, first_hit, parse

LOG: list[ev.Event] = [
    ev.LLMCallCompleted(seq=0, t=1.0, agent="ada", call=1, round=1, latency=1.0, tokens_in=1, tokens_out=1,
                        cost_usd=0.2, text="claim a"),
    ev.MessageSent(seq=1, t=1.0, agent="ada", msg=1, to=("bob",), topic="chat", text="I fear a DeadLock here"),
    ev.TestsRan(seq=2, t=2.0, agent="bob", task="a", passed=False, exit_code=1, duration=0.5),
    ev.ClaimConflicted(seq=3, t=3.0, agent="bob", task="a", holder="ada"),
    ev.LLMCallCompleted(seq=4, t=4.0, agent="bob", call=2, round=2, latency=1.0, tokens_in=1, tokens_out=1,
                        cost_usd=0.2, text="write a"),
    ev.TestsRan(seq=5, t=5.0, agent="bob", task="a", passed=False, exit_code=1, duration=0.5),
    ev.AgentKilled(seq=6, t=6.0, agent="ada", held=("a", "b")),
    ev.AgentStalled(seq=7, t=7.0, agent="cy", since=1.0),
    ev.StragglerDetected(seq=8, t=8.0, agent="dee", latency=9.0, team_median=2.0),
    ev.TaskClaimed(seq=9, t=20.0, agent="bob", task="a", reclaimed_from="ada"),
    ev.RoundStarted(seq=10, t=40.0, round=9, waiting_on=()),
    ev.TaskClaimed(seq=11, t=41.0, agent="cy", task="b", reclaimed_from="ada"),
]


@pytest.mark.parametrize(("spec", "seq", "words"), [
    ("conflict", 3, "bob ClaimConflicted"),
    ("stall", 7, "cy silent since 1.0s"),
    ("straggler", 8, "dee at 9.0s per call"),
    ("recovery", 9, "bob reclaimed a from ada"),
    ("no_recovery:30", 6, "30s after ada was killed, b not reclaimed"),   # at 40 s, b (not a) still waits
    ("no_recovery:10", 6, "a, b not reclaimed"),                           # met by the claim at 20 s, before a goes
    ("test_failures", 2, "failed its tests 1 time"),
    ("test_failures:2", 5, "failed its tests 2 times"),
    ("cost:0.3", 4, "past $0.3"),
    ("message:/deadlock/i", 1, "ada's message matches"),
    ("message:claim", 0, "ada's reply matches"),
])
def test_first_hit(spec: str, seq: int, words: str) -> None:
    hit = first_hit(LOG, [parse(spec)])
    assert hit is not None and hit.event.seq == seq
    assert words in hit.reason


@pytest.mark.parametrize("spec", ["no_recovery:60", "test_failures:3", "cost:0.4", "message:/deadlock/",
                                  "message:nothing like it"])
def test_no_hit(spec: str) -> None:
    assert first_hit(LOG, [parse(spec)]) is None


def test_the_earliest_event_wins_among_several_breakpoints() -> None:
    hit = first_hit(LOG, [parse("straggler"), parse("conflict")])
    assert hit is not None and hit.breakpoint.kind == "conflict"
    assert first_hit([], [parse("conflict")]) is None


@pytest.mark.parametrize(("spec", "message"), [
    ("confict", "unknown breakpoint kind 'confict'; kinds: conflict"),
    ("message:/(unclosed/", "does not compile as a regular expression"),
    ("message", "needs a pattern"),
    ("cost", "needs the dollars"),
    ("cost:lots", "'lots' is not a number"),
    ("stall:3", "takes no argument"),
    ("test_failures:0", "at least 1"),
    ("no_recovery:-1", "above 0"),
    ("no_recovery:inf", "above 0"),
])
def test_bad_specs_say_what_to_fix(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse(spec)
    assert message in str(info.value)


def test_build_refuses_a_setting_the_kind_does_not_take() -> None:
    with pytest.raises(ValueError, match="does not take times; it takes usd"):
        build("cost", usd=1.0, times=2)
    assert build("message", pattern="/x/i") == Breakpoint("message", pattern="x", ignore_case=True)
    assert str(parse("message:/x/i")) == "message:/x/i" and str(parse("no_recovery")) == "no_recovery:30"
    assert all(parse(k if k not in ("cost", "message") else f"{k}:1") for k in KINDS)
