"""`teamtui import PATH`: the paper harness's recorded runs into the run database, as runs and one sweep.

Each run is stored under a stable id derived from its harness directory (`paper-<hash>`), with its events
mapped to teamtui's vocabulary and metrics JSON: `summarize(events).to_dict()` plus `paper_run`, the
paper's own per-run numbers (from results.json or runs.parquet, and the notebook's event-derived ones), and
`not_measured`: what the run's source cannot give, whose fields are None rather than 0 (`unmeasured`).
The sweep (source `import:PATH`) has one cell per run, done, so `teamtui report` reads imported and
simulated sweeps alike. Re-importing skips runs already there and reuses the sweep. Writes go through
sqlite3 `executemany` in a few transactions; each commit keeps what was imported so far.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from teamtui import __version__
from teamtui.core import events as ev
from teamtui.experiments.measures import PARQUET_NOT_MEASURED, RUN_DIR_NOT_MEASURED
from teamtui.experiments.paper.events import to_events
from teamtui.experiments.paper.format import (
    RunMeta,
    architecture_of,
    fill_agents,
    harness_stats,
    run_id,
    teammates_of,
)
from teamtui.experiments.paper.sources import Problems, Source, load
from teamtui.experiments.table import CellParams, add_cells, connect, create_sweep, mark_cell, set_sweep_status
from teamtui.metrics.summary import summarize
from teamtui.store import writer

COMMIT_RUNS = 250
"""Runs per transaction."""


@dataclass
class ImportResult:
    runs: int
    imported: int
    already: int
    events: int
    seconds: float
    sweep_id: str
    problems: Problems
    write_seconds: float = 0.0
    """Of `seconds`, the time spent in sqlite (executemany and commits)."""

    @property
    def rows_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def cell_of(meta: RunMeta, records: list[dict[str, Any]], seed: int) -> CellParams:
    return CellParams(pack=meta.suite, p=meta.p_true if meta.p_true is not None else -1.0,
                      size=meta.n_teammates or 0, architecture=architecture_of(meta.mode, records),
                      execution="rounds", model=meta.model,
                      trial=meta.rep, seed=seed)


def paper_run(meta: RunMeta, stats: dict[str, Any]) -> dict[str, Any]:
    """The paper's per-run numbers: what its results/runs table says, else what its events say."""
    out: dict[str, Any] = {
        "run_dir": meta.key, "model_dir": meta.model_dir, "exp_dir": meta.exp_dir, "mode": meta.mode,
        "suite": meta.suite, "p_label": meta.p_label, "p_true": meta.p_true, "n_teammates": meta.n_teammates,
        "rep": meta.rep, "success": meta.success, "wall_clock_seconds": meta.wall_clock_seconds,
    }
    out.update(stats)
    out.update(meta.numbers)
    out.setdefault("concurrent_writes", stats["concurrent_writes_events"])
    out.setdefault("claims_blocked", stats["claims_blocked_events"])
    return out


UNMEASURED_FIELDS = {
    "messages": ("messages_sent", "messages_delivered", "messages_dropped", "messages_per_subtask",
                 "messages_by_topic", "message_matrix"),
    "conflicts": ("claim_conflicts", "write_conflicts"),
}
"""The metrics fields each not-measured name stands for (tokens and lock denials are handled apart)."""


def unmeasured(metrics: dict[str, Any], origin: str) -> dict[str, Any]:
    """`metrics` with what the run's source does not record set to None and listed in `not_measured`: per-call
    tokens never (the totals are in `paper_run`), agent-to-agent messages and lock outcomes not in the parquet,
    claim and write conflicts nowhere (the harness has neither)."""
    names = PARQUET_NOT_MEASURED if origin == "parquet" else RUN_DIR_NOT_MEASURED
    out = {**metrics, "paper": {**metrics["paper"], "tokens_in": None, "tokens_out": None},
           "not_measured": list(names)}
    for name in names:
        for key in UNMEASURED_FIELDS.get(name, ()):
            out[key] = None
    if origin == "parquet":
        out["lock_denied"] = None
    if "messages" in names and isinstance(out.get("kim"), dict):
        out["kim"] = {**out["kim"], "message_density": None}
    return out


def _fill_from_events(meta: RunMeta, events: list[ev.Event]) -> None:
    """What results.json would have said, from the events: success and wall clock."""
    end = events[-1]
    assert isinstance(end, ev.RunFinished)
    if meta.success is None:
        meta.success = end.status == "completed"
    if meta.wall_clock_seconds is None:
        meta.wall_clock_seconds = end.makespan


def _iso(ts: float | None, plus: float = 0.0) -> str:
    when = datetime.fromtimestamp(ts, UTC) if ts is not None else datetime.now(UTC)
    return (when + timedelta(seconds=plus)).isoformat(timespec="seconds")


def _run_row(rid: str, meta: RunMeta, events: list[ev.Event], records: list[dict[str, Any]],
             metrics: dict[str, Any], source: str) -> writer.RunRow:
    start, end = events[0], events[-1]
    assert isinstance(start, ev.RunStarted) and isinstance(end, ev.RunFinished)
    ts0 = next((float(r["ts"]) for r in records if r.get("ts") is not None), None)
    text = (f"# imported from the paper harness (emieczkowski/distributed-llm-teams): {meta.key}\n"
            f"# model {meta.model}, mode {meta.mode}, suite {meta.suite}, {meta.p_label}, n = {meta.n_teammates}\n")
    return writer.RunRow(
        id=rid, scenario=start.scenario, scenario_text=text, source=source, seed=0, architecture=start.architecture,
        execution="rounds", size=len(start.agents), models=[meta.model],
        versions={"teamtui": __version__, "paper-harness": "imported"}, started=_iso(ts0),
        ended=_iso(ts0, end.makespan), status="finished", pid=0, host="import", makespan=end.makespan, faults=0,
        metrics=metrics)


def _seeds(metas: list[RunMeta]) -> dict[str, int]:
    """Runs that share model, mode, suite, p, n and rep (reruns) get seeds 0, 1, ... in key order."""
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    out = {}
    for m in sorted(metas, key=lambda m: m.key):
        base = (m.model_dir, m.mode, m.suite, m.p_label, m.n_teammates, m.rep)
        out[m.key] = seen[base]
        seen[base] += 1
    return out


def _sweep(conn: sqlite3.Connection, path: Path, cells: list[CellParams]) -> str:
    source = f"import:{path.resolve()}"
    row = conn.execute("SELECT id FROM sweeps WHERE source=? ORDER BY created DESC LIMIT 1", (source,)).fetchone()
    grid = {"models": sorted({c.model for c in cells}), "architectures": sorted({c.architecture for c in cells}),
            "packs": sorted({c.pack for c in cells}), "p": sorted({c.p for c in cells}),
            "sizes": sorted({c.size for c in cells})}
    if row is None:
        return create_sweep(conn, f"paper import: {path.name}", source, grid, cells)
    sweep_id = str(row[0])
    add_cells(conn, sweep_id, cells, skip_existing=True)
    return sweep_id


def import_paper(path: Path, db: Path) -> ImportResult:
    """Import every run under `path` into `db`; see the module docstring."""
    t0 = time.perf_counter()
    src: Source = load(path)
    keys = sorted(k for k in src.records if src.records[k])
    for k in sorted(set(src.metas) - set(keys)):
        src.problems.add(k, "no usable events for this run (none found, or none readable); skipped")
    seeds = _seeds([src.meta(k) for k in keys])
    written = imported = already = 0
    write_s = 0.0
    with connect(db, write=True) as conn:
        have = {r[0] for r in conn.execute("SELECT id FROM runs WHERE id LIKE 'paper-%'")}
        done: list[tuple[CellParams, str]] = []
        runs: list[writer.RunRow] = []
        rows: list[writer.EventRow] = []
        for i, key in enumerate(keys):
            meta, records, rid = src.meta(key), src.records[key], run_id(key)
            if meta.n_teammates is None:
                meta.n_teammates = teammates_of(records)
            if rid in have:
                already += 1
            else:
                fill_agents(records)
                events = to_events(records, meta, src.tasks.get(key, ()))
                _fill_from_events(meta, events)
                metrics = unmeasured(summarize(events).to_dict(), src.origins.get(key, "parquet"))
                metrics["paper_run"] = paper_run(meta, harness_stats(records))
                runs.append(_run_row(rid, meta, events, records, metrics, f"import:{key}"))
                rows.extend(writer.event_rows(rid, events))
                imported += 1
            done.append((cell_of(meta, records, seeds[key]), rid))
            if len(runs) >= COMMIT_RUNS or (i == len(keys) - 1 and runs):
                w0 = time.perf_counter()
                writer.insert_runs(conn, runs, skip_existing=True)
                writer.insert_events(conn, rows)
                conn.commit()
                write_s += time.perf_counter() - w0
                written += len(rows)
                runs, rows = [], []
        sweep_id = _sweep(conn, path, [c for c, _ in done]) if done else ""
        for cell, rid in done:
            mark_cell(conn, sweep_id, cell, rid, "done")
        if sweep_id:
            set_sweep_status(conn, sweep_id, "done")
    return ImportResult(len(keys), imported, already, written, time.perf_counter() - t0, sweep_id, src.problems,
                        write_s)
