"""The direct estimators of `teamtui calibrate` on synthetic calls with known latency components, test rates and
bug hints, and the reading of calls from event lists (which reply a write or a test run belongs to)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from teamtui.core import events as ev
from teamtui.experiments.calibrate.calls import RunCalls, from_events
from teamtui.experiments.calibrate.direct import fit_direct

TRUE = {"intercept": 1.5, "files_slope": 0.6, "idle_intercept": 0.7, "run_sigma": 0.2, "agent_sigma": 0.15,
        "round_sigma": 0.25, "sigma": 0.4}


def synthetic(rng: np.random.Generator, runs: int) -> list[RunCalls]:
    """Runs of 1-4 agents over 10-30 rounds; each call idle with chance 0.4, else writes 1 + Poisson(1) files;
    log latency = the fixed part + run, agent, round effects + noise (normal, the TRUE sigmas)."""
    out = []
    for i in range(runs):
        agents, rounds = int(rng.integers(1, 5)), int(rng.integers(10, 31))
        run = rng.normal(0, TRUE["run_sigma"])
        agent = rng.normal(0, TRUE["agent_sigma"], agents)
        rnd = rng.normal(0, TRUE["round_sigma"], rounds + 1)
        r_idx = np.repeat(np.arange(1, rounds + 1), agents)
        a_idx = np.tile(np.arange(agents), rounds)
        files = np.where(rng.random(len(r_idx)) < 0.4, 0, 1 + rng.poisson(1.0, len(r_idx)))
        fixed = np.where(files > 0, TRUE["intercept"] + TRUE["files_slope"] * np.log(np.maximum(files, 1)),
                         TRUE["idle_intercept"])
        log_lat = fixed + run + agent[a_idx] + rnd[r_idx] + rng.normal(0, TRUE["sigma"], len(r_idx))
        tested = (files > 0) & (rng.random(len(r_idx)) < 0.8)
        tests = rng.exponential(2.0, int(tested.sum()))
        out.append(RunCalls(f"r{i}", r_idx.astype(np.int64), a_idx.astype(np.int64), np.exp(log_lat),
                            files.astype(np.int64), tested, tests, bool(rng.random() < 0.25)))
    return out


def test_the_latency_model_and_rates_are_recovered_with_honest_cis() -> None:
    """Over 30 synthetic data sets the cluster-bootstrap 95 % CIs cover each true value in most of them (a CI
    that is too narrow would cover far less), and the point estimates average out near the truth."""
    rng = np.random.default_rng(2026)
    hits = dict.fromkeys([*TRUE, "test_rate", "test_time_s", "bug_rate"], 0)
    est: dict[str, list[float]] = {k: [] for k in hits}
    truth = {**TRUE, "test_rate": 0.8, "test_time_s": 2.0, "bug_rate": 1 - 0.75 ** (1 / 20)}
    trials = 30
    for _ in range(trials):
        calls = synthetic(rng, 120)
        fit = fit_direct(calls, {c.run_id: True for c in calls}, resamples=300, seed=int(rng.integers(1 << 30)))
        values = {**{k: e for k, e in fit.latency.items()}, "test_rate": fit.test_rate,
                  "test_time_s": fit.test_time_s, "bug_rate": fit.bug_rate}
        for k, e in values.items():
            assert e is not None
            est[k].append(e.value)
            hits[k] += e.ci[0] <= truth[k] <= e.ci[1]
    for k in hits:
        assert hits[k] >= 0.8 * trials, (k, hits[k])  # nominal 95 %; 80 % allows for a binomial 30 and bootstrap bias
        assert np.mean(est[k]) == pytest.approx(truth[k], abs=0.1 * max(1.0, truth[k])), k


def test_components_that_are_absent_come_out_near_zero() -> None:
    rng = np.random.default_rng(5)
    calls = []
    for i in range(150):  # no run, agent or round effects: only call noise
        r_idx = np.repeat(np.arange(1, 21), 3)
        a_idx = np.tile(np.arange(3), 20)
        files = np.ones(60, dtype=np.int64)
        lat = np.exp(2.0 + rng.normal(0, 0.5, 60))
        calls.append(RunCalls(f"r{i}", r_idx, a_idx, lat, files, np.zeros(60, bool), np.zeros(0), None))
    fit = fit_direct(calls, {}, resamples=200)
    lat = {k: e.value for k, e in fit.latency.items()}
    assert lat["sigma"] == pytest.approx(0.5, abs=0.02)
    assert max(lat["run_sigma"], lat["agent_sigma"], lat["round_sigma"]) < 0.06
    assert fit.bug_rate is None and fit.notes  # no successful run with a test run: no hint
    assert fit.test_rate is not None and fit.test_rate.value == 0.0
    assert fit.test_time_s is None
    sim = fit.sim_values()
    assert "bug_rate" not in sim and "test_time_s" not in sim and sim["latency"]["files_slope"] >= 0


def test_writes_and_tests_belong_to_the_latest_reply_of_their_agent() -> None:
    call = 0

    def reply(agent: str, rnd: int, latency: float) -> ev.LLMCallCompleted:
        nonlocal call
        call += 1
        return ev.LLMCallCompleted(agent=agent, call=call, round=rnd, latency=latency, tokens_in=0, tokens_out=0,
                                   cost_usd=None, text="")

    def write(agent: str, path: str) -> ev.FileWritten:
        return ev.FileWritten(agent=agent, path=path, task="", version=1, base_version=0, size=0)

    def tests(agent: str, passed: bool) -> ev.TestsRan:
        return ev.TestsRan(agent=agent, task="", passed=passed, exit_code=0 if passed else 1, duration=1.5, output="")

    log = [reply("a", 1, 5.0), write("a", "x.py"), write("a", "y.py"), reply("b", 1, 7.0), tests("a", False),
           write("b", "z.py"), reply("a", 2, 2.0), reply("b", 2, 9.0), tests("b", True)]
    calls = from_events("run", log)
    assert calls.files.tolist() == [2, 1, 0, 0]
    assert calls.tested.tolist() == [True, False, False, True]
    assert calls.rounds.tolist() == [1, 1, 2, 2] and calls.agents.tolist() == [0, 1, 0, 1]
    assert calls.test_seconds.tolist() == [1.5, 1.5] and calls.last_test_failed is False
    assert calls.round_slowest().tolist() == [7.0, 9.0]
    assert math.isclose(float(calls.latency.sum()), 23.0)
