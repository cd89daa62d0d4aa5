"""Reading the paper harness's files: run directories (`events.jsonl`), `results.json`, and the combined parquet.

Every reader reports what it cannot use to a `Problems` collector (a count and the first few, each with
file:line or file:row) and skips it; nothing here is fatal except a path that holds no harness data at all.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teamtui.core import events as ev
from teamtui.core import files
from teamtui.core.errors import TeamtuiError
from teamtui.experiments.paper.format import RunMeta, canonical_key, meta_from_key

SHOW = 5
"""How many problems are quoted; the rest are counted."""
RESULT_NUMBERS = ("total_rounds", "tasks_done", "total_tasks", "lock_conflicts", "critical_path",
                  "predicted_amdahl_speedup", "concurrent_writes", "claims_blocked", "total_input_tokens",
                  "total_output_tokens")


LIMITS = {"ts": 1e11, "round": 1e6, "returncode": 1e6}
"""A record's numeric fields must be finite and below these (a Unix time before the year 5000, ...)."""


class PaperImportError(TeamtuiError):
    """A path that cannot be imported at all."""


@dataclass
class Problems:
    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, where: str, why: str) -> None:
        self.count += 1
        if len(self.first) < SHOW:
            self.first.append(f"{where}: {why}")


@dataclass
class Source:
    """Runs found under a path: their records (by key) and metadata (by key)."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    metas: dict[str, RunMeta] = field(default_factory=dict)
    tasks: dict[str, tuple[ev.TaskSpec, ...]] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    origins: dict[str, str] = field(default_factory=dict)
    """Where a run's events came from: "parquet" (the combined events.parquet) or "events.jsonl" (its directory)."""

    def meta(self, key: str) -> RunMeta:
        if key not in self.metas:
            self.metas[key] = meta_from_key(key)
        return self.metas[key]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_record(r: Any) -> str:
    """Why a harness event record cannot be used ("" if it can)."""
    if not isinstance(r, dict):
        return "not a JSON object"
    if not isinstance(r.get("type"), str):
        return 'no "type"'
    for key, top in LIMITS.items():
        if r.get(key) is not None and not (_number(r[key]) and 0 <= abs(r[key]) < top):
            return f"{key} = {r[key]!r} is not a number below {top:g}"
    return ""


def read_jsonl(path: Path, problems: Problems) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        lines = files.read_bytes(path, "harness events.jsonl").splitlines()
    except files.FileRefused as exc:
        problems.add(str(path), exc.detail)
        return out
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except (ValueError, RecursionError):
            problems.add(f"{path}:{i}", f"not JSON: {line[:40].decode(errors='replace')!r}")
            continue
        why = check_record(r)
        if why:
            problems.add(f"{path}:{i}", why)
            continue
        out.append(r)
    return out


def read_tasks(path: Path, problems: Problems) -> tuple[ev.TaskSpec, ...]:
    """A harness task file (`tasks.json`, `final_tasks.json`, `tasks/<suite>/pNN.json`) as TaskSpecs."""
    try:
        data = json.loads(files.read_text(path, "harness task file"))
        return tuple(ev.TaskSpec(id=str(t["id"]), file=str((t.get("files") or [""])[0]),
                                 depends_on=tuple(str(d) for d in t.get("dependencies") or ()), work=1.0)
                     for t in data["tasks"])
    except files.FileRefused as exc:
        problems.add(str(path), f"{exc.detail}; run has no DAG")
        return ()
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        problems.add(str(path), f"not a task file in the harness's format ({type(exc).__name__}); run has no DAG")
        return ()


def apply_result(meta: RunMeta, r: dict[str, Any]) -> None:
    """Fill a run's metadata from a results.json entry or a runs.parquet row."""
    if isinstance(r.get("success"), bool):
        meta.success = r["success"]
    if _number(r.get("wall_clock_seconds")):
        meta.wall_clock_seconds = float(r["wall_clock_seconds"])
    if _number(r.get("n_teammates")):
        meta.n_teammates = int(r["n_teammates"])
    if _number(r.get("rep")):
        meta.rep = int(r["rep"])
    if _number(r.get("p_true")):
        meta.p_true = float(r["p_true"])
    for key, attr in (("p_label", "p_label"), ("mode", "mode"), ("task_type", "suite"), ("model_dir", "model_dir"),
                      ("exp_dir", "exp_dir")):
        if isinstance(r.get(key), str) and r[key]:
            setattr(meta, attr, r[key])
    meta.numbers.update({k: r[k] for k in RESULT_NUMBERS if _number(r.get(k))})


def check_result(r: Any) -> str:
    if not isinstance(r, dict):
        return "not a JSON object"
    if not isinstance(r.get("run_dir"), str):
        return 'no "run_dir"'
    if not isinstance(r.get("success"), bool):
        return f"success = {r.get('success')!r} is not true/false"
    wc: Any = r.get("wall_clock_seconds")
    if not _number(wc) or wc < 0:
        return f"wall_clock_seconds = {wc!r} is not a duration"
    return ""


def read_results(path: Path, src: Source, only: set[str] | None = None) -> None:
    """A results.json's entries into the runs' metadata (`only` these runs' keys, if given)."""
    try:
        data = json.loads(files.read_text(path, "harness results.json"))
    except files.FileRefused as exc:
        src.problems.add(str(path), f"{exc.detail}; its runs keep what their events say")
        return
    except (ValueError, RecursionError) as exc:
        src.problems.add(str(path), f"not readable JSON ({type(exc).__name__}); its runs keep what their events say")
        return
    if not isinstance(data, list):
        src.problems.add(str(path), "not a list of run results; skipped")
        return
    for i, r in enumerate(data):
        why = check_result(r)
        if why:
            src.problems.add(f"{path}:entry {i}", why)
            continue
        key = canonical_key(Path(r["run_dir"]).parts)
        if only is None or key in only:
            apply_result(src.meta(key), r)


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise PaperImportError("reading parquet files needs pyarrow: pip install 'teamtui[paper]' "
                               "(or pip install pyarrow)") from None
    return pq


def read_parquet(runs_path: Path | None, events_path: Path | None, src: Source) -> None:
    """The harness's combined `runs.parquet` (one row per run) and `events.parquet` (one row per event)."""
    pq = _pyarrow()
    keys: dict[str, str] = {}
    for path in (p for p in (runs_path, events_path) if p is not None):
        try:
            with files.open_regular(path, "parquet file") as fh:
                table = pq.read_table(fh)
            names = table.column_names
            columns = [table.column(name).to_pylist() for name in names]  # columns, then rows: 2x faster
        except files.FileRefused:
            raise
        except Exception as exc:  # pyarrow raises its own error types for foreign or truncated files
            raise PaperImportError(f"{path}: not a readable parquet file ({type(exc).__name__}); "
                                   "point at the harness's data/runs.parquet and data/events.parquet") from None
        for i, values in enumerate(zip(*columns, strict=True)):
            clean = {k: v for k, v in zip(names, values, strict=True) if v is not None}
            if path is runs_path:
                why = check_result(clean)
                if why:
                    src.problems.add(f"{path}:row {i}", why)
                    continue
                apply_result(src.meta(canonical_key(Path(clean["run_dir"]).parts)), clean)
            else:
                why = check_record(clean) or ("" if isinstance(clean.get("run_dir"), str) else 'no "run_dir"')
                if why:
                    src.problems.add(f"{path}:row {i}", why)
                    continue
                if isinstance(clean.get("agents"), list | tuple):
                    clean["agents"] = [str(a) for a in clean["agents"]]
                rd = clean.pop("run_dir")
                key = keys.get(rd) or keys.setdefault(rd, canonical_key(Path(rd).parts))
                src.records.setdefault(key, []).append(clean)
                src.origins[key] = "parquet"


def find(path: Path) -> tuple[list[Path], list[Path], list[tuple[Path | None, Path | None]]]:
    """Run directories, results.json files and (runs.parquet, events.parquet) pairs under a path."""
    if not path.exists():
        raise PaperImportError(f"{path}: no such file or directory; give a run directory, an experiment "
                               "directory, a results.json or the harness's data/runs.parquet")
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and ".git" not in p.parts)
    run_dirs = sorted({p.parent for p in files if p.name == "events.jsonl"})
    results = [p for p in files if p.name == "results.json"]
    pairs: dict[Path, list[Path | None]] = defaultdict(lambda: [None, None])
    for p in files:
        if p.name in ("runs.parquet", "events.parquet"):
            pairs[p.parent][0 if p.name == "runs.parquet" else 1] = p
    if path.is_file() and path.suffix == ".parquet" and path.name in ("runs.parquet", "events.parquet"):
        other = path.with_name("events.parquet" if path.name == "runs.parquet" else "runs.parquet")
        if other.is_file():
            pairs[path.parent][0 if other.name == "runs.parquet" else 1] = other
    if not (run_dirs or results or pairs):
        raise PaperImportError(f"{path}: no paper harness data here (no events.jsonl, results.json, runs.parquet "
                               "or events.parquet); point at a run directory, an experiment directory or data/")
    return run_dirs, results, [(a, b) for a, b in pairs.values()]


def repo_tasks(near: Path, meta: RunMeta, src: Source, cache: dict[Path, tuple[ev.TaskSpec, ...]]) -> Iterator[
        tuple[ev.TaskSpec, ...]]:
    """The task DAG of a parquet run from the harness repository's tasks/ (beside data/), if it is there."""
    for root in (near, near.parent):
        f = root / "tasks" / f"amdahl_{meta.suite}" / f"{meta.p_label}.json"
        if f.is_file():
            if f not in cache:
                cache[f] = read_tasks(f, src.problems)
            yield cache[f]
            return


def load(path: Path) -> Source:
    """Everything importable under `path`, merged by run: a run directory's own files win over parquet rows."""
    run_dirs, results, pairs = find(path)
    src = Source()
    cache: dict[Path, tuple[ev.TaskSpec, ...]] = {}
    for runs_path, events_path in pairs:
        read_parquet(runs_path, events_path, src)
        near = (runs_path or events_path or path).parent
        for key in list(src.records):
            if key not in src.tasks:
                src.tasks[key] = next(repo_tasks(near, src.meta(key), src, cache), ())
    inside = {r.resolve() for r in results}
    for f in sorted(inside):
        read_results(f, src)
    above = {d.resolve().parents[i] / "results.json" for d in run_dirs for i in (0, 1) if len(d.resolve().parents) > i}
    mine = {canonical_key(d.resolve().parts) for d in run_dirs}
    for f in sorted(f for f in above - inside if f.is_file()):  # above PATH: only for the runs being imported
        read_results(f, src, only=mine)
    for d in run_dirs:
        key = canonical_key(d.resolve().parts)
        src.meta(key)
        src.records[key] = read_jsonl(d / "events.jsonl", src.problems)
        src.origins[key] = "events.jsonl"
        task_file = next((d / n for n in ("tasks.json", "final_tasks.json") if (d / n).is_file()), None)
        src.tasks[key] = read_tasks(task_file, src.problems) if task_file else ()
    return src
