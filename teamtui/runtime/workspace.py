"""The run's workspace: a real directory of versioned files, with conflict detection and test runs.

Every write names the version it was based on. A write on a stale base is a conflict, resolved by the
consistency mode: `none` (last writer wins, the conflict is recorded), `optimistic` (the write is
rejected) or `locking` (only the holder of the subtask that owns the file may write it; others are
denied before any conflict can happen). Paths that leave the workspace are refused.

Tests run either by the model's own account (`verify = "model"`: the sim knows whether it wrote a bug)
or for real (`verify = "tests"`: the subtask's pytest file runs in a subprocess with the workspace as
its directory and import path, a time limit and a scrubbed environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")


@dataclass
class FileState:
    version: int = 0
    last_writer: str = ""
    ok: bool = True
    task: str = ""
    tested_version: int = -1
    tested_ok: bool = False


class PathRefused(ValueError):
    """A path that would leave the workspace."""


class Workspace:
    """See the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, FileState] = {}
        self._resolved: dict[str, tuple[str, Path]] = {}
        self._real_root = self.root.resolve()
        self._dirs: set[Path] = set()

    def resolve(self, path: str) -> tuple[str, Path]:
        """A workspace-relative, normalised path and its real location; raises `PathRefused`.

        Accepted paths are remembered: agents only write regular files, so a path that was inside the
        workspace stays inside it."""
        known = self._resolved.get(path)
        if known is not None:
            return known
        if not path or "\x00" in path or path.startswith(("/", "\\", "~")) or ":" in path:
            raise PathRefused(f"path {path!r} must be relative to the workspace")
        pure = PurePosixPath(path.replace("\\", "/"))
        if any(part in ("..", "") for part in pure.parts) or pure.is_absolute():
            raise PathRefused(f"path {path!r} leaves the workspace")
        real = self._real_root / pure
        if real.exists() or real.is_symlink() or len(pure.parts) > 1:
            real = real.resolve()  # something is there already, or a directory on the way: follow links
        if not real.is_relative_to(self._real_root):
            raise PathRefused(f"path {path!r} leaves the workspace (through a link)")
        self._resolved[path] = (str(pure), real)
        return str(pure), real

    def version(self, path: str) -> int:
        f = self.files.get(path)
        return f.version if f else 0

    def versions(self) -> dict[str, int]:
        return {p: f.version for p, f in self.files.items()}

    def write(self, rel: str, real: Path, content: str, writer: str, task: str, ok: bool) -> int:
        """Write unconditionally (the engine has already applied the consistency rule); the new version."""
        if real.parent not in self._dirs:  # one mkdir per directory, not per write (the engine's hot path)
            real.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(real.parent)
        with open(real, "w", encoding="utf-8") as fh:
            fh.write(content)
        f = self.files.setdefault(rel, FileState())
        f.version += 1
        f.last_writer, f.ok, f.task = writer, ok, task
        return f.version

    def read(self, rel: str, real: Path) -> str | None:
        return real.read_text(encoding="utf-8") if real.is_file() else None

    def model_verdict(self, path: str, deps: list[str]) -> bool:
        """verify = "model": the file and every file it builds on are as their writers intended."""
        f = self.files.get(path)
        return f is not None and f.ok and all(self.files.get(d, FileState(ok=False)).ok for d in deps)

    def record_test(self, path: str, passed: bool) -> None:
        f = self.files.get(path)
        if f is not None:
            f.tested_version, f.tested_ok = f.version, passed

    def verdicts(self) -> dict[str, bool]:
        """Every file whose current version was tested, with whether it passed."""
        return {p: f.tested_ok for p, f in self.files.items() if f.tested_version == f.version}

    def tested_ok(self, path: str) -> bool | None:
        """Whether the current version passed its tests; None when it was not tested since its last write."""
        f = self.files.get(path)
        if f is None or f.tested_version != f.version:
            return None
        return f.tested_ok

    def run_pytest(self, test_file: Path, timeout_s: float = 120.0) -> tuple[int, str]:
        """Run one pytest file against the workspace in a subprocess (blocking: call it from a thread)."""
        env = {k: v for k, v in os.environ.items() if k in SAFE_ENV_KEYS}
        env.update(PYTHONPATH=str(self.root), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header",
               "--rootdir", str(self.root), str(test_file)]
        try:
            proc = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True,
                                  timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return 124, f"tests timed out after {timeout_s:g} s"
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        return proc.returncode, tail[:300]
