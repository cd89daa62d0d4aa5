"""`teamtui calibrate --validate` on a small synthetic split, and its parts: predictive intervals that cover runs
the same sim made on other seeds, the signs of the paper's findings, the weighted distances, and the folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from teamtui.experiments.calibrate.distance import distances, weighted_ks
from teamtui.experiments.calibrate.figures import Stat, figures
from teamtui.experiments.calibrate.findings import findings
from teamtui.experiments.calibrate.fit import Options
from teamtui.experiments.calibrate.predict import coverage, intervals
from teamtui.experiments.calibrate.render import validation_data
from teamtui.experiments.calibrate.select import Filters, select
from teamtui.experiments.calibrate.simulate import SimCell, seeds_of, simulate
from teamtui.experiments.calibrate.validate import folds, validate_model
from tests.experiments.calibrate_data import LATENCY, TRUTH, truth_db

SIM = {"latency": LATENCY, "test_rate": 0.7, "test_time_s": 2.0, **TRUTH}
CELLS = [SimCell(a, n, "math_utils", 0.5, (40,)) for a in ("preassigned", "decentralized") for n in (1, 2, 3)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return truth_db(tmp_path_factory.mktemp("calibrate-validate"), packs="math_utils,svg_render", trials=4,
                    sizes="1-2")


def test_intervals_cover_runs_of_the_same_sim_on_other_seeds() -> None:
    sims = simulate(SIM, CELLS, seeds_of(30), detail=True)
    held = simulate(SIM, CELLS, seeds_of(6, base=900), detail=True)
    ivs = intervals({k: s.mean for k, s in figures(held).items()}, held, sims)
    inside, total = coverage(ivs)
    assert total == 2 * 3 * 5 + 2 * 2 + 2  # replies, idle, idle share, success, writes per arch × n; gaps n = 2, 3;
    # 2 speedups
    assert inside >= 0.85 * total, [(i.key, i.observed, i.low, i.high) for i in ivs if not i.inside]
    for i in ivs:
        assert i.low <= i.predicted <= i.high
    wide = {i.key: i.high - i.low for i in ivs}
    few = intervals({k: s.mean for k, s in figures(held[:12]).items()}, held[:12], sims)
    narrower = [wide[i.key] >= i.high - i.low for i in few if i.key in wide]
    assert sum(narrower) >= 0.6 * len(narrower)  # fewer held-out runs, wider intervals (mostly: noise)
    d = {x.variable: x for x in distances(held, sims)}
    assert d["replies per run"].ks < 0.35 and d["per-round latency (s)"].ks < 0.2
    assert d["per-round latency (s)"].observed == sum(len(r.slowest) for r in held)


def test_findings_compare_signs() -> None:
    def s(x: float) -> Stat:
        return Stat(x, 0.1, 5)

    obs = {("replies", "decentralized", 1.0): s(10), ("replies", "decentralized", 2.0): s(30),
           ("replies", "preassigned", 1.0): s(5), ("replies", "preassigned", 2.0): s(8),
           ("speedup", "decentralized", 0.5): s(0.8), ("speedup", "preassigned", 0.5): s(1.3)}
    sim = {**obs, ("speedup", "decentralized", 0.5): s(1.5), ("replies", "preassigned", 2.0): s(4)}
    got = {f.name: f for f in findings(obs, sim)}
    assert set(got) == {"speedup, decentralized − pre-assigned", "replies, decentralized − pre-assigned",
                        "replies vs n, decentralized (slope)", "replies vs n, pre-assigned (slope)"}
    assert not got["speedup, decentralized − pre-assigned"].agrees
    assert got["replies, decentralized − pre-assigned"].agrees
    assert got["replies vs n, decentralized (slope)"].observed == pytest.approx(20.0)
    assert not got["replies vs n, pre-assigned (slope)"].agrees


def test_weighted_ks_is_scipys_with_equal_weights() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=40), rng.normal(0.5, 1.0, size=70)
    assert weighted_ks(a, b, np.ones(70)) == pytest.approx(sps.ks_2samp(a, b).statistic)
    doubled = weighted_ks(a, np.r_[b, b[:10]], np.r_[np.ones(70), np.ones(10)])
    assert weighted_ks(a, b, np.r_[np.full(10, 2.0), np.ones(60)]) == pytest.approx(doubled)


def test_folds_split_by_pack_and_by_repetition(db: Path) -> None:
    sel = select(db, ["latest"], Filters())
    names = [(f.name, f.kind) for f in folds(sel)]
    assert names == [("pack math_utils", "pack"), ("pack svg_render", "pack"), ("reps 2,3 from 0,1", "rep"),
                     ("reps 0,1 from 2,3", "rep")]
    for f in folds(sel):
        train, test = sel.where(f.train), sel.where(f.test)
        assert train.runs and test.runs and not {r.run_id for r in train.runs} & {r.run_id for r in test.runs}
        assert len(train.runs) + len(test.runs) == len(sel.runs)


@pytest.mark.slow
def test_validation_on_a_small_split(db: Path, tmp_path: Path) -> None:
    sel = select(db, ["latest"], Filters())
    options = Options(budget=5, seeds=3, jobs=1, knobs=("idle_rate",), quiet=True, knob_ci=False)
    results = validate_model(sel, options, tmp_path / "v", predict_seeds=8)
    assert [r.fold.name for r in results] == [f.name for f in folds(sel)]
    data = validation_data(sel.models()[0], results)
    for fold in data["folds"]:
        inside, total = fold["coverage"]
        assert total == len(fold["intervals"]) > 0 and 0 <= inside <= total
        assert {d["variable"] for d in fold["distances"]} == {"replies per run", "per-round latency (s)"}
        assert fold["test_runs"] + fold["train_runs"] == len(sel.runs)
    assert set(data["summary"]) == {"pack", "rep"}
    pack = data["summary"]["pack"]
    assert pack["coverage"][1] == sum(f["coverage"][1] for f in data["folds"] if f["kind"] == "pack")
    assert pack["coverage_share"] >= 0.5  # the sim that made the runs, fitted on one knob: most figures covered
    # one training pack per pack fold: no spread between packs to estimate, so the intervals are the sim's own
    assert pack["coverage_sim"] == pack["coverage"] and all(f["spread_between_packs"] is None
                                                            for f in data["folds"])
    assert len(list(tmp_path.glob("v.validate-*.jsonl"))) == 4  # one cache per fold


def test_folds_option_validates_only_the_held_out_packs(db: Path, tmp_path: Path) -> None:
    sel = select(db, ["latest"], Filters())
    options = Options(budget=1, seeds=2, jobs=1, knobs=("idle_rate",), quiet=True, knob_ci=False)
    results = validate_model(sel, options, tmp_path / "v", predict_seeds=2, kinds=("pack",))
    assert [r.fold.name for r in results] == ["pack math_utils", "pack svg_render"]
