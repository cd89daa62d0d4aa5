"""Slow calls: a round whose barrier gave up on its agents waits for them, it does not burn rounds while they think."""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.llm.scripted import ScriptedBackend

from ..conftest import CHAIN5, run_engine, scenario_from
from .test_engine import _worker


def test_calls_slower_than_the_barrier_are_waited_for_not_abandoned() -> None:
    # Every call takes 100 s, the barrier gives up after 10 s: while both agents are still in their calls
    # nobody can take a turn, and that must not count against max_rounds (it ended the run at t ≈ 16 s with
    # both calls abandoned, "round_limit", before the fix).
    s = scenario_from('[scenario]\nname = "slow"\n[team]\nsize = 2\narchitecture = "decentralized"\n' + CHAIN5
                      + "[limits]\nstall_after_s = 10\nmax_rounds = 8\n")
    _, events = run_engine(s, ScriptedBackend(_worker, latency=100.0))
    end = events[-1]
    assert isinstance(end, ev.RunFinished)
    assert (end.status, end.done) == ("completed", 5), end.reason
    # only a call still going when the last subtask completed is dropped, at the very end
    assert all(e.t == end.t for e in events if isinstance(e, ev.LLMCallAbandoned))
    rounds = [e for e in events if isinstance(e, ev.RoundStarted)]
    assert all(e.waiting_on for e in rounds), "a round was started with nobody to wait on"
    assert end.rounds <= 8


def test_a_team_that_is_all_busy_still_ends_at_the_time_limit() -> None:
    # Waiting for calls is bounded by max_time_s: a call that never returns cannot hold the run forever.
    s = scenario_from('[scenario]\nname = "stuck"\n[team]\nsize = 1\narchitecture = "decentralized"\n' + CHAIN5
                      + "[limits]\nstall_after_s = 10\nmax_rounds = 8\nmax_time_s = 500\n")
    _, events = run_engine(s, ScriptedBackend(_worker, latency=10_000.0))
    end = events[-1]
    assert isinstance(end, ev.RunFinished)
    assert end.status == "time_limit"
    assert end.rounds == 1
