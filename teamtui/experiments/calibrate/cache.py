"""Evaluations of a calibration kept in a JSON-lines file, so that `--resume` continues where a run stopped.

Each line is one evaluation: its key, the knob values, the loss and the simulated statistics. The key hashes
the knob values (rounded as a profile writes them) with the problem's fingerprint: the cells, seeds, round
limits, direct knobs and observed statistics, and the source of the code that simulates (the engine, the sim
and the scenario schema), so an evaluation is reused only where it would come out the same. The search is
deterministic, so a resumed calibration replays the same path from the cache and goes on past its end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import teamtui

CODE_PACKAGES = ("core", "scenario", "llm", "runtime", "faults")


def code_fingerprint() -> str:
    """A hash of the source of everything a simulated run depends on, and teamtui's version."""
    root = Path(teamtui.__file__).resolve().parent
    h = hashlib.sha256(teamtui.__version__.encode())
    for pkg in CODE_PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(problem: Any) -> str:
    """The fingerprint of a problem description (any JSON-able value) with the code's."""
    text = json.dumps(problem, sort_keys=True, default=str)
    return hashlib.sha256(f"{code_fingerprint()}\n{text}".encode()).hexdigest()[:16]


class Cache:
    """See the module docstring. Without `resume` an existing file is started afresh."""

    def __init__(self, path: Path | None, fingerprint: str, resume: bool) -> None:
        self.path, self.fp = path, fingerprint
        self.entries: dict[str, dict[str, Any]] = {}
        self.reused = 0
        if path is None:
            return
        if resume and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by an interruption
                if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                    self.entries[entry["key"]] = entry
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")

    def current(self) -> list[dict[str, Any]]:
        """The entries of this problem (a resumed file may also hold another problem's)."""
        return [e for e in self.entries.values() if isinstance(e.get("x"), dict) and e["key"] == self.key(e["x"])]

    def key(self, values: Mapping[str, float]) -> str:
        text = json.dumps({"fp": self.fp, "x": dict(sorted(values.items()))}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def get(self, values: Mapping[str, float]) -> dict[str, Any] | None:
        entry = self.entries.get(self.key(values))
        if entry is not None:
            self.reused += 1
        return entry

    def put(self, values: Mapping[str, float], loss: float, stats: Mapping[str, Any]) -> dict[str, Any]:
        key = self.key(values)
        entry = {"key": key, "x": dict(values), "loss": loss, "stats": dict(stats)}
        self.entries[key] = entry
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")
        return entry
