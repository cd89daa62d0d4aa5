"""Kim et al.'s coordination figures and the paper's per-round straggler gaps on literal, hand-written event lists."""

from __future__ import annotations

import msgspec
import pytest

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.metrics.summary import summarize


def seqd(*events: ev.Event) -> list[ev.Event]:
    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events)]


def start(agents: tuple[str, ...]) -> ev.RunStarted:
    return ev.RunStarted(scenario="s", seed=0, architecture="decentralized", execution="rounds", consistency="none",
                         model="sim", agents=agents, roles=("peer",) * len(agents),
                         tasks=(ev.TaskSpec("x", "x.py", (), 1.0),))


def reply(t: float, agent: str, rnd: int, latency: float) -> ev.LLMCallCompleted:
    return ev.LLMCallCompleted(t=t, agent=agent, call=0, round=rnd, latency=latency, tokens_in=1, tokens_out=1,
                               cost_usd=None, text="")


def end(t: float, status: str) -> ev.RunFinished:
    return ev.RunFinished(t=t, status=status, reason="", makespan=t, rounds=3, done=1, total=1)


def team(status: str = "completed") -> list[ev.Event]:
    """Two agents, six replies in three rounds, three messages (a → b once, b → a twice)."""
    return seqd(start(("a", "b")),
                ev.RoundStarted(t=0.0, round=1, waiting_on=("a", "b")), reply(1.0, "a", 1, 1.0),
                reply(2.0, "b", 1, 2.0),
                ev.MessageSent(t=2.0, agent="a", msg=1, to=("b",), topic="claim", text=""),
                ev.RoundStarted(t=2.0, round=2, waiting_on=("a", "b")), reply(3.0, "a", 2, 1.0),
                reply(4.0, "b", 2, 2.0),
                ev.MessageSent(t=4.0, agent="b", msg=2, to=("a",), topic="status", text=""),
                ev.MessageSent(t=4.0, agent="b", msg=3, to=("a",), topic="status", text=""),
                ev.RoundStarted(t=4.0, round=3, waiting_on=("a", "b")), reply(5.0, "a", 3, 1.0),
                reply(6.0, "b", 3, 2.0), ev.TaskCompleted(t=6.0, agent="a", task="x"), end(6.0, status))


def solo(status: str = "completed") -> list[ev.Event]:
    """One agent, four replies."""
    return seqd(start(("a",)), *(x for r in range(1, 5) for x in (
        ev.RoundStarted(t=2.0 * (r - 1), round=r, waiting_on=("a",)), reply(2.0 * r, "a", r, 2.0))),
        end(8.0, status))


def test_kim_figures_of_a_team_against_its_1_agent_run() -> None:
    k = summarize(team(), baseline=solo()).kim
    assert k is not None
    assert (k.turns, k.baseline_turns) == (6, 4)
    assert k.coordination_overhead == pytest.approx(6 / 4 - 1)  # Kim's O = 50 %
    assert k.coordination_efficiency == pytest.approx(1 / (6 / 4))  # success 1 over the turn ratio
    assert k.error_amplification is None  # the baseline did not fail: a failure-rate ratio is undefined
    assert k.message_density == pytest.approx(3 / 6)  # messages per recipient, per turn


def test_error_amplification_needs_a_baseline_that_failed() -> None:
    failed_solo = solo("round_limit")
    ok = summarize(team(), baseline=failed_solo).kim
    bad = summarize(team("round_limit"), baseline=failed_solo).kim
    assert ok is not None and bad is not None
    assert ok.error_amplification == 0.0 and bad.error_amplification == 1.0
    assert bad.coordination_efficiency == 0.0  # a failed run has no success to share out


def test_without_a_baseline_only_the_message_density_is_measured() -> None:
    k = summarize(team()).kim
    assert k is not None
    assert (k.turns, k.baseline_turns, k.coordination_overhead, k.coordination_efficiency, k.error_amplification) == (
        6, None, None, None, None)
    assert k.message_density == pytest.approx(0.5)
    alone = summarize(solo()).kim
    assert alone is not None and alone.message_density == 0.0  # measured: none sent


def test_round_gaps_keep_only_latencies_inside_the_papers_window() -> None:
    events = seqd(start(("a", "b", "c")),
                  ev.RoundStarted(t=0.0, round=1, waiting_on=("a", "b", "c")),
                  reply(2.0, "a", 1, 2.0), reply(6.0, "b", 1, 6.0), reply(200.0, "c", 1, 200.0),
                  ev.RoundStarted(t=200.0, round=2, waiting_on=("a", "b", "c")),
                  reply(200.0, "a", 2, 0.0), reply(205.0, "b", 2, 5.0),
                  ev.RoundStarted(t=205.0, round=3, waiting_on=("a", "b", "c")),
                  reply(208.0, "c", 3, 3.0), reply(215.0, "a", 3, 10.0), reply(216.0, "b", 3, 11.0),
                  end(216.0, "completed"))
    state = RunState.of(events)
    # round 1: 200 s is outside (0, 180): gap over 2 and 6; round 2: a 0 s latency is outside too, one reply
    # is left, so no gap; round 3: 11 − 8
    assert state.round_gaps() == pytest.approx([6.0 - 4.0, 11.0 - 8.0])
    assert summarize(events).paper.round_gaps == pytest.approx((2.0, 3.0))
    assert state.straggler_gap() == pytest.approx(((200 - 208 / 3) + (5 - 2.5) + 3.0) / 3)  # unfiltered, unchanged
    assert RunState.restore(state.snapshot()) == state


def test_an_async_run_has_no_round_gaps() -> None:
    events = seqd(msgspec.structs.replace(start(("a", "b")), execution="async"), reply(1.0, "a", 0, 1.0),
                  reply(2.0, "b", 0, 2.0), end(2.0, "completed"))
    assert RunState.of(events).round_gaps() is None and summarize(events).paper.round_gaps is None
