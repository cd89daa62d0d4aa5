"""What `teamtui calibrate` does: select the runs, fit (or validate) each model separately, write and print."""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from teamtui.experiments.calibrate.fit import Options, fit_model
from teamtui.experiments.calibrate.output import cache_path, profile_path, provenance, write_profile
from teamtui.experiments.calibrate.render import fit_data, print_fit, print_pooled, print_validation, validation_data
from teamtui.experiments.calibrate.select import Filters, Selection, select
from teamtui.experiments.calibrate.validate import validate_model
from teamtui.experiments.executors import open_executor
from teamtui.experiments.report import strict_json

OPTIMISER = "compass search with shrinking per-knob steps in asin(sqrt(x)) / sqrt(x) space, fixed seeds"


@dataclass(frozen=True)
class Start:
    """An earlier profile to refit from (`--start`): its behavioural knobs and their intervals."""

    name: str
    values: tuple[tuple[str, float], ...]
    knob_ci: dict[str, Any]
    knob_ci_kind: dict[str, Any]

    def carried(self, fitted: set[str], prov: dict[str, Any]) -> None:
        """Keep the intervals of the knobs held at this profile's values, labelled as held, in `prov`."""
        for name, _ in self.values:
            if name not in fitted and name in self.knob_ci:
                prov["knob_ci"][name] = self.knob_ci[name]
                prov["knob_ci_kind"][name] = f"held from {self.name} ({self.knob_ci_kind.get(name, 'no kind')})"


def start_from(profile: str) -> Start:
    """The behavioural knobs' values in a profile (a name, or a .toml file), for `--start`."""
    from teamtui.core.errors import TeamtuiError
    from teamtui.experiments.calibrate.knobs import chosen
    from teamtui.scenario import profiles

    try:
        path = Path(profile) if profile.endswith(".toml") else profiles.find(profile, Path.cwd())
        if not path.is_file():
            raise profiles.ProfileError(f"no profile file {path}; give a profile's name or its .toml file")
        data = profiles.load(path)
    except profiles.ProfileError as exc:
        raise TeamtuiError(f"--start: {exc}") from None
    sim = data["sim"]
    prov: dict[str, Any] = data["profile"] if isinstance(data.get("profile"), dict) else {}
    values = tuple((k.name, float(sim[k.name])) for k in chosen(()) if isinstance(sim.get(k.name), int | float))
    table = {key: dict(prov[key]) if isinstance(prov.get(key), dict) else {} for key in ("knob_ci", "knob_ci_kind")}
    return Start(path.stem, values, table["knob_ci"], table["knob_ci_kind"])


def of_model(sel: Selection, model: str) -> Selection:
    return replace(sel, runs=tuple(r for r in sel.runs if r.params.model == model))


def calibrate(db: Path, refs: list[str], filters: Filters, options: Options, output: Path | None,
              name: str | None, command: str, validate: bool = False, fmt: str = "text",
              predict_seeds: int = 20, start: Start | None = None,
              folds: tuple[str, ...] = ("pack", "rep")) -> list[dict[str, Any]]:
    """Fit (or, with `validate`, validate) one profile per selected model; print text or JSON; return the data."""
    if start is not None:
        options = replace(options, start=start.values)
    if options.where.kind != "process":  # started (or joined) once, for every fit and fold of this command
        with open_executor(options.where, options.jobs) or contextlib.nullcontext():
            return _calibrate(db, refs, filters, options, output, name, command, validate, fmt, predict_seeds,
                              start, folds)
    return _calibrate(db, refs, filters, options, output, name, command, validate, fmt, predict_seeds, start, folds)


def _calibrate(db: Path, refs: list[str], filters: Filters, options: Options, output: Path | None,
               name: str | None, command: str, validate: bool, fmt: str, predict_seeds: int, start: Start | None,
               folds: tuple[str, ...]) -> list[dict[str, Any]]:
    sel = select(db, refs, filters)
    models = sel.models()
    out: list[dict[str, Any]] = []
    for model in models:
        sub = of_model(sel, model)
        path = profile_path(model, output, name, len(models) > 1)
        if validate:
            results = validate_model(sub, options, cache_path(path), predict_seeds, folds)
            data = validation_data(model, results)
            if fmt == "text":
                print_validation(data)
            out.append(data)
            continue
        fit = fit_model(sub, options, cache_path(path))
        prov = provenance(model, fit.runs, sub.describe(), command, {
            "refs": list(refs), "filters": filters.describe(), "loss": round(fit.search.loss, 4),
            "loss_terms": len(fit.observed), "evaluations": fit.search.evaluations,
            "converged": fit.search.converged, "seeds": fit.seeds, "cells": fit.cells, "optimiser": OPTIMISER,
            "direct_runs": fit.direct.runs, "direct_calls": fit.direct.calls,
            "ci": fit.direct.cis(), "knob_ci": {k: list(v) for k, v in fit.knob_ci.items()},
            "knob_ci_kind": fit.knob_ci_kind,
            "knob_ci_rule": "profile: 1.96 sqrt(2 (H^-1)_ii) in the search space, H from a quadratic fitted to the "
                            "loss near the fitted knobs; conditional: the same from the curvature along the knob's "
                            "own axis, the others held (narrower where knobs trade off); unbounded: the whole range "
                            "(teamtui.experiments.calibrate.knob_ci)",
            "worst_terms": fit.worst, **({"start": start.name} if start is not None else {})})
        if start is not None:
            start.carried(set(fit.knob_ci) | set(fit.search.best), prov)
        write_profile(path, fit.sim, prov)
        if fmt == "text":
            print_fit(fit, path)
        out.append(fit_data(fit, path))
    if validate and fmt == "text" and len(out) > 1:
        print_pooled(out)  # the models' held-out figures added up
    if fmt == "json":
        sys.stdout.write(json.dumps(strict_json(out), indent=1, allow_nan=False) + "\n")
    return out
