"""A sweep's grid: its axes (from a `[sweep]` table and CLI options), its cells, and each cell's scenario.

`Grid.cells()` expands the axes into `CellParams` (adding the 1-agent baselines that speedup needs and
leaving out combinations that cannot run, such as a fault on agent 3 of a 2-agent team);
`cell_scenario` turns the sweep's base scenario text and one cell into the `Scenario` that cell runs,
and its TOML text, so every recorded run can be rerun on its own.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from teamtui.core.errors import ScenarioError, TeamtuiError
from teamtui.experiments.table import CellParams
from teamtui.scenario import axes
from teamtui.scenario.architectures import ARCHITECTURES
from teamtui.scenario.load import scenario_from_data
from teamtui.scenario.model import SweepOverride
from teamtui.scenario.spec import Scenario
from teamtui.scenario.tomlw import dumps

BASELINE_ARCH = "preassigned"
"""1-agent baselines run as one worker given everything (as `teamtui run` does), with no faults."""


class GridError(TeamtuiError):
    """A sweep grid that cannot run (an empty range, an unknown architecture, ...)."""


@dataclass(frozen=True)
class Grid:
    sizes: tuple[int, ...]
    architectures: tuple[str, ...]
    executions: tuple[str, ...]
    ps: tuple[float, ...]
    packs: tuple[str, ...]
    models: tuple[str, ...]
    faults: tuple[str, ...]
    trials: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cells(self) -> list[CellParams]:
        """Every cell, the 1-agent baselines first; sorted, without duplicates."""
        out: dict[str, CellParams] = {}
        for pack, p, execu, model, trial in itertools.product(self.packs, self.ps, self.executions, self.models,
                                                               range(self.trials)):
            seed = self.seed + trial
            base = CellParams(pack, p, 1, BASELINE_ARCH, execu, model, "none", trial, seed)
            out[base.key()] = base
            for arch, size, fault in itertools.product(self.architectures, self.sizes, self.faults):
                if size < ARCHITECTURES[arch].min_size:
                    continue
                cond = axes.parse_fault(fault)
                if cond is not None and (size < 2 or cond.agent > size):
                    continue  # a fault needs a teammate to recover and an agent to hit
                cell = CellParams(pack, p, size, arch, execu, model, fault, trial, seed)
                out[cell.key()] = cell
        return sorted(out.values(), key=lambda c: (c.size != 1 or c.architecture != BASELINE_ARCH or
                                                   c.fault != "none", c.key()))


def _axis(option: str | None, table: Any, default: Any, parse: Any, key: str, source: str) -> Any:
    value = option if option is not None else (table if table is not None else default)
    try:
        return parse(value)
    except ValueError as exc:
        where = f"--{key}" if option is not None else f"{source}: sweep.{key}"
        raise GridError(f"{where}: {exc}") from None


def grid_of(s: Scenario, data: dict[str, Any], options: dict[str, Any]) -> Grid:
    """The grid from the CLI `options` (sizes, arch, execution, p, packs, models, faults, trials; None
    where not given), else the file's `[sweep]` table, else the one value the scenario itself has."""
    table = data.get("sweep") or {}
    task = data.get("task", {})
    src = s.source
    if "pack" not in task:
        raise GridError(f"{src}: task: a sweep needs [task] pack = ... (it varies the pack and its p variant)")
    default_p = [task["p"]] if "p" in task else [0.5]
    trials = options["trials"] if options.get("trials") is not None else table.get("trials", 3)
    if trials < 1:
        raise GridError(f"--trials: {trials} is not allowed; give at least 1 run per grid point")
    return Grid(
        sizes=_axis(options.get("sizes"), table.get("sizes"), "1-5", axes.parse_sizes, "sizes", src),
        architectures=_axis(options.get("arch"), table.get("architectures"), [s.architecture],
                            axes.parse_architectures, "arch" if options.get("arch") else "architectures", src),
        executions=_axis(options.get("execution"), table.get("executions"), [s.execution], axes.parse_executions,
                         "execution" if options.get("execution") else "executions", src),
        ps=_axis(options.get("p"), table.get("p"), default_p, axes.parse_ps, "p", src),
        packs=_axis(options.get("packs"), table.get("packs"), [task["pack"]],
                    lambda v: axes.parse_names(v, "packs"), "packs", src),
        models=_axis(options.get("models"), table.get("models"), [s.model],
                     lambda v: axes.parse_names(v, "models"), "models", src),
        faults=_axis(options.get("faults"), table.get("faults"), ["none"], axes.parse_faults, "faults", src),
        trials=int(trials), seed=s.seed,
    )


def cell_data(data: dict[str, Any], cell: CellParams) -> dict[str, Any]:
    """The scenario data of one cell: the base file with the cell's values and fault, without [sweep]."""
    out = {k: v for k, v in data.items() if k not in ("sweep", "faults")}
    meta = dict(out.get("scenario", {}))
    label = f"n={cell.size} {cell.architecture} p={cell.p:g} {cell.pack}" + \
        (f" {cell.fault}" if cell.fault != "none" else "") + f" #{cell.trial}"
    meta.update(seed=cell.seed, name=f"{meta.get('name', 'sweep')} [{label}]")
    out["scenario"] = meta
    out["team"] = {**out.get("team", {}), "size": cell.size, "architecture": cell.architecture,
                   "execution": cell.execution, "model": cell.model}
    out["agents"] = list(out.get("agents", []))[: cell.size]
    if not out["agents"]:
        out.pop("agents")
    out["task"] = {"pack": cell.pack, "p": cell.p}
    for o in (SweepOverride.model_validate(x) for x in (data.get("sweep") or {}).get("overrides", [])):
        if o.matches(cell.architecture, cell.size, cell.p, cell.pack, cell.model):
            out["limits"] = {**out.get("limits", {}), **o.given()}
    cond = axes.parse_fault(cell.fault)
    if cond is not None:
        out["faults"] = [cond.to_toml()]
    return out


def cell_scenario(data: dict[str, Any], source: str, cell: CellParams) -> Scenario:
    """The scenario one cell runs (its `text` is its own TOML, so the recorded run can be rerun)."""
    d = cell_data(data, cell)
    text = dumps(d)
    try:
        return scenario_from_data(d, text, Path(source))
    except ScenarioError as exc:
        raise GridError(f"{source}: sweep cell (pack {cell.pack}, p {cell.p:g}, {cell.size} {cell.architecture}, "
                        f"{cell.execution}, {cell.model}, fault {cell.fault}) cannot run: "
                        f"{exc.key + ': ' if exc.key else ''}{exc.message}") from None


def check_cells(data: dict[str, Any], source: str, cells: list[CellParams]) -> None:
    """Build one scenario per distinct grid point (trial 0), so a bad combination fails before any run."""
    seen: set[tuple[Any, ...]] = set()
    for c in cells:
        k = (c.pack, c.p, c.size, c.architecture, c.execution, c.model, c.fault)
        if k not in seen:
            seen.add(k)
            cell_scenario(data, source, c)
