"""A calibration and a validation as rich tables in the terminal, or as JSON-able data."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from teamtui.experiments.calibrate.figures import label
from teamtui.experiments.calibrate.fit import Fit
from teamtui.experiments.calibrate.loss import terms
from teamtui.experiments.calibrate.predict import coverage, widening
from teamtui.experiments.calibrate.validate import FoldResult


def console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=150)


def fit_data(fit: Fit, path: Path | None) -> dict[str, Any]:
    return {"model": fit.model, "profile": str(path) if path else None, "runs": fit.runs, "cells": fit.cells,
            "seeds": fit.seeds, "loss": fit.search.loss, "evaluations": fit.search.evaluations,
            "cached_evaluations": fit.reused, "iterations": fit.search.iterations,
            "converged": fit.search.converged, "seconds": round(fit.seconds, 1), "sim": fit.sim,
            "fresh_evaluations": fit.fresh, "direct_ci": fit.direct.cis(),
            "knob_ci": {k: list(v) for k, v in fit.knob_ci.items()}, "knob_ci_kind": fit.knob_ci_kind,
            "ci_evaluations": fit.ci_evaluations,
            "notes": fit.direct.notes, "worst": fit.worst,
            "terms": [{"statistic": label(t.key), "observed": t.observed, "simulated": t.simulated, "z": t.z,
                       "cost": t.cost} for t in terms(fit.observed, fit.simulated)]}


def print_fit(fit: Fit, path: Path | None) -> None:
    out = console()
    cis = fit.direct.cis()
    table = Table(title=f"{fit.model}: {fit.runs} runs, {fit.cells} cells × {fit.seeds} seeds", title_justify="left")
    for col in ("knob", "value", "how", "95 % CI (direct: bootstrap; simulation: loss curvature)"):
        table.add_column(col)
    flat = {f"latency.{k}": v for k, v in fit.sim["latency"].items()} | \
        {k: v for k, v in fit.sim.items() if k not in ("latency", "verify")}
    for name, value in flat.items():
        ci = cis.get(name) or fit.knob_ci.get(name)
        kind = fit.knob_ci_kind.get(name, "profile")
        table.add_row(name, f"{value:.4g}", "direct" if name in cis else "simulation",
                      (f"[{ci[0]:.4g}, {ci[1]:.4g}]" + ("" if name in cis or kind == "profile" else f" ({kind})"))
                      if ci else "")
    out.print(table)
    stats = Table(title="statistics: observed vs simulated at the fitted knobs", title_justify="left")
    for col in ("statistic", "observed", "simulated", "z"):
        stats.add_column(col, justify="right" if col != "statistic" else "left")
    for t in terms(fit.observed, fit.simulated):
        stats.add_row(label(t.key), f"{t.observed:.3g}", "—" if t.simulated is None else f"{t.simulated:.3g}",
                      f"{t.z:+.1f}")
    out.print(stats)
    where = f"; profile {path}" if path else ""
    out.print(f"loss {fit.search.loss:.1f} after {fit.search.evaluations} evaluations "
              f"({fit.reused} from the cache, {'converged' if fit.search.converged else 'budget spent'}) "
              f"in {fit.seconds:.0f} s{where}", highlight=False)


def validation_data(model: str, results: Sequence[FoldResult]) -> dict[str, Any]:
    folds = []
    for r in results:
        inside, total = coverage(r.intervals)
        folds.append({"fold": r.fold.name, "kind": r.fold.kind, "train_runs": r.train_runs,
                      "test_runs": r.test_runs, "train_loss": r.fit.search.loss,
                      "evaluations": r.fit.search.evaluations, "coverage": [inside, total],
                      "coverage_sim": list(coverage(r.intervals, sim_only=True)),
                      "spread_between_packs": None if r.spread is None else
                      {f"{fig} {arch}": round(tau, 4) for (fig, arch), tau in sorted(r.spread.items())},
                      "intervals": [{"statistic": label(i.key), "observed": i.observed, "low": i.low,
                                     "high": i.high, "predicted": i.predicted, "inside": i.inside,
                                     "sim_low": i.sim_low, "sim_high": i.sim_high, "inside_sim": i.inside_sim}
                                    for i in r.intervals],
                      "findings": [{"finding": f.name, "observed": f.observed, "simulated": f.simulated,
                                    "agrees": f.agrees} for f in r.findings],
                      "distances": [{"variable": d.variable, "ks": d.ks, "wasserstein": d.wasserstein,
                                     "relative_wasserstein": d.relative, "observed": d.observed,
                                     "simulated": d.simulated} for d in r.distances]})
    summary = {}
    for kind in ("pack", "rep"):
        of = [r for r in results if r.fold.kind == kind]
        if of:
            ins = sum(coverage(r.intervals)[0] for r in of)
            tot = sum(coverage(r.intervals)[1] for r in of)
            agree = sum(f.agrees for r in of for f in r.findings)
            total_f = sum(len(r.findings) for r in of)
            sim_ins = sum(coverage(r.intervals, sim_only=True)[0] for r in of)
            summary[kind] = {"coverage": [ins, tot], "coverage_share": ins / tot if tot else None,
                             "coverage_sim": [sim_ins, tot], "widening": widening([i for r in of for i in r.intervals]),
                             "findings_agree": [agree, total_f]}
    return {"model": model, "folds": folds, "summary": summary,
            "interval": "95 % predictive interval of the held-out figure: 2.5-97.5 % quantiles over 2,000 "
                        "replicates, each resampling the simulated runs per sub-cell and then drawing as many "
                        "runs as the held-out data has there; where a pack is held out, each replicate also moved "
                        "by the spread between packs estimated on the training packs (coverage_sim: without it)"}


def print_validation(data: dict[str, Any]) -> None:
    out = console()
    table = Table(title=f"{data['model']}: held-out predictions", title_justify="left")
    for col in ("fold", "train", "test", "train loss", "coverage", "findings", "KS latency", "W latency (s)",
                "KS replies", "W replies"):
        table.add_column(col, justify="left" if col == "fold" else "right")
    for f in data["folds"]:
        d = {x["variable"]: x for x in f["distances"]}
        lat, rep = d.get("per-round latency (s)"), d.get("replies per run")
        ins, tot = f["coverage"]
        agree = sum(x["agrees"] for x in f["findings"])
        table.add_row(f["fold"], str(f["train_runs"]), str(f["test_runs"]), f"{f['train_loss']:.1f}",
                      f"{ins}/{tot} ({100 * ins / tot:.0f} %)" if tot else "—", f"{agree}/{len(f['findings'])}",
                      f"{lat['ks']:.2f}" if lat else "—", f"{lat['wasserstein']:.2f}" if lat else "—",
                      f"{rep['ks']:.2f}" if rep else "—", f"{rep['wasserstein']:.1f}" if rep else "—")
    out.print(table)
    for kind, s in data["summary"].items():
        ins, tot = s["coverage"]
        share = f"{100 * s['coverage_share']:.0f} %" if s["coverage_share"] is not None else "—"
        sim, wider = s["coverage_sim"][0], s["widening"]
        alone = f" (the sim's own intervals, without the spread between packs: {sim}/{tot}; with it they are a " \
            f"median {wider:.1f}× as wide)" if kind == "pack" and sim != ins and wider is not None else ""
        out.print(f"held-out {'packs' if kind == 'pack' else 'reps'}: coverage {ins}/{tot} ({share}){alone}; "
                  f"findings agree {s['findings_agree'][0]}/{s['findings_agree'][1]}", highlight=False)
    out.print(f"({data['interval']}.)", highlight=False)


def pooled(datas: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The validation summaries of several models added up, per kind of fold (coverage counts are sums)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in ("pack", "rep"):
        of = [d["summary"][kind] for d in datas if kind in d["summary"]]
        if of:
            ins, sim = (sum(s[k][0] for s in of) for k in ("coverage", "coverage_sim"))
            tot = sum(s["coverage"][1] for s in of)
            out[kind] = {"models": len(of), "coverage": [ins, tot], "coverage_sim": [sim, tot],
                         "coverage_share": ins / tot if tot else None}
    return out


def print_pooled(datas: Sequence[dict[str, Any]]) -> None:
    for kind, s in pooled(datas).items():
        (ins, tot), sim = s["coverage"], s["coverage_sim"][0]
        share = f"{100 * s['coverage_share']:.0f} %" if s["coverage_share"] is not None else "—"
        alone = f" (the sim's own intervals: {sim}/{tot})" if kind == "pack" and sim != ins else ""
        console().print(f"all {s['models']} models, held-out {'packs' if kind == 'pack' else 'reps'}: coverage "
                        f"{ins}/{tot} ({share}){alone}", highlight=False)
