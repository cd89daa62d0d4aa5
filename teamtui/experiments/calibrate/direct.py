"""The directly observable knobs, estimated from the calls of the selected runs, with cluster-bootstrap CIs.

* **Latency** (`[team.sim.latency]`): log latency = intercept + files_slope · log files for a call that writes
  files ≥ 1, idle_intercept for one that writes none (ordinary least squares over all calls), plus normal
  random effects of the run, of the agent within the run and of the round within the run, and a residual.
  The variance components are method-of-moments estimates from the residuals r: the mean product r_i r_j
  over pairs of calls of one run that share neither round nor agent estimates σ_run²; over pairs in one
  round, σ_run² + σ_round²; over pairs of one agent, σ_run² + σ_agent²; the mean r² is the sum of all four
  (a one-way random-effect ANOVA in each grouping, by its pair-product form). Negative estimates are 0.
* **test_rate**: the share of coding replies (replies that write a file) that run the tests, leaving out each
  run's last coding reply: a reply that finishes a run may be cut off before its tests (the sim's run ends at
  its last completion), which would otherwise bias the rate down by up to one test per run.
* **test_time_s**: the mean duration of a test run.
* **bug_rate**, a hint: the harness's tests are advisory, so the only trace of bugs is a successful run whose
  last test run still failed; with share f of those and S subtasks per task, 1 − (1 − f)^(1/S) is the chance
  per written file that makes the sim's end-of-run suite fail as often. None without such runs.

Every estimate is a function of sums over runs (for the latency model, four 4 × 4 cross-product matrices per
run and pair counts, so that the residuals of any β are quadratic forms of them); the 95 % CIs resample runs
with replacement (a cluster bootstrap, `resamples` times, fixed seed) and recompute everything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from teamtui.experiments.calibrate.calls import RunCalls

Array = npt.NDArray[np.float64]
GROUPS = ("call", "run", "round", "agent", "cell")
"""The groupings whose within-group sums of z = (log latency, idle, coding, coding · log files) are kept."""


@dataclass(frozen=True)
class Estimate:
    value: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class DirectFit:
    """The direct knobs with their CIs, and how many runs and calls they come from."""

    latency: dict[str, Estimate]
    test_rate: Estimate | None
    test_time_s: Estimate | None
    bug_rate: Estimate | None
    runs: int
    calls: int
    notes: list[str] = field(default_factory=list)

    def sim_values(self) -> dict[str, Any]:
        """The `[team.sim]` values (rounded, clipped to what `SimConfig` accepts)."""
        lat = {k: round(_clip(k, e.value), 4) for k, e in self.latency.items()}
        out: dict[str, Any] = {"latency": lat}
        if self.test_rate is not None:
            out["test_rate"] = round(min(1.0, max(0.0, self.test_rate.value)), 4)
        if self.test_time_s is not None:
            out["test_time_s"] = round(min(600.0, max(0.0, self.test_time_s.value)), 4)
        if self.bug_rate is not None:
            out["bug_rate"] = round(min(1.0, max(0.0, self.bug_rate.value)), 5)
        return out

    def cis(self) -> dict[str, list[float]]:
        named = {f"latency.{k}": e for k, e in self.latency.items()}
        named |= {k: e for k, e in (("test_rate", self.test_rate), ("test_time_s", self.test_time_s),
                                    ("bug_rate", self.bug_rate)) if e is not None}
        return {k: [round(e.ci[0], 5), round(e.ci[1], 5)] for k, e in named.items()}


_BOUNDS = {"intercept": (-5.0, 8.0), "idle_intercept": (-5.0, 8.0), "files_slope": (0.0, 3.0)}


def _clip(name: str, v: float) -> float:
    lo, hi = _BOUNDS.get(name, (0.0, 3.0))
    return min(hi, max(lo, v))


def run_stats(c: RunCalls) -> tuple[Array, Array]:
    """One run's sufficient statistics: the cross-product matrices of z per grouping (5 × 4 × 4) and the pair
    counts per grouping (5; for "call", the number of calls)."""
    ok = c.latency > 0
    files, lat = c.files[ok], c.latency[ok]
    coding = files > 0
    z = np.column_stack([np.log(lat), (~coding).astype(float), coding.astype(float),
                         np.where(coding, np.log(np.maximum(files, 1)), 0.0)])
    keys = {"call": np.arange(len(lat)), "run": np.zeros(len(lat), dtype=np.int64), "round": c.rounds[ok],
            "agent": c.agents[ok], "cell": c.rounds[ok] * 1_000_003 + c.agents[ok]}
    mats, pairs = np.zeros((len(GROUPS), 4, 4)), np.zeros(len(GROUPS))
    for g, name in enumerate(GROUPS):
        if not len(lat):
            continue
        _, inv, counts = np.unique(keys[name], return_inverse=True, return_counts=True)
        sums = np.zeros((len(counts), 4))
        np.add.at(sums, inv, z)
        mats[g] = sums.T @ sums
        pairs[g] = len(lat) if name == "call" else float(np.sum(counts * (counts - 1)) / 2)
    return mats, pairs


def latency_model(mats: Array, pairs: Array) -> dict[str, float]:
    """The latency knobs from summed statistics (see the module docstring); NaN where the data cannot tell."""
    call = mats[0]
    xtx, xty = call[1:, 1:], call[1:, 0]
    try:
        beta = np.linalg.solve(xtx, xty)
    except np.linalg.LinAlgError:
        beta = np.linalg.lstsq(xtx, xty, rcond=None)[0]
    w = np.r_[1.0, -beta]
    q = np.array([w @ m @ w for m in mats])  # Σ over groups of (Σ r)²
    n_calls = pairs[0]
    prods = (q[1:] - q[0]) / 2  # pair-product sums: same run, round, agent, (round and agent)
    diff_sum = prods[0] - prods[1] - prods[2] + prods[3]
    diff_pairs = pairs[1] - pairs[2] - pairs[3] + pairs[4]

    def mean(s: float, k: float) -> float:
        return s / k if k > 0 else math.nan

    total = q[0] / n_calls if n_calls else math.nan
    c_run = mean(diff_sum, diff_pairs)
    c_round, c_agent = mean(prods[1], pairs[2]), mean(prods[2], pairs[3])
    v_run = max(0.0, c_run) if not math.isnan(c_run) else 0.0
    v_round = max(0.0, c_round - v_run) if not math.isnan(c_round) else 0.0
    v_agent = max(0.0, c_agent - v_run) if not math.isnan(c_agent) else 0.0
    v_call = max(0.0, total - v_run - v_round - v_agent)
    return {"intercept": float(beta[1]), "files_slope": float(beta[2]), "idle_intercept": float(beta[0]),
            "sigma": math.sqrt(v_call), "round_sigma": math.sqrt(v_round), "agent_sigma": math.sqrt(v_agent),
            "run_sigma": math.sqrt(v_run)}


def _before_last(coding: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The coding calls but the run's last one (see the module docstring)."""
    out = coding.copy()
    last = np.flatnonzero(coding)
    if len(last):
        out[last[-1]] = False
    return out


def fit_direct(calls: Sequence[RunCalls], success: Mapping[str, bool], subtasks: int = 20,
               resamples: int = 1000, seed: int = 12) -> DirectFit:
    """The direct knobs of these runs (`success`: run id -> whether the run succeeded)."""
    runs = [c for c in calls if len(c.latency)]
    stats = [run_stats(c) for c in runs]
    mats = np.array([s[0] for s in stats]).reshape(len(runs), -1)
    pairs = np.array([s[1] for s in stats])
    counted = [_before_last(c.files > 0) for c in runs]
    coding = np.array([float(np.sum(k)) for k in counted])
    coded_tested = np.array([float(np.sum(k & c.tested)) for k, c in zip(counted, runs, strict=True)])
    tests = np.array([float(len(c.test_seconds)) for c in runs])
    test_s = np.array([float(np.sum(c.test_seconds)) for c in runs])
    hint_runs = np.array([1.0 if success.get(c.run_id) and c.last_test_failed is not None else 0.0 for c in runs])
    hint_fail = np.array([1.0 if success.get(c.run_id) and c.last_test_failed else 0.0 for c in runs])
    columns = np.column_stack([mats, pairs, coding, coded_tested, tests, test_s, hint_runs, hint_fail])

    def estimate(sums: Array) -> Array:
        m = sums[: mats.shape[1]].reshape(len(GROUPS), 4, 4)
        pr = sums[mats.shape[1]: mats.shape[1] + len(GROUPS)]
        cod, ct, nt, ts, hr, hf = sums[mats.shape[1] + len(GROUPS):]
        lat = latency_model(m, pr)
        f = hf / hr if hr else math.nan
        return np.array([*lat.values(), ct / cod if cod else math.nan, ts / nt if nt else math.nan,
                         1 - (1 - f) ** (1 / subtasks) if not math.isnan(f) else math.nan])

    point = estimate(columns.sum(axis=0))
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(runs), np.full(len(runs), 1 / len(runs)), size=resamples) if runs else \
        np.zeros((0, 0))
    boot = np.array([estimate(w @ columns) for w in weights]) if runs else np.zeros((0, len(point)))
    names = ["intercept", "files_slope", "idle_intercept", "sigma", "round_sigma", "agent_sigma", "run_sigma",
             "test_rate", "test_time_s", "bug_rate"]
    est: dict[str, Estimate | None] = {}
    for i, name in enumerate(names):
        col = boot[:, i][~np.isnan(boot[:, i])] if len(boot) else np.zeros(0)
        if math.isnan(point[i]):
            est[name] = None
            continue
        lo, hi = (float(np.quantile(col, 0.025)), float(np.quantile(col, 0.975))) if len(col) else (point[i],) * 2
        est[name] = Estimate(float(point[i]), (lo, hi))
    latency = {k: e for k in names[:7] if (e := est[k]) is not None}
    notes = [] if est["bug_rate"] is not None else ["bug_rate: no successful run with a test run; left as it was"]
    return DirectFit(latency, est["test_rate"], est["test_time_s"], est["bug_rate"], len(runs),
                     int(pairs[:, 0].sum()) if len(runs) else 0, notes)
