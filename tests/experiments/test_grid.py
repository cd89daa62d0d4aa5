"""Sweep grids: axes parsing, cell expansion (baselines added, impossible fault cells left out), each cell's
scenario (and the per-grid-point cache workers use), and the TOML writer that records it."""

from __future__ import annotations

import tomllib

import pytest

from teamtui.core.faults import Scheduled, Stall
from teamtui.experiments import runner
from teamtui.experiments.grid import Grid, cell_scenario
from teamtui.experiments.table import CellParams
from teamtui.scenario import axes
from teamtui.scenario.tomlw import dumps

from ..conftest import ROOT


def test_axes_parse_ranges_aliases_and_fault_conditions() -> None:
    assert axes.parse_sizes("1-3,5") == (1, 2, 3, 5) and axes.parse_sizes([3, 1, 3]) == (1, 3)
    assert axes.parse_ps("serial, 0.5,parallel") == (0.2, 0.5, 0.9)
    cond = axes.parse_fault("delay:2@40s+60x4")
    assert cond == axes.FaultCondition("delay", 2, 40.0, 60.0, 4.0) and cond.label == "delay:2@40+60x4"
    assert axes.parse_faults(["none", "stall@30+10", "none"]) == ("none", "stall:1@30+10")
    for bad in ("stall", "kill:1@30+5", "delay:1@30", "stall:1@30x2", "boom:1@3"):
        with pytest.raises(ValueError):
            axes.parse_fault(bad)


def test_cells_add_baselines_and_skip_faults_without_a_teammate_to_recover() -> None:
    grid = Grid(sizes=(1, 3), architectures=("decentralized", "lead"), executions=("rounds",), ps=(0.5,),
                packs=("math_utils",), models=("sim",), faults=("none", "stall:2@10+5"), trials=2, seed=7)
    cells = grid.cells()
    keys = {(c.size, c.architecture, c.fault, c.seed) for c in cells}
    assert (1, "preassigned", "none", 7) in keys and (1, "preassigned", "none", 8) in keys  # baselines, per seed
    assert (1, "decentralized", "none", 7) in keys and (1, "decentralized", "stall:2@10+5", 7) not in keys
    assert not any(c.architecture == "lead" and c.size == 1 for c in cells)  # a lead team needs 2 agents
    assert (3, "lead", "stall:2@10+5", 8) in keys
    assert len(cells) == len(set(cells)) == 2 * (1 + 3 + 2)  # per trial: baseline, 3 decentralized, 2 lead
    assert all(c.size == 1 and c.architecture == "preassigned" for c in cells[:2])  # baselines first


def test_a_cell_scenario_is_the_base_with_the_cells_values_and_its_text_reruns_it() -> None:
    text = (ROOT / "scenarios" / "quickstart.toml").read_text()
    data = tomllib.loads(text)
    cell = CellParams("svg_render", 0.9, 2, "preassigned", "async", "sim", "stall:2@5+10", 1, 42)
    s = cell_scenario(data, "q.toml", cell)
    assert (s.size, s.architecture, s.execution, s.seed, s.task.p_declared) == (2, "preassigned", "async", 42, 0.9)
    assert s.faults == (Scheduled(Stall(s.agents[1].name, seconds=10.0), at=5.0),)
    again = cell_scenario(tomllib.loads(s.text), "q.toml", cell)
    assert (again.faults, again.sim, again.task, again.agents) == (s.faults, s.sim, s.task, s.agents)


def test_workers_cached_scenarios_equal_freshly_built_ones() -> None:
    data = tomllib.loads((ROOT / "scenarios" / "experiments" / "stragglers.toml").read_text())
    runner._STATE.update(data=data, source="s.toml", baselines={}, scenarios={})
    first = CellParams("math_utils", 0.5, 3, "decentralized", "rounds", "sim", "stall:1@40+120", 0, 200)
    later = CellParams("math_utils", 0.5, 3, "decentralized", "rounds", "sim", "stall:1@40+120", 4, 204)
    runner._scenario(first)
    assert runner._scenario(later) == cell_scenario(data, "s.toml", later)


def test_toml_writer_round_trips_every_shipped_scenario() -> None:
    for path in (ROOT / "scenarios").rglob("*.toml"):
        if "tasks" in path.parts:
            continue
        data = tomllib.loads(path.read_text())
        assert tomllib.loads(dumps(data)) == data, path


def test_sweep_overrides_set_the_limits_of_the_cells_they_match_later_entries_winning() -> None:
    data = tomllib.loads('''
[scenario]
name = "g"
seed = 1
[task]
pack = "math_utils"
[limits]
max_rounds = 40
lease_s = 30
[sweep]
sizes = "1-3"
[[sweep.overrides]]
architectures = ["decentralized"]
sizes = "2-3"
limits = { max_rounds = 20 }
[[sweep.overrides]]
sizes = 3
p = [0.5]
limits = { max_rounds = 9 }
''')

    def limits(size: int, arch: str, p: float) -> dict[str, object]:
        s = cell_scenario(data, str(ROOT / "g.toml"), CellParams("math_utils", p, size, arch, "rounds", "sim"))
        return {"max_rounds": s.max_rounds, "lease_s": s.lease_s}

    assert limits(1, "decentralized", 0.5) == {"max_rounds": 40, "lease_s": 30}
    assert limits(2, "decentralized", 0.5) == {"max_rounds": 20, "lease_s": 30}  # lease_s not given: kept
    assert limits(2, "preassigned", 0.5) == {"max_rounds": 40, "lease_s": 30}
    assert limits(3, "decentralized", 0.5) == {"max_rounds": 9, "lease_s": 30}
    assert limits(3, "decentralized", 0.2) == {"max_rounds": 20, "lease_s": 30}
    assert limits(3, "preassigned", 0.5) == {"max_rounds": 9, "lease_s": 30}
