"""The simulated team on the shipped math_utils scenarios: the paper's qualitative results must emerge
from the engine's mechanisms, over several seeds."""

from __future__ import annotations

import statistics
from functools import cache

import pytest

from teamtui.launch import baseline_of, run_events
from teamtui.metrics.summary import RunMetrics, summarize
from teamtui.scenario.load import load_scenario, with_overrides

from ..conftest import ROOT

SEEDS = range(6)


@cache
def runs(arch: str, p: str, execution: str = "rounds") -> tuple[RunMetrics, ...]:
    base = load_scenario(ROOT / "scenarios" / "math_utils" / f"{arch}_p{p}.toml")
    out = []
    for seed in SEEDS:
        s = with_overrides(base, seed=seed, execution=execution)
        out.append(summarize(run_events(s), baseline=run_events(baseline_of(s))))
    return tuple(out)


def mean(ms: tuple[RunMetrics, ...], key: str) -> float:
    def get(m: RunMetrics) -> float:
        v = getattr(m.paper, key) if hasattr(m.paper, key) else getattr(m, key)
        return float(v)

    return statistics.fmean(get(m) for m in ms)


@pytest.mark.parametrize("arch", ["preassigned", "lead", "decentralized"])
def test_every_run_completes_and_four_worker_speedup_is_below_amdahl(arch: str) -> None:
    for p in ("02", "05", "09"):
        ms = runs(arch, p)
        assert all(m.status == "completed" for m in ms)
        assert {m.workers for m in ms} == {4}
        assert mean(ms, "speedup") < ms[0].amdahl_bound, (arch, p, mean(ms, "speedup"), ms[0].amdahl_bound)


@pytest.mark.parametrize("arch", ["preassigned", "lead", "decentralized"])
def test_speedup_grows_with_the_parallel_fraction(arch: str) -> None:
    s02, s05, s09 = (mean(runs(arch, p), "speedup") for p in ("02", "05", "09"))
    assert s02 < s05 < s09, (s02, s05, s09)


@pytest.mark.parametrize("key", ["messages_sent", "claims_blocked", "concurrent_writes", "claim_conflicts"])
def test_decentralized_coordinates_more_and_collides_more_than_preassigned(key: str) -> None:
    # Never fewer at any p (at p = 0.9 nothing may be blocked at all: something is always ready), and
    # strictly more over the three variants.
    dec = [mean(runs("decentralized", p), key) for p in ("02", "05", "09")]
    pre = [mean(runs("preassigned", p), key) for p in ("02", "05", "09")]
    assert all(d >= q for d, q in zip(dec, pre, strict=True)), (key, dec, pre)
    assert sum(dec) > sum(pre), (key, dec, pre)


def test_preassigned_is_faster_than_decentralized_at_mixed_p() -> None:
    assert mean(runs("preassigned", "05"), "speedup") > mean(runs("decentralized", "05"), "speedup")
