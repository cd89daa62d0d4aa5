"""Faults aimed by role and state in a running engine: what fires, at whom, and what the log records of it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from teamtui.core import events as ev
from teamtui.core.clock import WallClock
from teamtui.launch import new_engine
from teamtui.scenario.load import load_scenario

from ..conftest import CHAIN5, ROOT, run_engine, scenario_from

QUICKSTART = ROOT / "scenarios" / "quickstart.toml"


def team(faults: str, arch: str = "decentralized") -> str:
    return f"""
        [scenario]
        name = "aimed"
        seed = 3
        [team]
        size = 3
        architecture = "{arch}"
        [team.sim]
        think_time = {{ dist = "lognormal", median_s = 2.0, sigma = 0.3 }}
        {CHAIN5}
        [limits]
        lease_s = 8
        {faults}
    """


def reclaim_story(events: list[ev.Event]) -> tuple[str, tuple[str, ...], list[str]]:
    """The aimed kill's victim, what it held, and who reclaimed that work; asserting the order of the story."""
    fired = next(e for e in events if isinstance(e, ev.FaultInjected) and e.aim == "holder")
    kill = next(e for e in events if isinstance(e, ev.AgentKilled))
    assert kill.seq > fired.seq and kill.agent == fired.agent
    assert fired.why.startswith(f"holder: {kill.agent} holds")
    reclaims = [e for e in events if isinstance(e, ev.TaskClaimed) and e.reclaimed_from == kill.agent
                and e.seq > kill.seq]
    assert all(r.agent != kill.agent for r in reclaims)
    return kill.agent, kill.held, [r.task for r in reclaims]


@pytest.mark.parametrize("seed", range(10))
def test_quickstart_kills_a_holder_and_recovers_on_the_virtual_clock(seed: int) -> None:
    s = replace(load_scenario(QUICKSTART), seed=seed)
    _, events = run_engine(s)
    victim, held, reclaimed = reclaim_story(events)
    assert held, f"seed {seed}: {victim} held nothing when killed"
    assert set(held) <= set(reclaimed)
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed"


def test_quickstart_kills_a_holder_and_recovers_on_the_wall_clock() -> None:
    """The same story on a real (fast) wall clock, where timings follow the machine: only the order is asserted.
    The run's time limit and the kill's wait are lifted out of reach, so that a loaded machine (at speed 200 a
    wall second is 200 run seconds) can only make the run take longer, never cut it short."""
    quick = load_scenario(QUICKSTART)
    base = replace(quick, max_time_s=1e7, faults=tuple(replace(f, timeout_s=1e7) if f.when == "holding" else f
                                                       for f in quick.faults))
    assert any(f.aim == "holder" and f.when == "holding" for f in base.faults)

    async def one(seed: int) -> list[ev.Event]:
        engine = new_engine(replace(base, seed=seed), WallClock(speed=200.0))
        events = await engine.run()
        assert engine.error is None
        return events

    for seed in range(10):
        events = asyncio.run(one(seed))
        victim, held, reclaimed = reclaim_story(events)
        assert held and set(held) <= set(reclaimed), f"seed {seed}: {victim} held {held}, reclaimed {reclaimed}"
        assert isinstance(events[-1], ev.RunFinished) and events[-1].status == "completed"


def test_selector_is_resolved_at_fire_time_and_recorded() -> None:
    _, events = run_engine(scenario_from(team('[[faults]]\nat = 5\naction = "delay"\nagent = "slowest"\n'
                                              'factor = 2\nseconds = 3\n')))
    fired = next(e for e in events if isinstance(e, ev.FaultInjected))
    delayed = next(e for e in events if isinstance(e, ev.AgentDelayed))
    assert (fired.aim, fired.agent) == ("slowest", delayed.agent)
    latencies: dict[str, list[float]] = {}
    for e in events:
        if isinstance(e, ev.LLMCallCompleted) and e.seq < fired.seq:
            latencies.setdefault(e.agent, []).append(e.latency)
    slowest = max(latencies, key=lambda a: sum(latencies[a]) / len(latencies[a]))
    assert fired.agent == slowest and f"slowest: {slowest} takes" in fired.why


def test_random_picks_the_same_agent_on_a_rerun_of_the_seed() -> None:
    text = team('[[faults]]\nat = 4\naction = "kill"\nagent = "random"\n')
    picks = {seed: next(e.agent for e in run_engine(replace(scenario_from(text), seed=seed))[1]
                        if isinstance(e, ev.FaultInjected)) for seed in range(8)}
    assert picks == {seed: next(e.agent for e in run_engine(replace(scenario_from(text), seed=seed))[1]
                                if isinstance(e, ev.FaultInjected)) for seed in range(8)}
    assert len(set(picks.values())) > 1  # the seed matters


def test_holding_waits_for_a_named_agent_to_hold_work() -> None:
    _, events = run_engine(scenario_from(team('[[faults]]\nat = 0\naction = "kill"\nagent = "cy"\nwhen = "holding"\n')))
    kill = next(e for e in events if isinstance(e, ev.AgentKilled))
    assert kill.agent == "cy" and kill.held and kill.t > 0
    fired = next(e for e in events if isinstance(e, ev.FaultInjected))
    assert fired.aim == "" and "waited for it to hold work" in fired.why


def test_holding_gives_up_after_its_timeout_and_says_so() -> None:
    # Stalled from the start, cy never claims anything: the kill waits 5 s for it, then is recorded as skipped.
    _, events = run_engine(scenario_from(team('[[faults]]\nat = 0\naction = "stall"\nagent = "cy"\n'
                                              '[[faults]]\nat = 1\naction = "kill"\nagent = "cy"\nwhen = "holding"\n'
                                              'timeout_s = 5\n')))
    skipped = [e for e in events if isinstance(e, ev.FaultSkipped)]
    assert len(skipped) == 1 and skipped[0].t == pytest.approx(6.0)
    assert skipped[0].agent == "cy" and "gave up after 5s" in skipped[0].reason and "holds no subtask" in skipped[0].reason
    assert not any(isinstance(e, ev.AgentKilled) for e in events)


def test_a_selector_that_matches_nobody_at_fire_time_is_recorded() -> None:
    # At 0 s no call has completed, so "slowest" cannot be told: the fault is skipped, with the reason.
    _, events = run_engine(scenario_from(team('[[faults]]\nat = 0\naction = "kill"\nagent = "slowest"\n')))
    skipped = next(e for e in events if isinstance(e, ev.FaultSkipped))
    assert (skipped.aim, skipped.fault) == ("slowest", "kill") and "completed a call" in skipped.reason
    assert not any(isinstance(e, ev.AgentKilled | ev.FaultInjected) for e in events)


def test_lead_follows_the_election() -> None:
    text = team('[[faults]]\nat = 2\naction = "kill"\nagent = "lead"\n[[faults]]\nat = 20\naction = "kill"\n'
                'agent = "lead"\n', arch="lead")
    _, events = run_engine(scenario_from(text.replace("size = 3", "size = 4").replace("lease_s = 8", "stall_after_s = 10")))
    fired = [e for e in events if isinstance(e, ev.FaultInjected)]
    elected = next(e for e in events if isinstance(e, ev.LeaderElected) and e.previous)
    assert fired[0].agent == elected.previous and fired[1].agent == elected.agent
