"""Deterministic engine tests on the virtual clock, with scripted and simulated agents."""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.core.agent import Claim, Complete, Wait, WriteFile
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.scripted import ScriptedBackend
from teamtui.metrics.summary import summarize

from ..conftest import CHAIN5, kinds, run_engine, scenario_from


def _worker(req: LLMRequest) -> Completion:
    """A scripted agent: holds -> writes+completes; else claims a ready subtask (spread by position)."""
    obs = req.observation
    mine = [t for t in obs.tasks if t.holder == obs.agent and t.state == "claimed"]
    ready = [t for t in obs.tasks if t.state == "ready"]
    spread = ready[obs.team.index(obs.agent) % len(ready)] if ready else None
    target = mine[0] if mine else spread
    if target is None:
        return Completion("wait", (Wait(),))
    acts = () if mine else (Claim(target.id),)
    return Completion("work", (*acts, WriteFile(target.file, "x = 1\n", target.id), Complete(target.id)))


def test_same_seed_same_log_byte_for_byte() -> None:
    s = scenario_from('[scenario]\nname = "det"\nseed = 11\n[team]\nsize = 3\n' + CHAIN5)
    _, a = run_engine(s)
    _, b = run_engine(s)
    assert ev.to_jsonl(a) == ev.to_jsonl(b)
    s2 = scenario_from('[scenario]\nname = "det"\nseed = 12\n[team]\nsize = 3\n' + CHAIN5)
    _, c = run_engine(s2)
    assert ev.to_jsonl(a) != ev.to_jsonl(c)


def test_run_ends_with_exactly_one_final_event_and_completes() -> None:
    s = scenario_from('[scenario]\nname = "x"\n[team]\nsize = 2\narchitecture = "preassigned"\n' + CHAIN5)
    _, events = run_engine(s, ScriptedBackend(_worker, latency=2.0))
    assert isinstance(events[0], ev.RunStarted)
    assert isinstance(events[-1], ev.RunFinished)
    assert kinds(events).count("RunFinished") == 1
    assert events[-1].status == "completed"
    assert [e.seq for e in events] == list(range(len(events)))
    assert {e.task for e in events if isinstance(e, ev.TaskCompleted)} == {"a", "b", "c", "d", "e"}


def test_killed_mid_call_is_abandoned_not_failed() -> None:
    s = scenario_from('[scenario]\nname = "k"\n[team]\nsize = 2\narchitecture = "decentralized"\n' + CHAIN5
                      + '[[faults]]\nat = 1.0\naction = "kill"\nagent = "bob"\n')
    _, events = run_engine(s, ScriptedBackend(_worker, latency=2.0))
    abandoned = [e for e in events if isinstance(e, ev.LLMCallAbandoned)]
    assert next((e.agent, e.reason) for e in abandoned) == ("bob", "agent killed")
    assert not any(isinstance(e, ev.LLMCallFailed) for e in events)
    assert not any(e.agent == "bob" for e in events if isinstance(e, ev.LLMCallStarted) and e.t > 1.0)
    assert events[-1].status == "completed"


def test_failed_backend_call_is_an_event_and_the_run_goes_on() -> None:
    calls = {"n": 0}

    def flaky(req: LLMRequest) -> Completion:
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("provider timed out")
        return _worker(req)

    s = scenario_from('[scenario]\nname = "f"\n[team]\nsize = 1\narchitecture = "preassigned"\n' + CHAIN5)
    _, events = run_engine(s, ScriptedBackend(flaky))
    failed = [e for e in events if isinstance(e, ev.LLMCallFailed)]
    assert len(failed) == 1 and "provider timed out" in failed[0].error
    assert events[-1].status == "completed"


def _slow_bob(req: LLMRequest) -> float:
    return 10.0 if req.agent == "bob" else 1.0


def _run_with_slow_bob(execution: str) -> list[ev.Event]:
    tasks = "".join(f'[[task.subtasks]]\nid = "t{i}"\n' for i in range(12))
    s = scenario_from(f'[scenario]\nname = "b"\n[team]\nsize = 3\narchitecture = "decentralized"\n'
                      f'execution = "{execution}"\n[limits]\nstall_after_s = 100\n[task]\n{tasks}')
    _, events = run_engine(s, ScriptedBackend(_worker, latency=_slow_bob))
    assert events[-1].status == "completed"
    return events


def test_barrier_in_rounds_makes_everyone_wait_for_the_straggler_but_async_does_not() -> None:
    rounds = _run_with_slow_bob("rounds")
    asyn = _run_with_slow_bob("async")
    # In rounds, every round lasts as long as bob's 10 s call: fast agents wait at the barrier.
    durations = [e.duration for e in rounds if isinstance(e, ev.RoundEnded)]
    assert durations and min(durations) >= 10.0
    fast_rounds = rounds_done_by(rounds, "ada")
    fast_async = rounds_done_by(asyn, "ada")
    assert fast_async > fast_rounds  # ada does more work when it need not wait for bob
    assert asyn[-1].makespan < rounds[-1].makespan


def rounds_done_by(events: list[ev.Event], agent: str) -> int:
    return sum(1 for e in events if isinstance(e, ev.TaskCompleted) and e.agent == agent)


def test_decentralized_kill_holder_work_is_reclaimed_after_lease() -> None:
    s = scenario_from('[scenario]\nname = "lease"\n[team]\nsize = 2\narchitecture = "decentralized"\n'
                      '[limits]\nlease_s = 20\n[task]\n[[task.subtasks]]\nid = "big"\nwork = 1\n'
                      '[[faults]]\nat = 1.5\naction = "kill"\nagent = "ada"\n')

    def slow_writer(req: LLMRequest) -> Completion:
        obs = req.observation
        ready = [t for t in obs.tasks if t.state == "ready"]
        [t for t in obs.tasks if t.holder == obs.agent and t.state == "claimed"]
        if req.agent == "ada" and ready:
            return Completion("claim only", (Claim(ready[0].id),))
        return _worker(req)

    _, events = run_engine(s, ScriptedBackend(slow_writer, latency=1.0))
    expired = [e for e in events if isinstance(e, ev.LeaseExpired)]
    assert expired and expired[0].holder == "ada"
    reclaim = [e for e in events if isinstance(e, ev.TaskClaimed) and e.agent == "bob"]
    assert reclaim and reclaim[0].reclaimed_from == "ada"
    assert events[-1].status == "completed"
    m = summarize(events)
    assert m.recoveries[0].held == ("big",)
    assert m.recoveries[0].reclaim_s is not None and m.recoveries[0].reclaim_s >= 20 - 1.5 - 1e-9


def test_preassigned_kill_strands_the_work_instead_of_hanging() -> None:
    tasks = "".join(f'[[task.subtasks]]\nid = "t{i}"\n' for i in range(6))
    s = scenario_from('[scenario]\nname = "strand"\n[team]\nsize = 2\narchitecture = "preassigned"\n'
                      f'[limits]\nmax_time_s = 100000\n[task]\n{tasks}'
                      '[[faults]]\nat = 0.5\naction = "kill"\nagent = "bob"\n')
    _, events = run_engine(s)
    end = events[-1]
    assert end.status == "stranded"
    assert end.done < end.total
    stranded = next(e for e in events if isinstance(e, ev.WorkStranded))
    assert stranded.tasks and end.t < 1000  # ended long before the time limit


def test_lead_reassigns_dead_workers_work_and_elects_on_lead_death() -> None:
    tasks = "".join(f'[[task.subtasks]]\nid = "t{i}"\n' for i in range(8))
    s = scenario_from('[scenario]\nname = "lead"\nseed = 2\n[team]\nsize = 4\narchitecture = "lead"\n'
                      f'[limits]\nstall_after_s = 30\n[task]\n{tasks}'
                      '[[faults]]\nat = 8\naction = "kill"\nagent = "bob"\n'
                      '[[faults]]\nat = 40\naction = "kill"\nagent = "ada"\n')
    _, events = run_engine(s)
    assert events[-1].status == "completed"
    killed_bob = next(e for e in events if isinstance(e, ev.AgentKilled) and e.agent == "bob")
    for task in killed_bob.held:
        assert any(isinstance(e, ev.TaskClaimed) and e.task == task and e.agent != "bob" for e in events)
    elected = [e for e in events if isinstance(e, ev.LeaderElected)]
    assert elected and elected[0].previous == "ada"


def test_lead_without_failover_strands_after_lead_death() -> None:
    tasks = "".join(f'[[task.subtasks]]\nid = "t{i}"\ndepends_on = ["t{i - 1}"]\n' if i else '[[task.subtasks]]\nid = "t0"\n'
                    for i in range(6))
    s = scenario_from('[scenario]\nname = "lead"\n[team]\nsize = 3\narchitecture = "lead"\nlead_failover = "none"\n'
                      f'[task]\n{tasks}[[faults]]\nround = 2\naction = "kill"\nagent = "ada"\n')
    _, events = run_engine(s)
    assert events[-1].status == "stranded"


def test_partition_drops_messages_across_groups_and_heal_restores() -> None:
    s = scenario_from('[scenario]\nname = "p"\n[team]\nsize = 3\n' + CHAIN5
                      + '[[faults]]\nat = 0\naction = "partition"\nagent = "cy"\nseconds = 15\n')
    _, events = run_engine(s)
    dropped = [e for e in events if isinstance(e, ev.MessageDropped) and e.reason == "partition"]
    assert dropped and all("cy" in (e.agent, e.sender) for e in dropped)
    healed = next(e for e in events if isinstance(e, ev.NetworkHealed))
    assert healed.t == 15.0
    assert not any(isinstance(e, ev.MessageDropped) and e.reason == "partition" and e.t > 15.0 for e in events)


def test_delay_marks_a_straggler_and_stall_is_detected_then_recovers() -> None:
    tasks = "".join(f'[[task.subtasks]]\nid = "t{i}"\n' for i in range(16))
    s = scenario_from('[scenario]\nname = "d"\n[team]\nsize = 3\nexecution = "async"\n'
                      f"[limits]\nstall_after_s = 4\n[task]\n{tasks}"
                      '[[faults]]\nat = 1\naction = "delay"\nagent = "bob"\nfactor = 3\n'
                      '[[faults]]\nat = 2\naction = "stall"\nagent = "cy"\nseconds = 10\n')
    _, events = run_engine(s, ScriptedBackend(_worker, latency=1.0))
    assert any(isinstance(e, ev.StragglerDetected) and e.agent == "bob" for e in events)
    stalled = next(e for e in events if isinstance(e, ev.AgentStalled))
    assert stalled.agent == "cy"
    assert any(isinstance(e, ev.AgentResumed) and e.agent == "cy" and e.t == 12.0 for e in events)
    assert events[-1].status == "completed"


def test_engine_inject_api_applies_a_live_fault() -> None:
    s = scenario_from('[scenario]\nname = "i"\n[team]\nsize = 2\n' + CHAIN5)
    from teamtui.core.faults import Kill

    def during(engine):  # type: ignore[no-untyped-def]
        async def later() -> None:
            await engine.clock.sleep(3.0)
            engine.inject(Kill("ada"))

        engine.spawn(later())

    _, events = run_engine(s, during=during)
    inj = next(e for e in events if isinstance(e, ev.FaultInjected))
    assert (inj.source, inj.fault, inj.agent, inj.t) == ("user", "kill", "ada", 3.0)
    assert any(isinstance(e, ev.AgentKilled) and e.agent == "ada" for e in events)


def test_faults_on_a_dead_agent_are_recorded_and_have_no_effect() -> None:
    s = scenario_from('[scenario]\nname = "dead"\n[team]\nsize = 2\narchitecture = "decentralized"\n' + CHAIN5 + """
[[faults]]
at = 1
action = "kill"
agent = "bob"
[[faults]]
at = 2
action = "delay"
agent = "bob"
[[faults]]
at = 3
action = "stall"
agent = "bob"
[[faults]]
at = 4
action = "kill"
agent = "bob"
""")
    _, events = run_engine(s, ScriptedBackend(_worker, latency=2.0))
    assert [e.fault for e in events if isinstance(e, ev.FaultInjected)] == ["kill", "delay", "stall", "kill"]
    assert len([e for e in events if isinstance(e, ev.AgentKilled)]) == 1
    assert not [e for e in events if isinstance(e, ev.AgentDelayed | ev.AgentStallInjected)]
    assert isinstance(events[-1], ev.RunFinished) and events[-1].status == "completed"


def test_with_real_models_emit_scrubs_every_string_field_but_the_agent() -> None:
    from teamtui.core.clock import VirtualClock, run_virtual
    from teamtui.launch import new_engine

    s = scenario_from('[scenario]\nname = "keys"\n[team]\nsize = 2\nmodel = "openai/gpt-test"\n' + CHAIN5)

    async def main() -> tuple[ev.MessageSent, ev.ActionRejected]:
        engine = new_engine(s, VirtualClock(), backend=ScriptedBackend(_worker))
        assert engine.real_models
        sent = engine.emit(ev.MessageSent(agent="ada", msg=0, to=("bob",), topic="chat", text="sk-abcdefgh12345678"))
        refused = engine.emit(ev.ActionRejected(agent="bob", action="send", reason="api_key=abcdefgh12345678"))
        return sent, refused

    sent, refused = run_virtual(main())
    assert (sent.seq, sent.agent, sent.to, sent.topic, refused.seq, refused.agent) == (0, "ada", ("bob",), "chat", 1, "bob")
    assert "abcdefgh12345678" not in sent.text + refused.reason
