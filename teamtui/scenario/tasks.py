"""Task graphs: subtasks forming a DAG, loaded from a built-in pack, inline TOML or the paper harness's JSON.

A `TaskGraph` is frozen and validated on construction: ids are unique, every `depends_on` names a
subtask, and there is no cycle (the error names it). It derives the quantities the metrics need:
critical path (in subtasks and in work), total work, the paper's parallel fraction
p = (subtasks - critical path length) / subtasks, the work-based p, and Amdahl's bound.

A pack lives in `scenarios/tasks/<name>/`: `pack.toml` lists 20 subtasks in chain order, each with a
standalone reference in `reference/` and, for subtasks 2..16, a chained one in `reference/chained/`
that builds on the previous subtask; `[variants]` maps p to a chain length L, so the variant's DAG is a
chain of the first L subtasks plus independent ones, and p = (20 - L) / 20 exactly as in the paper.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from teamtui.core import files
from teamtui.core.errors import TaskPackError, did_you_mean

P_ALIASES = {"serial": 0.2, "mixed": 0.5, "parallel": 0.9}


@dataclass(frozen=True)
class Subtask:
    """One unit of work: a file to write, verified by its tests."""

    id: str
    file: str
    depends_on: tuple[str, ...] = ()
    work: float = 1.0
    spec: str = ""
    title: str = ""
    symbol: str = ""
    reference: Path | None = None
    tests: Path | None = None


@dataclass(frozen=True)
class TaskGraph:
    """A validated DAG of subtasks (see the module docstring)."""

    name: str
    subtasks: tuple[Subtask, ...]
    description: str = ""
    pack: str = ""
    p_declared: float | None = None
    by_id: dict[str, Subtask] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Subtask] = {}
        for st in self.subtasks:
            if st.id in by_id:
                raise TaskPackError(f'{self.name}: subtask id "{st.id}" is used twice; ids must be unique')
            by_id[st.id] = st
        for st in self.subtasks:
            for dep in st.depends_on:
                if dep not in by_id:
                    raise TaskPackError(
                        f'{self.name}: subtask "{st.id}" depends on unknown subtask "{dep}"'
                        f"{did_you_mean(dep, by_id)}"
                    )
        object.__setattr__(self, "by_id", by_id)
        cycle = self._find_cycle()
        if cycle:
            shown = cycle if len(cycle) <= 9 else [*cycle[:4], f"... ({len(cycle) - 1} subtasks in all) ...",
                                                    *cycle[-3:]]
            raise TaskPackError(f"{self.name}: dependency cycle {' -> '.join(shown)}; remove one of these edges")

    def _find_cycle(self) -> list[str]:
        """One dependency cycle (its ids, the first repeated at the end), or [] — a depth-first search with an
        explicit stack, so a chain or cycle of any length is one answer, not a RecursionError."""
        state: dict[str, int] = {}  # 1: on the current path, 2: finished
        for root in self.subtasks:
            if root.id in state:
                continue
            path: list[str] = [root.id]
            nexts = [iter(root.depends_on)]
            state[root.id] = 1
            while path:
                dep = next(nexts[-1], None)
                if dep is None:
                    state[path.pop()] = 2
                    nexts.pop()
                elif state.get(dep) == 1:
                    return [*path[path.index(dep):], dep]
                elif dep not in state:
                    state[dep] = 1
                    path.append(dep)
                    nexts.append(iter(self.by_id[dep].depends_on))
        return []

    def topo_order(self) -> list[str]:
        """Subtask ids, dependencies first, ties kept in declaration order: the order of repeated passes over the
        declared subtasks that each take every subtask whose dependencies are taken (a subtask declared before
        one of its dependencies waits for the next pass), computed in O(n log n) rather than pass by pass."""
        index = {st.id: i for i, st in enumerate(self.subtasks)}
        waiting = {st.id: len(set(st.depends_on)) for st in self.subtasks}
        children: dict[str, list[str]] = {st.id: [] for st in self.subtasks}
        for st in self.subtasks:
            for dep in set(st.depends_on):
                children[dep].append(st.id)
        passes = {st.id: 0 for st in self.subtasks}
        ready = [st.id for st in self.subtasks if not waiting[st.id]]
        while ready:
            tid = ready.pop()
            for child in children[tid]:
                passes[child] = max(passes[child], passes[tid] + (index[tid] > index[child]))
                waiting[child] -= 1
                if not waiting[child]:
                    ready.append(child)
        return sorted(index, key=lambda t: (passes[t], index[t]))

    def longest_paths(self, weighted: bool) -> dict[str, float]:
        """For each subtask, the longest path (in subtasks or in work) ending with it."""
        out: dict[str, float] = {}
        for tid in self.topo_order():
            st = self.by_id[tid]
            own = st.work if weighted else 1.0
            out[tid] = own + max((out[d] for d in st.depends_on), default=0.0)
        return out

    @property
    def critical_path_len(self) -> int:
        return int(max(self.longest_paths(weighted=False).values(), default=0))

    @property
    def critical_path_work(self) -> float:
        return max(self.longest_paths(weighted=True).values(), default=0.0)

    @property
    def total_work(self) -> float:
        return sum(st.work for st in self.subtasks)

    @property
    def p(self) -> float:
        """The paper's parallel fraction: (subtasks - critical path length) / subtasks."""
        n = len(self.subtasks)
        return (n - self.critical_path_len) / n if n else 0.0

    @property
    def p_work(self) -> float:
        """The parallel fraction by work: (total work - critical-path work) / total work."""
        w = self.total_work
        return (w - self.critical_path_work) / w if w else 0.0

    @property
    def dag_bound(self) -> float:
        """No schedule beats total work / critical-path work, however many agents."""
        cp = self.critical_path_work
        return self.total_work / cp if cp else 1.0


def amdahl(p: float, n: int) -> float:
    """Amdahl's law: the speedup bound 1 / ((1 - p) + p / n) for n workers."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return 1.0 / ((1.0 - p) + p / n)


def builtin_pack_roots() -> list[Path]:
    """Where built-in packs are looked for: the source checkout's scenarios/tasks, then the wheel's copy."""
    pkg = Path(__file__).resolve().parent.parent
    return [pkg.parent / "scenarios" / "tasks", pkg / "_scenarios" / "tasks"]


def find_pack(name: str, near: Path | None = None) -> Path:
    """The directory of a pack given by name (built-in) or by a path relative to `near`, which it may not leave."""
    candidates = []
    if near is not None:
        candidates += [files.inside(near, name), files.inside(near, f"tasks/{name}")]
    candidates += [files.inside(root, name) for root in builtin_pack_roots()]
    for c in candidates:
        if c is not None and (c / "pack.toml").exists():  # load_pack refuses what is not a regular file
            return c
    if near is not None and files.inside(near, name) is None:
        raise TaskPackError(f"pack {name!r} is outside the scenario's folder; a scenario may name only a built-in "
                            "pack or a pack folder beside it (so a shared scenario cannot send your files to a "
                            "model): copy the pack next to the scenario")
    known = sorted({d.name for root in builtin_pack_roots() if root.is_dir() for d in root.iterdir()
                    if (d / "pack.toml").is_file()})
    raise TaskPackError(f'unknown task pack "{name}"{did_you_mean(name, known)}; built-in packs: {", ".join(known)}')


def parse_p(value: float | str) -> float:
    """0.5 or "mixed" -> 0.5; raises ValueError naming the aliases."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in P_ALIASES:
            return P_ALIASES[key]
        try:
            return float(key)
        except ValueError:
            raise ValueError(f'"{value}" is not a p value; use a number or one of serial, mixed, parallel') from None
    return float(value)


def load_pack(path: Path, p: float | str | None) -> TaskGraph:
    """A pack's variant at parallel fraction `p` (default: the middle variant)."""
    try:
        data = tomllib.loads(files.read_text(path / "pack.toml", "task pack's pack.toml"))
    except files.FileRefused as exc:
        raise TaskPackError(str(exc)) from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise TaskPackError(f"{path / 'pack.toml'}: cannot read the pack: {exc!s:.200}") from None
    meta = data.get("pack", {})
    variants = {float(k): int(v) for k, v in data.get("variants", {}).items()}
    raw = data.get("subtasks", [])
    if not raw or not variants:
        raise TaskPackError(f"{path / 'pack.toml'}: a pack needs [variants] and [[subtasks]]")
    want = parse_p(p) if p is not None else sorted(variants)[len(variants) // 2]
    match = [k for k in variants if abs(k - want) < 1e-9]
    if not match:
        allowed = ", ".join(str(k) for k in sorted(variants))
        raise TaskPackError(f"p = {want} is not a variant of pack {path.name}; allowed: {allowed} "
                            "(or serial, mixed, parallel)")
    chain = variants[match[0]]
    subtasks = []
    for i, st in enumerate(raw):
        chained = 0 < i < chain
        ref = files.inside(path, f"reference/{'chained/' if chained else ''}{st['file']}")
        tests = files.inside(path, f"tests/test_{st['id']}.py")
        if ref is None or tests is None:
            raise TaskPackError(f"{path / 'pack.toml'}: subtask {st['id']!r}: its files must be inside the pack "
                                f"(file = {st['file']!r} leaves it); name a file in the pack's folder")
        spec = st.get("spec", "")
        if chained and st.get("chain_spec"):
            spec = f"{spec} {st['chain_spec']}"
        subtasks.append(Subtask(
            id=st["id"], file=st["file"], work=float(st.get("work", 1.0)), spec=spec,
            title=st.get("title", ""), symbol=st.get("symbol", st["id"]),
            depends_on=(raw[i - 1]["id"],) if chained else (),
            reference=ref if ref.is_file() else None, tests=tests if tests.is_file() else None,
        ))
    return TaskGraph(name=meta.get("title", path.name), subtasks=tuple(subtasks),
                     description=meta.get("description", ""), pack=meta.get("name", path.name),
                     p_declared=match[0])


def load_paper_json(path: Path) -> TaskGraph:
    """A task file in the paper harness's format: {"project", "description", "tasks": [{id, title,
    description, dependencies, files}]}."""
    try:
        data = json.loads(files.read_text(path, "task file"))
        tasks = data["tasks"]
        subtasks = tuple(
            Subtask(id=str(t["id"]), file=(t.get("files") or [""])[0], depends_on=tuple(t.get("dependencies", [])),
                    spec=t.get("description", ""), title=t.get("title", ""))
            for t in tasks
        )
    except files.FileRefused as exc:
        raise TaskPackError(str(exc)) from None
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise TaskPackError(f"{path}: not a task file in the paper harness's format ({exc!s}); "
                            'expected {"project": ..., "tasks": [{"id", "dependencies", "files"}]}') from None
    return TaskGraph(name=str(data.get("project", path.stem)), subtasks=subtasks,
                     description=str(data.get("description", "")))
