"""The harness-faithful simulated team, mechanism by mechanism, on literal scenarios on the virtual clock."""

from __future__ import annotations

import math
import random
import statistics
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.agent import Complete, RunTests, WriteFile
from teamtui.core.errors import ScenarioError
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.scripted import ScriptedBackend
from teamtui.scenario.profiles import SHIPPED

from ..conftest import CHAIN5, run_engine, scenario_from

HARNESS = """
[scenario]
name = "harness"
seed = {seed}
[team]
size = {size}
architecture = "{arch}"
consistency = "none"
[team.sim]
verify = "harness"
{sim}
[limits]
max_rounds = {rounds}
lease_s = 100000
stall_after_s = 100000
"""


def harness(size: int = 1, arch: str = "preassigned", sim: str = "", seed: int = 1, rounds: int = 60,
            tasks: str = CHAIN5) -> object:
    return scenario_from(HARNESS.format(size=size, arch=arch, sim=sim, seed=seed, rounds=rounds) + tasks)


def kinds_of(events: list[ev.Event], kind: type[ev.Event]) -> list[ev.Event]:
    return [e for e in events if isinstance(e, kind)]


def per_call(events: list[ev.Event], kind: type[ev.Event]) -> list[int]:
    """How many events of `kind` follow each completed call of an agent, before that agent's next call."""
    counts: list[int] = []
    current: dict[str, int] = {}
    for e in events:
        if isinstance(e, ev.LLMCallCompleted):
            current[e.agent] = len(counts)
            counts.append(0)
        elif isinstance(e, kind) and e.agent in current:
            counts[current[e.agent]] += 1
    return counts


def test_the_harness_rule_completes_an_assigned_subtask_without_claim_tests_or_dependencies() -> None:
    # One scripted reply that writes and completes everything at once, in the harness's order.
    def everything(req: LLMRequest) -> Completion:
        obs = req.observation
        todo = [t for t in obs.tasks if t.state != "done"]
        return Completion("all", (*[WriteFile(t.file, "x = 1\n", t.id, None, True) for t in todo],
                                  *[Complete(t.id) for t in todo]))

    _, events = run_engine(harness(), ScriptedBackend(everything))
    done = kinds_of(events, ev.TaskCompleted)
    assert len(done) == 5 and len(kinds_of(events, ev.LLMCallCompleted)) == 1
    assert not kinds_of(events, ev.TestsRan)  # advisory tests: none needed to complete
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed" and end.tests_pass is True


def test_under_the_harness_rule_only_the_holder_or_assignee_may_complete() -> None:
    def grab(req: LLMRequest) -> Completion:
        others = [t for t in req.observation.tasks if t.assigned_to not in ("", req.agent) and t.state != "done"]
        return Completion("theirs", tuple(Complete(t.id) for t in others[:1]))

    s = harness(size=2, rounds=2)
    _, events = run_engine(s, ScriptedBackend(grab))
    rejected = kinds_of(events, ev.CompletionRejected)
    assert rejected and not kinds_of(events, ev.TaskCompleted)
    assert all("held by nobody" in e.reason for e in rejected)  # type: ignore[attr-defined]


def test_a_whole_suite_test_run_is_advisory_and_fails_until_every_file_is_right() -> None:
    def write_one(req: LLMRequest) -> Completion:
        t = next(t for t in req.observation.tasks if t.state != "done")
        return Completion("one", (WriteFile(t.file, "x\n", t.id, None, True), RunTests(""), Complete(t.id)))

    _, events = run_engine(harness(), ScriptedBackend(write_one))
    runs = kinds_of(events, ev.TestsRan)
    assert [r.passed for r in runs] == [False] * 4 + [True]  # type: ignore[attr-defined]
    assert all(r.task == "" for r in runs)  # type: ignore[attr-defined]
    assert len(kinds_of(events, ev.TaskCompleted)) == 5


def test_a_run_marked_done_with_a_bug_records_that_the_tests_do_not_pass() -> None:
    def buggy(req: LLMRequest) -> Completion:
        todo = [t for t in req.observation.tasks if t.state != "done"]
        return Completion("bug", (*[WriteFile(t.file, "x\n", t.id, None, t.id != "c") for t in todo],
                                  *[Complete(t.id) for t in todo]))

    _, events = run_engine(harness(), ScriptedBackend(buggy))
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed" and end.tests_pass is False


def test_batches_grow_with_files_per_turn_and_bursts_take_everything() -> None:
    def files(sim: str) -> list[int]:
        out: list[int] = []
        for seed in range(8):
            _, events = run_engine(harness(sim=sim, seed=seed))
            out += [n for n in per_call(events, ev.FileWritten) if n]
        return out

    one = files("")
    assert set(one) == {1}
    many = files("files_per_turn = 2.0")
    assert statistics.fmean(many) > 1.5 and max(many) > 2
    burst = files("burst_rate = 1.0")
    assert burst[0] == 5  # the whole chain a-b-e and c, d: its own chains within one turn


def test_peers_race_for_the_first_ready_subtask_and_the_fastest_wins() -> None:
    s = harness(size=3, arch="decentralized", sim="herding = 1.0\noptimism = 0.0", seed=4)
    _, events = run_engine(s)
    writes: dict[tuple[int, str], set[str]] = {}
    rnd = 0
    for e in events:
        if isinstance(e, ev.RoundStarted):
            rnd = e.round
        if isinstance(e, ev.FileWritten):
            writes.setdefault((rnd, e.path), set()).add(e.agent)
    assert any(len(w) == 3 for w in writes.values())  # everyone wrote the same file in one round
    claimed = kinds_of(events, ev.TaskClaimed)
    assert len({c.task for c in claimed}) == len(claimed) == 5  # type: ignore[attr-defined]
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed"


def test_a_lost_claim_holds_its_subtask_until_the_round_limit() -> None:
    s = harness(size=2, arch="decentralized", sim="abandon_rate = 1.0", rounds=12)
    _, events = run_engine(s)
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "round_limit" and end.rounds == 12
    assert not kinds_of(events, ev.TaskCompleted)
    assert kinds_of(events, ev.TaskClaimed)  # claimed, never declared done, never released (no leases)


def test_a_derailed_agent_rewrites_one_file_every_turn_and_declares_nothing() -> None:
    s = harness(sim="derail_rate = 1.0", rounds=8)
    _, events = run_engine(s)
    writes = kinds_of(events, ev.FileWritten)
    assert len({w.path for w in writes}) == 1 and len(writes) == 8  # type: ignore[attr-defined]
    assert not kinds_of(events, ev.TaskCompleted)


def _written_and_declared(events: list[ev.Event], by_round: bool) -> tuple[dict[str, int], dict[str, int]]:
    """Per subtask: the call (or round) that first wrote its file, and the one that declared it done."""
    now, written, declared = -1, {}, {}
    for e in events:
        if isinstance(e, ev.RoundStarted if by_round else ev.LLMCallCompleted):
            now = e.round if isinstance(e, ev.RoundStarted) else e.call  # type: ignore[attr-defined]
        elif isinstance(e, ev.FileWritten):
            written.setdefault(e.task, now)
        elif isinstance(e, ev.TaskCompleted):
            declared[e.task] = now
    return written, declared


def test_a_lagged_turn_declares_done_in_the_next_turn() -> None:
    s = harness(sim="complete_lag = 1.0", rounds=30)
    _, events = run_engine(s)
    written, declared = _written_and_declared(events, by_round=False)
    assert set(declared) == set(written) == set("abcde")
    assert all(declared[t] > written[t] for t in declared)  # never in the turn that wrote it


def test_foreign_writes_rewrite_files_other_peers_hold_and_only_peers_make_them() -> None:
    def foreign(arch: str, sim: str) -> int:
        count = 0
        for seed in range(1, 6):
            _, events = run_engine(harness(size=3, arch=arch, sim=sim + "\nfiles_per_turn = 0.0", tasks=CHAIN5,
                                           seed=seed))
            holder: dict[str, str] = {}
            for e in events:
                if isinstance(e, ev.TaskClaimed | ev.TaskAssigned):
                    holder[e.task] = e.agent if isinstance(e, ev.TaskClaimed) else e.to  # type: ignore[attr-defined]
                elif isinstance(e, ev.FileWritten) and e.task in holder and holder[e.task] != e.agent:
                    count += 1
        return count

    races = foreign("decentralized", "")  # a claim lost in the same round: its file was written anyway
    assert foreign("decentralized", "foreign_writes = 3.0") > races
    assert foreign("decentralized", "assist_writes = 3.0") == races  # a peer's rate is foreign_writes
    assert foreign("preassigned", "foreign_writes = 3.0") == 0  # a worker's rate is assist_writes
    assert foreign("preassigned", "assist_writes = 3.0") > 0


def test_a_preassigned_worker_writes_only_ready_subtasks_of_its_teammates() -> None:
    foreign_ready = foreign_waiting = 0
    for seed in range(1, 9):
        _, events = run_engine(harness(size=3, sim="assist_writes = 3.0", tasks=CHAIN5, seed=seed))
        assigned = {e.task: e.to for e in kinds_of(events, ev.TaskAssigned)}  # type: ignore[attr-defined]
        done: set[str] = set()
        for e in events:
            if isinstance(e, ev.RoundStarted):
                ready_at_round = {t for t, d in {"a": "", "b": "a", "c": "", "d": "", "e": "b"}.items()
                                  if t not in done and (not d or d in done)}
            elif isinstance(e, ev.TaskCompleted):
                done.add(e.task)
            elif isinstance(e, ev.FileWritten) and assigned.get(e.task) != e.agent:
                if e.task in ready_at_round:
                    foreign_ready += 1
                else:
                    foreign_waiting += 1
    assert foreign_ready > 0 and foreign_waiting == 0


def test_foreign_writes_draw_from_their_own_stream_so_a_tiny_rate_changes_nothing_else() -> None:
    sim = "files_per_turn = 1.0\nburst_rate = 0.2\nidle_rate = 0.1\nherding = 0.5\nfix = {}"
    for arch in ("preassigned", "decentralized"):
        runs = [ev.to_jsonl(run_engine(harness(size=3, arch=arch, seed=4, sim=sim.replace("fix = {}", extra)))[1])
                for extra in ("", "foreign_writes = 0.000001\nassist_writes = 0.000001")]
        assert runs[0] == runs[1], arch  # no foreign write was drawn, and no other draw moved


def test_idle_spread_gives_each_run_its_own_idle_rate_with_the_stated_mean_and_dispersion() -> None:
    from teamtui.llm.harness import run_idle_rate
    from teamtui.scenario.simconfig import SimConfig

    rng = random.Random(5)
    cfg = SimConfig(idle_rate=0.3, idle_spread=0.5)
    draws = [run_idle_rate(cfg, rng) for _ in range(20_000)]
    assert statistics.fmean(draws) == pytest.approx(0.3, abs=0.01)
    assert statistics.pvariance(draws) == pytest.approx(0.3 * 0.7 * 0.5, rel=0.05)
    assert run_idle_rate(SimConfig(idle_rate=0.3), rng) == 0.3


def test_with_idle_spread_idleness_comes_in_whole_runs() -> None:
    def idle_turns(spread: float) -> list[int]:
        out = []
        for seed in range(1, 25):
            sim = f"idle_rate = 0.3\nidle_spread = {spread}\nfiles_per_turn = 0.0"
            _, events = run_engine(harness(size=1, sim=sim, seed=seed))
            out.append(sum(1 for c in per_call(events, ev.FileWritten) if c == 0))
        return out

    even, lumpy = idle_turns(0.0), idle_turns(0.9)
    assert sum(1 for x in lumpy if x == 0) > sum(1 for x in even if x == 0) + 4  # most runs never idle ...
    assert max(lumpy) > max(even)  # ... and a few idle a lot


def test_latency_follows_the_model_and_its_random_effects() -> None:
    sim = ("[team.sim.latency]\nintercept = 1.0\nfiles_slope = 1.0\nidle_intercept = 0.0\nsigma = 0.0\n"
           "round_sigma = 0.0\nagent_sigma = 0.0\nrun_sigma = 0.0\n")
    s = harness(sim="files_per_turn = 2.0\n" + sim, seed=3)
    _, events = run_engine(s)
    writes = per_call(events, ev.FileWritten)
    lat = [e.latency for e in kinds_of(events, ev.LLMCallCompleted)]  # type: ignore[attr-defined]
    for files, seconds in zip(writes, lat, strict=True):
        expected = math.exp(1.0 + math.log(files)) if files else 1.0
        assert seconds == pytest.approx(expected, rel=1e-3), (files, seconds)


def test_the_same_seed_gives_the_same_harness_run() -> None:
    sim = 'files_per_turn = 1.0\nburst_rate = 0.2\nidle_rate = 0.1\nherding = 0.7\nforeign_writes = 0.5\n' \
          'abandon_rate = 0.01\ncomplete_lag = 0.3\n[team.sim.latency]\nrun_sigma = 0.3\nround_sigma = 0.2'
    s = harness(size=3, arch="decentralized", sim=sim, seed=9)
    assert ev.to_jsonl(run_engine(s)[1]) == ev.to_jsonl(run_engine(s)[1])


def test_a_profile_gives_the_defaults_and_the_scenario_overrides_them(tmp_path: Path) -> None:
    prof = tmp_path / "mine.toml"
    prof.write_text('[profile]\nname = "mine"\n[sim]\nverify = "harness"\nfiles_per_turn = 3.5\nidle_rate = 0.2\n'
                    '[sim.latency]\nintercept = 2.0\nsigma = 0.3\n')
    s = scenario_from('[scenario]\nname = "p"\n[team]\nsize = 2\n[team.sim]\nprofile = "mine.toml"\nidle_rate = 0.05\n'
                      '[team.sim.latency]\nsigma = 0.1\n' + CHAIN5, tmp_path / "s.toml")
    assert (s.sim.verify, s.sim.files_per_turn, s.sim.idle_rate) == ("harness", 3.5, 0.05)
    assert s.sim.latency is not None and (s.sim.latency.intercept, s.sim.latency.sigma) == (2.0, 0.1)


def test_model_sim_colon_name_means_the_sim_with_that_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # calibrate writes profiles to .teamtui/profiles, where a name is looked up first
    (tmp_path / ".teamtui" / "profiles").mkdir(parents=True)
    (tmp_path / ".teamtui" / "profiles" / "fitted.toml").write_text('[sim]\nverify = "harness"\nburst_rate = 0.4\n')
    s = scenario_from('[scenario]\nname = "p"\n[team]\nmodel = "sim:fitted"\n' + CHAIN5)
    assert {a.model for a in s.agents} == {"sim"} and s.sim.profile == "fitted"
    assert (s.sim.verify, s.sim.burst_rate) == ("harness", 0.4)


def test_an_unknown_profile_is_one_line_naming_the_shipped_ones() -> None:
    assert SHIPPED.name == "profiles"
    with pytest.raises(ScenarioError, match=r'no sim profile "nope".*shipped'):
        scenario_from('[scenario]\nname = "p"\n[team]\nmodel = "sim:nope"\n' + CHAIN5)


def _rounds_without_completion(events: list[ev.Event]) -> tuple[int, int]:
    """(rounds with a reply but no completion, rounds with a reply): the paper's idle rounds and their total."""
    replied, completed, current = set(), set(), 0
    for e in events:
        if isinstance(e, ev.RoundStarted):
            current = e.round
        elif isinstance(e, ev.LLMCallCompleted):
            replied.add(current)
        elif isinstance(e, ev.TaskCompleted):
            completed.add(current)
    return len(replied - completed), len(replied)


def test_stalled_rounds_come_at_the_same_rate_whatever_the_team_size() -> None:
    def share(size: int, sim: str) -> float:
        idle = total = 0
        for seed in range(1, 13):
            i, t = _rounds_without_completion(run_engine(harness(size=size, arch="decentralized", sim=sim,
                                                                 seed=seed, tasks=CHAIN5))[1])
            idle, total = idle + i, total + t
        return idle / total

    # agent by agent, a round without a completion gets rarer as the team grows (every agent must idle) ...
    assert share(4, "idle_rate = 0.4") < 0.6 * share(1, "idle_rate = 0.4")
    # ... a stalled round stalls everyone: about its rate at any size
    one, four = share(1, "round_lag = 0.4"), share(4, "round_lag = 0.4")
    assert 0.25 < one < 0.55 and 0.25 < four < 0.55
    assert share(4, "round_lag = 0.0") < 0.15


def test_a_stalled_round_declares_nothing_and_the_next_turn_declares_it_all() -> None:
    s = harness(size=2, arch="decentralized", sim="round_lag = 0.5", tasks=CHAIN5, seed=3)
    _, events = run_engine(s)
    wrote, done = _written_and_declared(events, by_round=True)
    assert set(done) == set(wrote) == set("abcde")
    assert any(done[t] > wrote[t] for t in done)  # some were carried over a stalled round
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed"


def test_round_lag_at_zero_draws_nothing_so_runs_are_unchanged() -> None:
    sim = "files_per_turn = 1.0\nidle_rate = 0.2\ncomplete_lag = 0.3\nfix = {}"
    for arch in ("preassigned", "decentralized"):
        runs = [ev.to_jsonl(run_engine(harness(size=3, arch=arch, seed=6, sim=sim.replace("fix = {}", extra)))[1])
                for extra in ("", "round_lag = 0.0")]
        assert runs[0] == runs[1], arch
