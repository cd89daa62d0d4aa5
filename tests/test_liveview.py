"""The monitor's model, folded from literal event lists: agent badges, task states, incidents, recovery, counts
(the figures live in the view's `RunState`; the view adds the streams and the log)."""

from __future__ import annotations

import pytest

from teamtui.core import events as ev
from teamtui.ui.view import LiveView
from teamtui.ui.words import incident_text

START = ev.RunStarted(
    seq=0, t=0.0, scenario="s", seed=1, architecture="decentralized", execution="rounds", consistency="locking",
    model="sim", agents=("ada", "bob", "cy"), roles=("peer", "peer", "peer"),
    tasks=(ev.TaskSpec("a", "a.py", (), 1.0), ev.TaskSpec("b", "b.py", ("a",), 2.0), ev.TaskSpec("c", "c.py", (), 1.0)),
    p=0.5)


def fold(*events: ev.Event) -> LiveView:
    v = LiveView()
    for i, e in enumerate((START, *events)):
        v.apply(e if e.seq >= 0 else type(e)(**{**{f: getattr(e, f) for f in e.__struct_fields__}, "seq": i}))
    return v


def test_tasks_start_blocked_or_ready_and_follow_the_board() -> None:
    v = fold()
    assert [v.state.tasks[t].state for t in "abc"] == ["ready", "blocked", "ready"]
    v = fold(ev.TaskClaimed(t=1.0, agent="ada", task="a"), ev.TaskCompleted(t=2.0, agent="ada", task="a"))
    assert (v.state.tasks["a"].state, v.state.tasks["b"].state) == ("done", "ready")
    assert v.state.tasks["a"].completer == "ada" and v.state.tasks["a"].holder == ""
    assert v.agents["ada"].task == ""


def test_agent_badges_follow_calls_faults_and_detection() -> None:
    v = fold(ev.LLMCallStarted(t=1.0, agent="ada", call=0, round=1, model="sim"))
    assert v.agent_state("ada") == "thinking" and v.agent_state("bob") == "idle"
    v.apply(ev.LLMCallCompleted(seq=2, t=3.0, agent="ada", call=0, round=1, latency=2.0, tokens_in=100,
                                tokens_out=50, cost_usd=None, text="claim a"))
    assert v.agent_state("ada", now=3.1) == "acting"
    assert v.agent_state("ada", now=9.0) == "idle"
    v.apply(ev.TaskClaimed(seq=3, t=3.0, agent="ada", task="a"))
    assert v.agent_state("ada", now=9.0) == "waiting"
    v.apply(ev.StragglerDetected(seq=4, t=4.0, agent="bob", latency=9.0, team_median=2.0))
    v.apply(ev.AgentStalled(seq=5, t=5.0, agent="cy", since=1.0))
    v.apply(ev.AgentKilled(seq=6, t=6.0, agent="ada", held=("a",)))
    assert [v.agent_state(n) for n in ("ada", "bob", "cy")] == ["killed", "straggler", "stalled"]
    v.apply(ev.AgentRestarted(seq=7, t=7.0, agent="ada", incarnation=1))
    assert v.agent_state("ada") == "restarting"
    assert (v.state.tokens_in + v.state.tokens_out, v.agents["ada"].calls) == (150, 1)
    assert v.agents["ada"].incarnation == 1 and v.state.fate("ada") == "restarted" and v.state.fate("bob") == "alive"


def test_a_kill_of_an_agent_holding_work_records_its_recovery_time() -> None:
    v = fold(
        ev.TaskClaimed(t=1.0, agent="bob", task="c"),
        ev.FaultInjected(t=5.0, agent="bob", fault="kill", source="user"),
        ev.AgentKilled(t=5.0, agent="bob", held=("c",)),
        ev.LeaseExpired(t=17.0, agent="bob", task="c", holder="bob"),
        ev.TaskClaimed(t=18.5, agent="cy", task="c", reclaimed_from="bob"),
    )
    incidents = v.state.incident_list()
    assert [i.kind for i in incidents] == ["fault", "lease", "recovery"]
    fault = incidents[0]
    assert fault.recovered_in == pytest.approx(13.5)
    assert incident_text(fault).startswith("kill bob") and incident_text(fault).endswith("recovered in 13.5s")
    assert "13.5s after the kill" in incident_text(incidents[2])
    assert v.state.tasks["c"].reclaimed and v.state.tasks["c"].holder == "cy"
    (rec,) = v.state.recoveries
    assert (rec.held, rec.reclaim_s) == (("c",), pytest.approx(13.5))
    assert v.state.awaiting_reclaim == {} and v.state.open_faults() == []
    assert 1 in v.state.fault_bins  # t = 5 falls in the second 5-second bin


def test_a_kill_of_an_idle_agent_has_nothing_to_reclaim() -> None:
    v = fold(ev.FaultInjected(t=5.0, agent="bob", fault="kill", source="user"),
             ev.AgentKilled(t=5.0, agent="bob", held=()))
    assert v.state.awaiting_reclaim == {} and [i.kind for i in v.state.incident_list()] == ["fault"]
    (rec,) = v.state.recoveries
    assert rec.held == () and rec.reclaim_s == 0.0


def test_messages_fill_the_matrix_and_conflicts_are_counted() -> None:
    v = fold(
        ev.MessageSent(t=1.0, agent="ada", msg=0, to=("bob", "cy"), topic="claim", text="claiming a"),
        ev.MessageSent(t=2.0, agent="cy", msg=1, to=("ada",), topic="status", text="idle"),
        ev.ClaimConflicted(t=3.0, agent="cy", task="a", holder="ada"),
        ev.LockDenied(t=3.0, agent="cy", path="a.py", holder="ada"),
    )
    assert v.state.sent == 3 and v.state.agents["ada"].sent == 2
    assert v.state.matrix["ada"] == {"ada": 0, "bob": 1, "cy": 1} and v.state.matrix["cy"]["ada"] == 1
    assert (v.state.conflicts, v.state.claim_conflicts, v.state.lock_denied) == (2, 1, 1)
    assert [incident_text(i) for i in v.state.incident_list()] == ["claim conflict on a (held by ada)",
                                                                    "lock denied on a.py (held by ada)"]


def test_estimates_use_the_model_time_per_unit_of_work() -> None:
    v = fold(
        ev.LLMCallCompleted(t=4.0, agent="ada", call=0, round=1, latency=4.0, tokens_in=1, tokens_out=1,
                            cost_usd=None, text=""),
        ev.TaskClaimed(t=4.0, agent="ada", task="b"),
        ev.FileWritten(t=4.0, agent="ada", path="b.py", task="b", version=1, base_version=0, size=10),
        ev.TaskCompleted(t=5.0, agent="ada", task="a"),
    )
    st = v.state
    assert st.unit_time() == pytest.approx(2.0)  # 4 s for a subtask of work 2
    assert st.t1_estimate() == pytest.approx(8.0)  # total work 4 x 2 s
    assert v.t1() == (pytest.approx(8.0), True)
    assert v.bounds().amdahl == pytest.approx(1 / (0.5 + 0.5 / 3))
    assert st.speedup_estimate(st.t1_estimate()) == pytest.approx(8.0 * 1.0 / (5.0 * 4.0))  # work 1 of 4 done by 5 s
    assert st.speedup_estimate(10.0) == pytest.approx(10.0 * 1.0 / (5.0 * 4.0))  # a known T1 is used as it is
    assert st.throughput == [0, 1]


def test_the_speedup_estimate_converges_to_the_final_speedup() -> None:
    """At the end of a completed run the estimate is T1 / makespan; without T1 there is none (n/a)."""
    v = fold(ev.TaskCompleted(t=4.0, agent="ada", task="a"), ev.TaskCompleted(t=6.0, agent="bob", task="c"))
    assert v.state.speedup_estimate(12.0) == pytest.approx(12.0 * 2.0 / (6.0 * 4.0))
    v.apply(ev.TaskCompleted(seq=3, t=10.0, agent="cy", task="b"))
    assert v.state.speedup_estimate(12.0) == pytest.approx(12.0 / 10.0)  # all work done at now = makespan
    v.apply(ev.RunFinished(seq=4, t=10.0, status="completed", reason="", makespan=10.0, rounds=0, done=3, total=3))
    assert v.state.speedup(12.0) == v.state.speedup_estimate(12.0) == pytest.approx(1.2)
    assert v.t1() == (None, False) and v.state.speedup(None) is None
    v.baseline_makespan = 12.0
    assert v.t1() == (12.0, False)


def test_now_follows_the_clock_while_running_and_the_log_once_finished() -> None:
    v = fold(ev.LLMCallCompleted(t=2.0, agent="ada", call=0, round=1, latency=2.0, tokens_in=1, tokens_out=1,
                                 cost_usd=None, text=""),
             ev.FileWritten(t=2.0, agent="ada", path="a.py", task="a", version=1, base_version=0, size=1))
    v.state.advance(8.0)
    assert v.now == 8.0 and v.state.idle_by_agent()["ada"] == pytest.approx(1 - 2.0 / 8.0)
    v.apply(ev.RunFinished(seq=3, t=7.5, status="cancelled", reason="", makespan=7.5, rounds=0, done=0, total=3))
    v.state.advance(9.0)  # the clock after the end changes nothing: the figures are the log's
    assert v.now == 7.5 and v.state.idle_by_agent()["ada"] == pytest.approx(1 - 2.0 / 7.5)


def test_buffers_are_bounded() -> None:
    v = fold()
    for i in range(1, 20_000):
        v.apply(ev.MessageSent(seq=i, t=float(i), agent="ada", msg=i, to=("bob",), topic="chat", text="x"))
    assert len(v.log) == 5_000
    assert len(v.lines["ada"].stream) == 200
    assert v.state.sent == 19_999
