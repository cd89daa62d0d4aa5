"""Simulating the cells of a calibration: the selected runs' grid points with candidate knobs, on fixed seeds.

A cell is an (architecture, team size, task pack, p) point of the selected runs. Its scenario is teamtui's pack
of that name and p run as the paper's harness ran: `verify = "harness"`, `consistency = "none"` (the harness
locks per write only), rounds execution, leases and stall detection too long ever to act (the harness has
neither), no time limit, and the round limit the data shows: each cell's seeds get round limits spread over
those its failed runs stopped at (quantiles of them, in order), or the selection's most common one, or 60.
Seeds are fixed (common random numbers), so the same knobs always give the same runs and the loss of a
calibration is a deterministic function of the knobs.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.experiments.calibrate.calls import from_events
from teamtui.experiments.measures import round_gaps, succeeded, value
from teamtui.experiments.table import CellRun
from teamtui.launch import run_events
from teamtui.scenario.load import scenario_from_data
from teamtui.scenario.simconfig import SimConfig
from teamtui.scenario.spec import Scenario
from teamtui.scenario.tomlw import dumps

DEFAULT_LIMIT = 60
NEVER = 1e9
"""Seconds for leases, stall detection and the time limit: longer than any run."""


class RunRecord(msgspec.Struct, frozen=True):
    """One run as the calibration's figures read it (observed or simulated alike)."""

    architecture: str
    size: int
    pack: str
    p: float
    seed: int
    success: bool
    makespan: float
    replies: float
    idle_rounds: float
    concurrent_writes: float
    gaps: tuple[float, ...]
    """The paper's per-round straggler gaps."""
    rounds: int = 0
    round_limited: bool = False
    slowest: tuple[float, ...] = ()
    """Each round's slowest reply latency (kept for validation's distances)."""
    run_id: str = ""


@dataclass(frozen=True)
class SimCell:
    architecture: str
    size: int
    pack: str
    p: float
    limits: tuple[int, ...] = (DEFAULT_LIMIT,)

    def limit(self, slot: int, slots: int) -> int:
        """The round limit of the `slot`-th of `slots` seeds: quantiles of `limits`, in order."""
        return self.limits[min(len(self.limits) - 1, int((slot + 0.5) * len(self.limits) / slots))]

    @property
    def key(self) -> tuple[str, int, str, float]:
        return self.architecture, self.size, self.pack, self.p


def observed(rows: Iterable[CellRun]) -> list[RunRecord]:
    """The selected runs as records. Concurrent writes are the harness's own count where an import kept it
    (`paper_run.concurrent_writes`: the figure the paper reports, counted with the writers' names, which the
    published events lack), else the number recomputed from the events (`concurrent_writes_events`, which
    has to guess each write's agent and disagrees with the harness in about a third of the paper's runs)."""
    out = []
    for r in rows:
        m = r.metrics or {}
        pr = m.get("paper_run") if isinstance(m.get("paper_run"), dict) else None
        cw = None if pr is None else next((pr[k] for k in ("concurrent_writes", "concurrent_writes_events")
                                           if isinstance(pr.get(k), int | float)), None)
        rounds = pr.get("total_rounds") if pr is not None else (m.get("paper") or {}).get("rounds")
        c = r.params
        out.append(RunRecord(c.architecture, c.size, c.pack, c.p, c.trial, succeeded(r), value(r, "makespan") or 0.0,
                             value(r, "replies") or 0.0, value(r, "idle_rounds") or 0.0,
                             float(cw) if cw is not None else (value(r, "concurrent_writes") or 0.0),
                             tuple(round_gaps(r) or ()), int(rounds or 0), m.get("status") == "round_limit",
                             run_id=r.run_id or ""))
    return out


def plan(records: Sequence[RunRecord]) -> list[SimCell]:
    """The cells to simulate for these runs, each with the round limits of its (architecture, size)."""
    limits: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r in records:
        if r.round_limited and r.rounds:
            limits[(r.architecture, r.size)].append(r.rounds)
    common = Counter(x for xs in limits.values() for x in xs).most_common(1)
    fallback = (common[0][0],) if common else (DEFAULT_LIMIT,)
    keys = sorted({(r.architecture, r.size, r.pack, r.p) for r in records})
    return [SimCell(a, n, pack, p, tuple(sorted(limits[(a, n)])) or fallback) for a, n, pack, p in keys]


@lru_cache(maxsize=256)
def template(architecture: str, size: int, pack: str, p: float) -> Scenario:
    """The cell's scenario with the harness's rules (see the module docstring); knobs and seed come later."""
    data: dict[str, Any] = {
        "scenario": {"name": f"calibrate n={size} {architecture} p={p:g} {pack}", "seed": 0},
        "team": {"size": size, "architecture": architecture, "execution": "rounds", "model": "sim",
                 "consistency": "none", "sim": {"verify": "harness"}},
        "task": {"pack": pack, "p": p},
        "limits": {"max_rounds": DEFAULT_LIMIT, "max_time_s": NEVER, "lease_s": NEVER, "stall_after_s": NEVER}}
    return scenario_from_data(data, dumps(data), Path("calibrate.toml"))


def record(cell: SimCell, seed: int, events: list[ev.Event], detail: bool) -> RunRecord:
    st = RunState.of(events)
    slowest = tuple(float(x) for x in from_events("", events).round_slowest()) if detail else ()
    return RunRecord(cell.architecture, cell.size, cell.pack, cell.p, seed, st.status == "completed", st.makespan,
                     float(st.replies), float(st.idle_rounds() or 0), float(st.concurrent_writes()),
                     tuple(st.round_gaps() or ()), st.max_round, st.status == "round_limit", slowest)


def simulate(sim: dict[str, Any], cells: Sequence[SimCell], seeds: Sequence[int],
             detail: bool = False) -> list[RunRecord]:
    """Every cell on every seed with these `[team.sim]` values (verify = harness is implied)."""
    cfg = SimConfig.model_validate({**sim, "verify": "harness"})
    out = []
    for cell in cells:
        base = template(cell.architecture, cell.size, cell.pack, cell.p)
        for slot, seed in enumerate(seeds):
            s = replace(base, sim=cfg, seed=seed, max_rounds=cell.limit(slot, len(seeds)))
            out.append(record(cell, seed, run_events(s), detail))
    return out


def seeds_of(count: int, base: int = 1000) -> tuple[int, ...]:
    return tuple(range(base, base + count))


def chunks(cells: Sequence[SimCell], parts: int) -> list[list[SimCell]]:
    """`cells` in at most `parts` lists of similar cost (bigger teams cost more)."""
    parts = max(1, min(parts, len(cells)))
    out: list[list[SimCell]] = [[] for _ in range(parts)]
    load = [0.0] * parts
    for c in sorted(cells, key=lambda c: -c.size):
        i = min(range(parts), key=load.__getitem__)
        out[i].append(c)
        load[i] += 1 + math.log(c.size + 1)
    return [o for o in out if o]
