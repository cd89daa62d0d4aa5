"""The spread between packs that held-out pack predictions carry: near 0 when every pack behaves as the sim,
as large as a pack's own deviation when one does not, and intervals that widen by it and only by it."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from teamtui.experiments.calibrate.between import pack_spread
from teamtui.experiments.calibrate.figures import figures
from teamtui.experiments.calibrate.predict import coverage, intervals, widening
from teamtui.experiments.calibrate.scales import scale
from teamtui.experiments.calibrate.simulate import SimCell, seeds_of, simulate
from tests.experiments.calibrate_data import LATENCY, TRUTH

SIM = {"latency": LATENCY, "test_rate": 0.7, "test_time_s": 2.0, **TRUTH}
PACKS = ("math_utils", "svg_render")
CELLS = [SimCell(a, n, pack, 0.5, (40,)) for pack in PACKS for a in ("preassigned", "decentralized")
         for n in (1, 2, 3)]


@pytest.fixture(scope="module")
def runs() -> tuple[list, list]:
    """Ten runs per cell of each pack (each pack on seeds of its own), and the sim's 60 per cell."""
    held = [r for i, pack in enumerate(PACKS)
            for r in simulate(SIM, [c for c in CELLS if c.pack == pack], seeds_of(10, base=700 + 100 * i))]
    return held, simulate(SIM, CELLS, seeds_of(60, base=3000))


def test_scales_round_trip_and_keep_zero_and_certain_shares_finite() -> None:
    x = np.array([0.0, 0.5, 3.0, 120.0])
    for fig in ("replies", "idle_rounds", "concurrent_writes", "straggler_gap_s", "speedup"):
        to, back = scale(fig, 10)
        assert np.all(np.isfinite(to(x))) and back(to(x)) == pytest.approx(x)
    to, back = scale("success", 8)
    y = to(np.array([0.0, 0.375, 1.0]))
    assert np.all(np.isfinite(y)) and back(y) == pytest.approx([0.0, 0.375, 1.0])
    assert y[2] == pytest.approx(np.log(8.5 / 0.5))  # the empirical logit of 8 runs out of 8


def test_packs_that_behave_as_the_sim_have_little_spread(runs: tuple[list, list]) -> None:
    held, sims = runs
    spread = pack_spread(held, sims)
    assert spread is not None and ("replies", "decentralized") in spread
    # shares of ten runs on the logit scale are noisy (a few idle runs more move them far): the rest is held
    assert max(v for (fig, _), v in spread.items() if fig not in ("idle_share", "success")) < 0.35, spread


def test_a_pack_that_replies_twice_as_much_gives_the_replies_a_spread_of_its_size(runs: tuple[list, list]) -> None:
    held, sims = runs
    doubled = [msgspec.structs.replace(r, replies=2 * r.replies) if r.pack == "svg_render" else r for r in held]
    spread, plain = pack_spread(doubled, sims), pack_spread(held, sims)
    assert spread is not None and plain is not None
    for arch in ("preassigned", "decentralized"):
        assert spread[("replies", arch)] > 0.4 > plain[("replies", arch)]
        assert spread[("idle_rounds", arch)] == plain[("idle_rounds", arch)]  # only the replies moved


def test_one_pack_has_no_spread_to_estimate(runs: tuple[list, list]) -> None:
    held, sims = runs
    assert pack_spread([r for r in held if r.pack == "math_utils"], sims) is None


def test_intervals_widen_by_the_spread_and_keep_the_sims_own_beside(runs: tuple[list, list]) -> None:
    held, sims = runs
    one = [r for r in held if r.pack == "svg_render"]
    observed = {k: s.mean for k, s in figures(one).items()}
    plain = {i.key: i for i in intervals(observed, one, sims)}
    wide = {i.key: i for i in intervals(observed, one, sims, spread={("replies", "decentralized"): 0.5})}
    assert plain.keys() == wide.keys()
    for key, i in wide.items():
        assert (i.sim_low, i.sim_high) == (plain[key].low, plain[key].high)
        if key[:2] == ("replies", "decentralized"):
            assert i.low < i.sim_low and i.high > 1.3 * i.sim_high
        else:
            assert (i.low, i.high) == (i.sim_low, i.sim_high)
    assert widening(list(plain.values())) == 1.0
    assert widening(list(wide.values())) == 1.0  # most intervals keep their width: the median is theirs
    assert widening([i for k, i in wide.items() if k[:2] == ("replies", "decentralized")]) > 1.3
    far = {k: (3 * v if k[:2] == ("replies", "decentralized") else v) for k, v in observed.items()}
    assert coverage(intervals(far, one, sims, spread={("replies", "decentralized"): 0.8})) > \
        coverage(intervals(far, one, sims, spread={("replies", "decentralized"): 0.8}), sim_only=True)


def test_the_models_validations_add_up() -> None:
    from teamtui.experiments.calibrate.render import pooled

    def summary(inside: int, sim: int, total: int) -> dict:
        return {"summary": {"pack": {"coverage": [inside, total], "coverage_sim": [sim, total]}}}

    got = pooled([summary(175, 106, 192), summary(177, 104, 192), summary(150, 60, 192)])
    assert got == {"pack": {"models": 3, "coverage": [502, 576], "coverage_sim": [270, 576],
                            "coverage_share": pytest.approx(502 / 576)}}
    assert pooled([{"summary": {}}]) == {}
