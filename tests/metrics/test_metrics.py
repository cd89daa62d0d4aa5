"""Metrics on literal, hand-written event lists (Maelstrom-style checkers), the empty one included: the figures
of the one reducer (`RunState`) and the summary record built from it."""

from __future__ import annotations

import pytest

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.metrics.summary import summarize
from teamtui.scenario.tasks import amdahl

START = ev.RunStarted(seq=0, t=0.0, scenario="s", seed=0, architecture="decentralized", execution="rounds",
                      consistency="none", model="sim", agents=("a", "b"), roles=("peer", "peer"),
                      tasks=(ev.TaskSpec("x", "x.py", (), 1.0), ev.TaskSpec("y", "y.py", ("x",), 1.0)))


def seqd(*events: ev.Event) -> list[ev.Event]:
    import msgspec

    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events)]


ROUNDS = seqd(
    START,
    ev.RoundStarted(t=0.0, round=1, waiting_on=("a", "b")),
    ev.LLMCallCompleted(t=2.0, agent="a", call=0, round=1, latency=2.0, tokens_in=10, tokens_out=5,
                        cost_usd=None, text=""),
    ev.FileWritten(t=2.0, agent="a", path="x.py", task="x", version=1, base_version=0, size=1),
    ev.LLMCallCompleted(t=6.0, agent="b", call=1, round=1, latency=6.0, tokens_in=20, tokens_out=7,
                        cost_usd=None, text=""),
    ev.FileWritten(t=6.0, agent="b", path="x.py", task="x", version=2, base_version=0, size=1),
    ev.TestsRan(t=6.0, agent="b", task="x", passed=False, exit_code=1, duration=0.0),
    ev.RoundEnded(t=6.0, round=1, slowest="b", duration=6.0),
    ev.RoundStarted(t=6.0, round=2, waiting_on=("a", "b")),
    ev.LLMCallCompleted(t=8.0, agent="a", call=2, round=2, latency=2.0, tokens_in=10, tokens_out=5,
                        cost_usd=None, text=""),
    ev.FileWritten(t=8.0, agent="a", path="x.py", task="x", version=3, base_version=2, size=1),
    ev.TestsRan(t=8.0, agent="a", task="x", passed=True, exit_code=0, duration=0.0),
    ev.TaskCompleted(t=8.0, agent="a", task="x"),
    ev.ClaimBlocked(t=8.0, agent="b", task="y", missing=("x",)),
    ev.RoundEnded(t=8.0, round=2, slowest="a", duration=2.0),
    ev.RunFinished(t=8.0, status="stranded", reason="", makespan=8.0, rounds=2, done=1, total=2),
)


def test_paper_metrics_on_a_literal_history() -> None:
    m = summarize(ROUNDS).paper
    assert m.rounds == 2
    assert m.messages == 3  # agent replies
    assert m.idle_rounds == 1  # round 1 had replies and no completion
    assert m.straggler_gap == pytest.approx(6.0 - 4.0)  # only round 1 has two replies
    assert m.concurrent_writes == 1  # (round 1, x.py) written by a and b
    assert m.rewrites == 1  # the round-2 write of x.py
    assert m.claims_blocked == 1
    assert m.test_failures == 1
    assert (m.tokens_in, m.tokens_out) == (40, 17)


def test_paper_metrics_on_the_empty_history() -> None:
    s = RunState()
    assert (s.max_round, s.replies, s.concurrent_writes(), s.rewrites(), s.tokens_in) == (0, 0, 0, 0, 0)
    assert s.idle_rounds() is None and s.straggler_gap() is None and s.idle_fraction() is None


def test_a_straggler_gap_needs_a_round_with_two_replies() -> None:
    """One agent per round: rounds, but no gap to measure (None, not 0)."""
    solo = seqd(START, ev.RoundStarted(t=0.0, round=1, waiting_on=("a",)),
                ev.LLMCallCompleted(t=2.0, agent="a", call=0, round=1, latency=2.0, tokens_in=1, tokens_out=1,
                                    cost_usd=None, text=""))
    state = RunState.of(solo)
    assert state.straggler_gap() is None and state.idle_rounds() == 1 and summarize(solo).paper.straggler_gap is None


def test_async_windows_are_one_median_call_latency_wide() -> None:
    """Without rounds, concurrent writes and rewrites use windows of the run's median call latency (here 4 s)."""
    def call(t: float, agent: str, latency: float) -> ev.Event:
        return ev.LLMCallCompleted(t=t, agent=agent, call=0, round=0, latency=latency, tokens_in=1, tokens_out=1,
                                   cost_usd=None, text="")

    def write(t: float, agent: str) -> ev.Event:
        return ev.FileWritten(t=t, agent=agent, path="x.py", task="x", version=1, base_version=0, size=1)

    events = seqd(START, call(1.0, "a", 1.0), write(1.0, "a"), ev.LockDenied(t=3.0, agent="b", path="x.py", holder="a"),
                  call(9.0, "b", 4.0), write(9.0, "b"), call(9.5, "a", 8.0), write(9.5, "a"))
    state = RunState.of(events)
    # windows: t 1 and 3 -> 1 (a and b: concurrent), t 9 and 9.5 -> 3 (a and b again: concurrent; two rewrites)
    assert (state.concurrent_writes(), state.rewrites()) == (2, 2)
    assert state.idle_rounds() is None and state.straggler_gap() is None
    # the live value converges: before the last call the median was 2.5 s and t 9.0 fell in window 4
    assert RunState.of(events[:-2]).rewrites() == 1


def test_waste_and_idle() -> None:
    state = RunState.of(ROUNDS)
    assert state.work_waste() == (1, 1)  # b's write is duplicate work; a's second write is rework
    idle = state.idle_by_agent()
    assert idle["a"] == pytest.approx(1 - 4.0 / 8.0)
    assert idle["b"] == pytest.approx(1 - 6.0 / 8.0)


def test_message_matrix_counts_broadcasts_per_recipient() -> None:
    events = seqd(START, ev.MessageSent(t=1, agent="a", msg=0, to=("b",), topic="claim", text=""),
                  ev.MessageSent(t=2, agent="b", msg=1, to=("a",), topic="chat", text=""),
                  ev.MessageSent(t=3, agent="b", msg=2, to=("a",), topic="chat", text=""))
    assert RunState.of(events).matrix == {"a": {"a": 0, "b": 1}, "b": {"a": 2, "b": 0}}
    assert summarize(events).message_matrix == {"a": {"a": 0, "b": 1}, "b": {"a": 2, "b": 0}}


def test_recovery_time_is_time_until_held_work_is_reclaimed() -> None:
    events = seqd(START,
                  ev.TaskClaimed(t=1, agent="a", task="x"),
                  ev.FaultInjected(t=5, agent="a", fault="kill", source="user"),
                  ev.AgentKilled(t=5, agent="a", held=("x",)),
                  ev.LeaseExpired(t=30, agent="a", task="x", holder="a"),
                  ev.TaskClaimed(t=31, agent="b", task="x", reclaimed_from="a"),
                  ev.TaskCompleted(t=40, agent="b", task="x"))
    (r,) = RunState.of(events).recoveries
    assert (r.fault, r.agent, r.held, r.reclaim_s, r.next_completion_s) == ("kill", "a", ("x",), 26.0, 35.0)
    assert r.reclaimed == {"x": 26.0}
    (m,) = summarize(events).recoveries
    assert (m.held, m.reclaim_s, m.next_completion_s) == (("x",), 26.0, 35.0)


def test_a_fault_on_an_agent_holding_nothing_has_nothing_to_reclaim() -> None:
    events = seqd(START, ev.FaultInjected(t=5, agent="b", fault="delay", source="user"),
                  ev.TaskCompleted(t=7, agent="a", task="x"))
    (r,) = RunState.of(events).recoveries
    assert (r.held, r.reclaim_s, r.next_completion_s) == ((), 0.0, 2.0)


def test_recovery_is_none_when_work_is_never_reclaimed() -> None:
    events = seqd(START, ev.TaskClaimed(t=1, agent="a", task="x"),
                  ev.FaultInjected(t=5, agent="a", fault="kill", source="schedule"))
    assert RunState.of(events).recoveries[0].reclaim_s is None


def test_summary_speedup_against_a_baseline_and_fault_cost() -> None:
    def run(makespan: float, with_fault: bool = False) -> list[ev.Event]:
        body: list[ev.Event] = [START]
        if with_fault:
            body.append(ev.FaultInjected(t=1, agent="a", fault="delay", source="schedule"))
        body += [ev.TaskCompleted(t=makespan / 2, agent="a", task="x"),
                 ev.TaskCompleted(t=makespan, agent="b", task="y"),
                 ev.RunFinished(t=makespan, status="completed", reason="", makespan=makespan, rounds=0, done=2,
                                total=2)]
        return seqd(*body)

    m = summarize(run(50.0, with_fault=True), baseline=run(80.0), fault_free=run(40.0))
    assert m.speedup == pytest.approx(80 / 50)
    assert m.efficiency == pytest.approx(80 / 50 / 2)
    assert m.fault_cost == pytest.approx(10.0)
    assert m.p == pytest.approx(0.0)  # x -> y is a chain: nothing is parallel
    assert m.amdahl_bound == pytest.approx(1.0)


def test_summary_refuses_a_log_without_run_started() -> None:
    with pytest.raises(ValueError, match="RunStarted"):
        summarize([])


@pytest.mark.parametrize(("p", "n", "bound"), [(0.5, 1, 1.0), (0.5, 4, 1.6), (0.9, 4, 1 / (0.1 + 0.225)),
                                               (0.2, 5, 1 / (0.8 + 0.04)), (1.0, 3, 3.0), (0.0, 5, 1.0)])
def test_amdahl(p: float, n: int, bound: float) -> None:
    assert amdahl(p, n) == pytest.approx(bound)


def test_event_json_round_trip() -> None:
    for e in ROUNDS:
        assert ev.decode(ev.encode(e)) == e


def test_the_headless_ticker_reads_the_states_figures() -> None:
    from teamtui.cli.headless import ticker
    from teamtui.metrics import text

    state = RunState.of(ROUNDS)
    assert ticker(state) == (f"idle {text.pct(0.375)} · straggler gap {text.secs(2.0)} · 0 conflicts · 0 recoveries")
    assert ticker(RunState.of([START])) == "idle 100% · 0 conflicts · 0 recoveries"  # no rounds: no gap to show
