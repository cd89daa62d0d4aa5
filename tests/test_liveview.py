"""The monitor's model, folded from literal event lists: agent badges, task states, incidents, recovery, counts."""

from __future__ import annotations

import pytest

from teamtui.core import events as ev
from teamtui.ui.view import LiveView

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
    assert [v.tasks[t].state for t in "abc"] == ["ready", "blocked", "ready"]
    v = fold(ev.TaskClaimed(t=1.0, agent="ada", task="a"), ev.TaskCompleted(t=2.0, agent="ada", task="a"))
    assert (v.tasks["a"].state, v.tasks["b"].state) == ("done", "ready")
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
    assert (v.tokens, v.agents["ada"].calls) == (150, 1)


def test_a_kill_of_an_agent_holding_work_records_its_recovery_time() -> None:
    v = fold(
        ev.TaskClaimed(t=1.0, agent="bob", task="c"),
        ev.FaultInjected(t=5.0, agent="bob", fault="kill", source="user"),
        ev.AgentKilled(t=5.0, agent="bob", held=("c",)),
        ev.LeaseExpired(t=17.0, agent="bob", task="c", holder="bob"),
        ev.TaskClaimed(t=18.5, agent="cy", task="c", reclaimed_from="bob"),
    )
    kinds = [i.kind for i in v.incidents]
    assert kinds == ["fault", "lease", "recovery"]
    fault = v.incidents[0]
    assert fault.text.startswith("kill bob") and fault.text.endswith("recovered in 13.5s")
    assert "13.5s after the kill" in v.incidents[2].text
    assert v.tasks["c"].reclaimed and v.tasks["c"].holder == "cy"
    assert v.open_faults == []
    assert 1 in v.fault_bins  # t = 5 falls in the second 5-second bin


def test_a_kill_of_an_idle_agent_opens_no_recovery() -> None:
    v = fold(ev.FaultInjected(t=5.0, agent="bob", fault="kill", source="user"),
             ev.AgentKilled(t=5.0, agent="bob", held=()))
    assert v.open_faults == [] and [i.kind for i in v.incidents] == ["fault"]


def test_messages_fill_the_matrix_and_conflicts_are_counted() -> None:
    v = fold(
        ev.MessageSent(t=1.0, agent="ada", msg=0, to=("bob", "cy"), topic="claim", text="claiming a"),
        ev.MessageSent(t=2.0, agent="cy", msg=1, to=("ada",), topic="status", text="idle"),
        ev.ClaimConflicted(t=3.0, agent="cy", task="a", holder="ada"),
        ev.LockDenied(t=3.0, agent="cy", path="a.py", holder="ada"),
    )
    assert v.messages == 3
    assert v.matrix["ada"] == {"ada": 0, "bob": 1, "cy": 1} and v.matrix["cy"]["ada"] == 1
    assert v.conflicts == 2
    assert [i.text for i in v.incidents] == ["claim conflict on a (held by ada)", "lock denied on a.py (held by ada)"]


def test_estimates_use_the_model_time_per_unit_of_work() -> None:
    v = fold(
        ev.LLMCallCompleted(t=4.0, agent="ada", call=0, round=1, latency=4.0, tokens_in=1, tokens_out=1,
                            cost_usd=None, text=""),
        ev.TaskClaimed(t=4.0, agent="ada", task="b"),
        ev.FileWritten(t=4.0, agent="ada", path="b.py", task="b", version=1, base_version=0, size=10),
        ev.TaskCompleted(t=5.0, agent="ada", task="a"),
    )
    est = v.estimates()
    assert v.unit_time() == pytest.approx(2.0)  # 4 s for a subtask of work 2
    assert est["t1_est"] == pytest.approx(8.0)  # total work 4 x 2 s
    assert est["bound"] == pytest.approx(1 / (0.5 + 0.5 / 3))
    assert est["speedup_est"] == pytest.approx(1.0 * 2.0 / 5.0)
    assert v.throughput == [0, 1]


def test_buffers_are_bounded() -> None:
    v = fold()
    for i in range(1, 20_000):
        v.apply(ev.MessageSent(seq=i, t=float(i), agent="ada", msg=i, to=("bob",), topic="chat", text="x"))
    assert len(v.log) == 5_000
    assert len(v.agents["ada"].stream) == 200
    assert v.messages == 19_999
