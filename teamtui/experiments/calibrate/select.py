"""Which recorded runs a calibration reads: RUNS (run ids, sweep ids or `latest`) narrowed by filters, by model.

A reference is tried as a sweep first (an id, a unique prefix, `latest`; an imported sweep is one too), then as a
run id (or prefix). A run that belongs to a sweep takes that sweep cell's parameters; a run recorded on its own
takes them from its row and its `RunStarted`. Only finished, fault-free runs of `rounds` execution with metrics
are kept (the paper's figures need rounds). The harness's suite names are read as teamtui's task packs
(`mathutilities20` is `math_utils`, ...), so a fit on the paper's runs simulates teamtui's packs of the same
names and p.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from teamtui.core.errors import TeamtuiError
from teamtui.experiments.table import CellParams, CellRun, connect, resolve_sweep
from teamtui.store.schema import RecorderError

PACK_ALIASES = {"mathutilities20": "math_utils", "mathutilities": "math_utils", "dataanalysis": "data_analysis",
                "svgutils": "svg_render"}
"""The paper harness's suites by the names of teamtui's own packs with the same subtasks and p variants."""


class SelectionError(TeamtuiError):
    """RUNS and filters that select nothing, or a reference that names no sweep and no run."""


def canonical_pack(name: str) -> str:
    return PACK_ALIASES.get(name, name)


@dataclass(frozen=True)
class Filters:
    """What to keep of the referenced runs (an empty tuple keeps everything)."""

    models: tuple[str, ...] = ()
    """A model is kept when one of these equals it or is part of its name ("claude" keeps anthropic/claude-...)."""
    archs: tuple[str, ...] = ()
    ps: tuple[float, ...] = ()
    sizes: tuple[int, ...] = ()
    packs: tuple[str, ...] = ()
    reps: tuple[int, ...] = ()
    """Repetitions (a sweep's trial; an imported run's rep): validation splits by them."""

    def keeps(self, c: CellParams) -> bool:
        return ((not self.models or any(m == c.model or m in c.model for m in self.models))
                and (not self.archs or c.architecture in self.archs)
                and (not self.ps or any(abs(c.p - p) < 1e-9 for p in self.ps))
                and (not self.sizes or c.size in self.sizes)
                and (not self.packs or canonical_pack(c.pack) in {canonical_pack(p) for p in self.packs})
                and (not self.reps or c.trial in self.reps))

    def describe(self) -> str:
        parts = [f"{k} {','.join(str(x) for x in v)}" for k, v in
                 (("model", self.models), ("arch", self.archs), ("p", self.ps), ("sizes", self.sizes),
                  ("packs", self.packs), ("reps", self.reps)) if v]
        return "; ".join(parts) if parts else "all"


@dataclass(frozen=True)
class Selection:
    """The selected runs (packs under teamtui's names), what selected them, and the database they are in."""

    db: Path
    refs: tuple[str, ...]
    filters: Filters
    runs: tuple[CellRun, ...]
    sweeps: tuple[str, ...] = field(default=())

    def models(self) -> list[str]:
        return sorted({r.params.model for r in self.runs})

    def where(self, more: Filters) -> Selection:
        """The runs that `more` keeps too (the filters of both are recorded)."""
        kept = tuple(r for r in self.runs if more.keeps(r.params))
        merged = Filters(*(getattr(more, f) or getattr(self.filters, f) for f in
                           ("models", "archs", "ps", "sizes", "packs", "reps")))
        return replace(self, runs=kept, filters=merged)

    def describe(self) -> str:
        return f"{len(self.runs)} runs of {', '.join(self.refs)} in {self.db} ({self.filters.describe()})"


def select(db: Path, refs: Sequence[str], filters: Filters) -> Selection:
    """The runs `refs` name, narrowed by `filters` (see the module docstring)."""
    if not refs:
        raise SelectionError("give RUNS: run ids, a sweep id (or prefix), or latest")
    found: dict[str, CellRun] = {}
    sweeps: list[str] = []
    with connect(db) as conn:
        for ref in refs:
            try:
                sweep_id = resolve_sweep(conn, ref, db)
            except RecorderError:
                sweep_id = None
            if sweep_id is not None:
                sweeps.append(sweep_id)
                for row in _sweep_rows(conn, sweep_id):
                    found.setdefault(row.run_id or "", row)
                continue
            run_id = _run_id(conn, ref, db)
            found.setdefault(run_id, _run_row(conn, run_id))
    usable = [replace(r, params=replace(r.params, pack=canonical_pack(r.params.pack))) for r in found.values()
              if r.run_id and r.status == "done" and r.metrics is not None and r.params.fault == "none"
              and r.params.execution == "rounds"]
    kept = tuple(sorted((r for r in usable if filters.keeps(r.params)), key=lambda r: (r.params.key(), r.run_id)))
    if not kept:
        raise SelectionError(f"no finished fault-free rounds runs in {', '.join(refs)} match the filters "
                             f"({filters.describe()}); {len(usable)} before filtering")
    return Selection(db, tuple(refs), filters, kept, tuple(sweeps))


def _sweep_rows(conn: sqlite3.Connection, sweep_id: str) -> list[CellRun]:
    rows = conn.execute("SELECT c.params, c.run_id, c.status, r.metrics FROM sweep_cells c JOIN runs r ON r.id ="
                        " c.run_id WHERE c.sweep_id=? ORDER BY c.cell", (sweep_id,)).fetchall()
    return [CellRun(CellParams(**json.loads(p)), rid, st, json.loads(m) if m else None) for p, rid, st, m in rows]


def _run_id(conn: sqlite3.Connection, ref: str, db: Path) -> str:
    ids = [str(r[0]) for r in conn.execute("SELECT id FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' LIMIT 6",
                                      (ref, ref.replace("%", "\\%").replace("_", "\\_") + "%"))]
    if ref in ids:
        return ref
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise SelectionError(f'"{ref}" is ambiguous: it starts runs {", ".join(ids[:5])}; give more of the id')
    raise SelectionError(f'"{ref}" names no sweep and no run in {db}; see teamtui sweeps and teamtui runs')


def _run_row(conn: sqlite3.Connection, run_id: str) -> CellRun:
    cell = conn.execute("SELECT c.params, c.status, r.metrics FROM sweep_cells c JOIN runs r ON r.id = c.run_id"
                        " WHERE c.run_id = ? LIMIT 1", (run_id,)).fetchone()
    if cell is not None:
        return CellRun(CellParams(**json.loads(cell[0])), run_id, cell[1], json.loads(cell[2]) if cell[2] else None)
    arch, execu, size, models, status, seed, faults, metrics = conn.execute(
        "SELECT architecture, execution, size, models, status, seed, faults, metrics FROM runs WHERE id = ?",
        (run_id,)).fetchone()
    start = conn.execute("SELECT payload FROM events WHERE run_id = ? AND seq = 0", (run_id,)).fetchone()
    first = json.loads(start[0]) if start else {}
    m = json.loads(metrics) if metrics else None
    p = first.get("p") if first.get("p") is not None else (m or {}).get("p")
    p = p if isinstance(p, int | float) else 0.0
    params = CellParams(pack=str(first.get("pack") or ""), p=float(p), size=int(size), architecture=arch,
                        execution=execu, model=str(first.get("model") or models),
                        fault="none" if not faults else "faults", seed=int(seed or 0))
    return CellRun(params, run_id, "done" if status == "completed" or m is not None else status, m)
