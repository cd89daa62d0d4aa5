"""`teamtui calibrate`'s fit on runs the sim made with known knobs: the knobs come back inside their intervals, a
resumed fit takes every evaluation from the cache, the statistics are the paper table's, and the search and
the knob list behave."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from teamtui.experiments.calibrate.figures import figures
from teamtui.experiments.calibrate.fit import Fit, Options, fit_model
from teamtui.experiments.calibrate.knob_ci import knob_intervals
from teamtui.experiments.calibrate.knobs import DEMONSTRATOR, DIRECT, Knob, behavioural, chosen
from teamtui.experiments.calibrate.search import compass
from teamtui.experiments.calibrate.select import Filters, select
from teamtui.experiments.calibrate.simulate import observed
from teamtui.experiments.paper_table import paper_table
from teamtui.experiments.speedup import rule_speedups
from teamtui.experiments.table import CellParams, CellRun
from teamtui.scenario.simconfig import SimConfig
from tests.experiments.calibrate_data import LATENCY, TRUTH, truth_db

KNOBS = ("files_per_turn", "idle_rate")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return truth_db(tmp_path_factory.mktemp("calibrate-fit"))


@pytest.fixture(scope="module")
def fitted(db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Fit, Path]:
    cache = tmp_path_factory.mktemp("calibrate-cache") / "fit.jsonl"
    sel = select(db, ["latest"], Filters())
    fit = fit_model(sel, Options(budget=40, seeds=8, jobs=1, knobs=KNOBS, quiet=True), cache)
    return fit, cache


@pytest.mark.slow
def test_known_knobs_come_back_inside_their_intervals(fitted: tuple[Fit, Path]) -> None:
    fit, _ = fitted
    for name, true in TRUTH.items():
        lo, hi = fit.knob_ci[name]
        assert lo <= true <= hi, (name, true, fit.knob_ci[name], fit.sim[name])
        assert hi - lo < {"files_per_turn": 5.0, "idle_rate": 0.4}[name]  # informative: the ranges are 0–50, 0–1
    for name in ("intercept", "files_slope", "idle_intercept", "sigma", "round_sigma"):
        e = fit.direct.latency[name]
        assert e.ci[0] <= LATENCY[name] <= e.ci[1], (name, e)
    assert fit.direct.test_rate is not None and fit.direct.test_rate.ci[0] <= 0.7 <= fit.direct.test_rate.ci[1]
    assert fit.direct.test_time_s is not None and fit.direct.test_time_s.value == pytest.approx(2.0)
    assert fit.search.loss < 2 * len(fit.observed)  # about one unit of z² per statistic at most
    assert fit.sim["verify"] == "harness" and set(KNOBS) <= set(fit.sim)
    assert fit.fresh + fit.reused >= fit.search.evaluations and fit.ci_evaluations > 0


@pytest.mark.slow
def test_a_resumed_fit_takes_every_evaluation_from_the_cache(db: Path, fitted: tuple[Fit, Path]) -> None:
    first, cache = fitted
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert len(lines) == first.fresh > 0
    sel = select(db, ["latest"], Filters())
    again = fit_model(sel, Options(budget=40, seeds=8, jobs=1, knobs=KNOBS, quiet=True, resume=True), cache)
    assert again.fresh == 0 and again.reused >= first.search.evaluations
    assert again.sim == first.sim and again.search.loss == first.search.loss
    assert cache.read_text(encoding="utf-8").splitlines() == lines  # nothing new was simulated or written
    fresh = fit_model(sel, Options(budget=3, seeds=8, jobs=1, knobs=KNOBS, quiet=True, knob_ci=False), cache)
    assert fresh.fresh == 3 and fresh.reused == 0  # without --resume the cache starts afresh


def test_the_statistics_are_the_paper_tables(db: Path) -> None:
    sel = select(db, ["latest"], Filters())
    table = paper_table(rule_speedups(list(sel.runs)))
    stats = figures(observed(sel.runs))
    section = {"replies": "replies", "idle_rounds": "idle_rounds", "straggler_gap_s": "straggler_gap_s",
               "speedup": "speedup", "concurrent_writes": "concurrent_writes"}
    compared = 0
    for (fig, arch, x), s in stats.items():
        if fig not in section:
            continue
        e = table[section[fig]][f"{arch}|{x:g}"]
        assert s.mean == pytest.approx(e["mean"]) and s.sem == pytest.approx(e["sem"] or 0.0), (fig, arch, x)
        compared += 1
    assert compared == sum(len(v) for v in table.values()) == 24  # 2 speedups + 3 x 2 x 3 per-run + 2 x 2 gaps
    assert stats[("success", "preassigned", 1.0)].runs == 8


def test_the_knob_list_follows_simconfig() -> None:
    names = [k.name for k in behavioural()]
    numeric = [n for n, f in SimConfig.model_fields.items() if f.annotation is float]
    assert names == [n for n in numeric if n not in DIRECT | DEMONSTRATOR]
    assert {"files_per_turn", "claims_per_turn", "burst_rate", "idle_rate", "herding", "optimism", "foreign_writes",
            "abandon_rate", "derail_rate", "complete_lag"} <= set(names)
    for k in behavioural():
        for x in (k.low, 0.3, k.high):
            assert k.from_u(k.to_u(x)) == pytest.approx(x)
    with pytest.raises(ValueError, match="not a behavioural knob: latency"):
        chosen(["latency"])


def test_the_compass_search_finds_a_minimum_and_stops() -> None:
    knobs = [Knob("a", 0.0, 1.0), Knob("b", 0.0, 10.0)]
    calls: list[int] = []

    def objective(batch: list[dict[str, float]]) -> list[float]:  # type: ignore[type-arg]
        calls.append(len(batch))
        return [(x["a"] - 0.3) ** 2 * 100 + (x["b"] - 4.0) ** 2 for x in batch]

    r = compass(objective, knobs, {"a": 0.0, "b": 0.0}, budget=500)
    assert r.converged and r.evaluations == sum(calls) <= 500
    assert r.best["a"] == pytest.approx(0.3, abs=0.02) and r.best["b"] == pytest.approx(4.0, abs=0.15)
    assert r.history == sorted(r.history, reverse=True)

    def steps(batch: list[dict[str, float]]) -> list[float]:  # type: ignore[type-arg]
        return [math.floor(abs(x["a"] - 0.6) * 10) + math.floor(abs(x["b"] - 2.0)) for x in batch]

    flat = compass(steps, knobs, {"a": 0.0, "b": 0.0}, budget=30)
    assert flat.evaluations <= 30 and flat.loss <= 1.0


def test_a_knob_without_a_profile_interval_gets_its_axis_curvature_and_says_so() -> None:
    knobs = [Knob("a", 0.0, 50.0), Knob("b", 0.0, 50.0), Knob("c", 0.0, 50.0)]
    best = {"a": 4.0, "b": 9.0, "c": 1.0}  # u = 2, 3, 1
    u0 = {k.name: k.to_u(best[k.name]) for k in knobs}

    def loss(x: dict[str, float]) -> float:  # indefinite in (a, b): the profile sees no bowl; c does not matter
        da, db = (k.to_u(x[k.name]) - u0[k.name] for k in knobs[:2])
        return 10.0 + 100 * da * da - 150 * da * db + 20 * db * db

    def objective(xs: Sequence[Mapping[str, float]]) -> list[float]:
        return [loss(dict(x)) for x in xs]

    cis, kinds, used = knob_intervals(objective, knobs, best, [], loss(best))
    assert kinds == {"a": "conditional", "b": "conditional", "c": "unbounded"} and used == 6 * len(knobs)
    half_a, half_b = 1.959963984540054 * math.sqrt(2 / 200), 1.959963984540054 * math.sqrt(2 / 40)
    assert cis["a"] == pytest.approx(((2 - half_a) ** 2, (2 + half_a) ** 2), rel=1e-6)
    assert cis["b"] == pytest.approx(((3 - half_b) ** 2, (3 + half_b) ** 2), rel=1e-6)
    assert cis["c"] == (0.0, 50.0)
    bowl, kinds2, _ = knob_intervals(lambda xs: [10.0 + 100 * (knobs[0].to_u(x["a"]) - 2) ** 2 + 40 * (
        knobs[1].to_u(x["b"]) - 3) ** 2 + 30 * (knobs[2].to_u(x["c"]) - 1) ** 2 for x in xs], knobs, best, [], 10.0)
    assert set(kinds2.values()) == {"profile"}  # a real bowl keeps its profile intervals
    assert bowl["a"] == pytest.approx(cis["a"], rel=1e-3)  # no trade-off: profile = conditional


def _imported(paper_run: dict[str, object]) -> CellRun:
    params = CellParams("math_utils", 0.5, 3, "preassigned", "rounds", "claude", trial=0)
    metrics = {"success": True, "makespan": 10.0, "paper": {"messages": 4, "idle_rounds": 1, "concurrent_writes": 9},
               "paper_run": paper_run}
    return CellRun(params, "r1", "done", metrics)


def test_concurrent_writes_are_the_harness_count_where_the_import_kept_it() -> None:
    both = observed([_imported({"concurrent_writes": 2, "concurrent_writes_events": 5})])
    events_only = observed([_imported({"concurrent_writes_events": 5})])
    assert [r.concurrent_writes for r in both + events_only] == [2.0, 5.0]


def test_start_puts_the_search_where_an_earlier_profile_left_it(db: Path) -> None:
    sel = select(db, ["latest"], Filters())
    start = (("files_per_turn", 2.5), ("idle_rate", 0.2), ("herding", 0.9))  # herding is not being fitted
    fit = fit_model(sel, Options(budget=1, seeds=2, jobs=1, knobs=KNOBS, quiet=True, knob_ci=False, start=start), None)
    assert fit.search.evaluations == 1
    assert fit.sim["files_per_turn"] == pytest.approx(2.5) and fit.sim["idle_rate"] == pytest.approx(0.2)
    assert fit.sim["herding"] == pytest.approx(0.9)  # held at the profile's value, not the default


def test_start_names_a_profile_that_is_not_there(tmp_path: Path) -> None:
    from teamtui.core.errors import TeamtuiError
    from teamtui.experiments.calibrate.command import start_from

    claude = start_from("claude-sonnet-4-6")
    assert dict(claude.values)["files_per_turn"] > 0 and claude.knob_ci["files_per_turn"][0] > 0
    with pytest.raises(TeamtuiError, match="--start: no sim profile"):
        start_from("no-such-profile")
    with pytest.raises(TeamtuiError, match="--start: no profile file"):
        start_from(str(tmp_path / "gone.toml"))


def test_held_knobs_keep_the_start_profiles_intervals_labelled_as_held() -> None:
    from teamtui.experiments.calibrate.command import Start

    start = Start("old", (("herding", 0.5), ("idle_rate", 0.1)), {"herding": [0.2, 0.7], "idle_rate": [0.0, 1.0]},
                  {"herding": "profile"})
    prov: dict[str, dict[str, object]] = {"knob_ci": {"idle_rate": [0.05, 0.15]}, "knob_ci_kind": {"idle_rate": "profile"}}
    start.carried({"idle_rate"}, prov)
    assert prov["knob_ci"] == {"idle_rate": [0.05, 0.15], "herding": [0.2, 0.7]}
    assert prov["knob_ci_kind"]["herding"] == "held from old (profile)" and prov["knob_ci_kind"]["idle_rate"] == "profile"
