"""One sweep's whole analysis in one record: what it covered, per-condition summaries, the paper's speedup and its
44 headline figures, Kim et al.'s coordination figures, growth exponents and the statistical tests with their
effect sizes; `to_dict()` is the report's JSON."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teamtui.experiments.growth import Fit, MeansFit, means_fits, per_run_fits
from teamtui.experiments.hypotheses import (
    Compared,
    Groups,
    Paired,
    kruskal_by_p,
    mann_whitney,
    not_measured,
    team_runs,
    wilcoxon_vs_amdahl,
)
from teamtui.experiments.kim import kim_table
from teamtui.experiments.measures import succeeded, value
from teamtui.experiments.paper_table import paper_table
from teamtui.experiments.speedup import BASELINE_RULE, SpeedupEstimate, paper_speedups, rule_speedups
from teamtui.experiments.stats import ConditionSummary, summarize_conditions
from teamtui.experiments.table import CellRun


@dataclass(frozen=True)
class Analysis:
    sweep: dict[str, Any]
    cells: int
    done: int
    failed: int
    pending: int
    succeeded: int
    dims: dict[str, list[Any]]
    baseline_rule: str
    mean_speedup: float | None
    """Mean of the paper's speedup over every fault-free condition with two or more agents."""
    mean_speedup_by_arch: dict[str, float]
    mean_run_speedup: float | None
    """Mean per-run speedup (the baseline rule) over fault-free team runs."""
    speedups: list[SpeedupEstimate]
    paper_table: dict[str, dict[str, dict[str, Any]]]
    """The paper's 44 headline figures (`teamtui.experiments.paper_table`)."""
    kim: dict[str, dict[str, Any]]
    """Kim et al.'s coordination figures per "<arch>|<n>" (`teamtui.experiments.kim`)."""
    fits: list[Fit]
    """Per-run log-log fits of agent-to-agent messages."""
    reply_fits: list[Fit]
    means_fits: list[MeansFit]
    """Ratio-of-means exponents of messages, with cluster-bootstrap CIs."""
    reply_means_fits: list[MeansFit]
    wilcoxon: Paired | None
    kruskal: Groups | None
    kruskal_by_arch: dict[str, Groups | None]
    mann_whitney: list[Compared]
    not_measured: list[str]
    """Measures the architectures are not compared on because the sweep's runs do not measure them."""
    conditions: list[ConditionSummary]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def dims_of(rows: Sequence[CellRun]) -> dict[str, list[Any]]:
    def axis(get: Any) -> list[Any]:
        return sorted({get(r.params) for r in rows})

    return {"sizes": axis(lambda c: c.size), "architectures": axis(lambda c: c.architecture),
            "executions": axis(lambda c: c.execution), "p": axis(lambda c: c.p), "packs": axis(lambda c: c.pack),
            "models": axis(lambda c: c.model), "faults": axis(lambda c: c.fault),
            "trials": axis(lambda c: c.trial)}


def analyze(rows: Sequence[CellRun], sweep: dict[str, Any] | None = None) -> Analysis:
    """The whole analysis; every speedup follows the one baseline rule (`rule_speedups` first)."""
    rows = rule_speedups(rows)
    speedups = paper_speedups(rows)
    team = [e for e in speedups if e.size >= 2]
    by_arch: dict[str, list[float]] = {}
    for e in team:
        by_arch.setdefault(e.architecture, []).append(e.speedup)
    run_speedups = [v for r in team_runs(rows) if (v := value(r, "speedup")) is not None]
    archs = sorted({r.params.architecture for r in rows})
    teams = sorted({r.params.architecture for r in rows if r.params.size >= 2})  # not the 1-agent baselines
    pair = ("preassigned", "decentralized") if {"preassigned", "decentralized"} <= set(teams) else \
        (tuple(teams[:2]) if len(teams) >= 2 else None)
    return Analysis(
        sweep=sweep or {}, cells=len(rows), done=sum(1 for r in rows if r.status == "done"),
        failed=sum(1 for r in rows if r.status == "failed"), pending=sum(1 for r in rows if r.status == "pending"),
        succeeded=sum(1 for r in rows if succeeded(r)), dims=dims_of(rows), baseline_rule=BASELINE_RULE,
        mean_speedup=statistics.fmean(e.speedup for e in team) if team else None,
        mean_speedup_by_arch={a: statistics.fmean(v) for a, v in sorted(by_arch.items())},
        mean_run_speedup=statistics.fmean(run_speedups) if run_speedups else None,
        speedups=speedups, paper_table=paper_table(rows), kim=kim_table(rows),
        fits=per_run_fits(rows, "messages"), reply_fits=per_run_fits(rows, "replies"),
        means_fits=means_fits(rows, "messages"), reply_means_fits=means_fits(rows, "replies"),
        wilcoxon=wilcoxon_vs_amdahl(rows), kruskal=kruskal_by_p(rows),
        kruskal_by_arch={a: kruskal_by_p(rows, architecture=a) for a in archs},
        mann_whitney=mann_whitney(rows, pair[0], pair[1]) if pair else [],
        not_measured=not_measured(rows, pair[0], pair[1]) if pair else [],
        conditions=summarize_conditions(rows),
    )
