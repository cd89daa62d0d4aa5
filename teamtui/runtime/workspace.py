"""The run's workspace: a real directory of versioned files, with conflict detection and test runs.

Every write names the version it was based on. A write on a stale base is a conflict, resolved by the
consistency mode: `none` (last writer wins, the conflict is recorded), `optimistic` (the write is
rejected) or `locking` (only the holder of the subtask that owns the file may write it; others are
denied before any conflict can happen). Paths that leave the workspace are refused (this holds for the
agents' own reads and writes; code under test is held in by the sandbox).

Tests run either by the model's own account (`verify = "model"`: the sim knows whether it wrote a bug)
or for real (`verify = "tests"`, and always for real models): the subtask's pytest file runs as
`teamtui.runtime.verify` describes (a private copy, isolated Python, a report the workspace cannot
forge), confined as `teamtui.runtime.sandbox` describes (the kernel sandbox where this machine has one).
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from teamtui.runtime import sandbox, verify
from teamtui.scenario.spec import TestLimits


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

    def __init__(self, root: Path, box: sandbox.Sandbox | None = None) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.box = box
        """Where test code runs (None: the best this machine offers, found on first use)."""
        self.checks = root.with_name(f"{root.name}.checks")
        """The private folders of test runs: beside the workspace, never inside it."""
        self.files: dict[str, FileState] = {}
        self._resolved: dict[str, tuple[str, Path]] = {}
        self._real_root = self.root.resolve()
        self._root_str = str(self._real_root)

    def resolve(self, path: str) -> tuple[str, Path]:
        """A workspace-relative, normalised path and its location; raises `PathRefused` for a path that is
        absolute, climbs out (`..`) or goes through a symbolic link (even one that stays inside).

        Accepted paths are remembered. That stays safe if something (test code, say) later puts a link
        where a file was: `write` and `read` open every component without following links."""
        known = self._resolved.get(path)
        if known is not None:
            return known
        if not path or "\x00" in path or path.startswith(("/", "\\", "~")) or ":" in path:
            raise PathRefused(f"path {path!r} must be relative to the workspace")
        pure = PurePosixPath(path.replace("\\", "/"))
        if any(part in ("..", "") for part in pure.parts) or pure.is_absolute():
            raise PathRefused(f"path {path!r} leaves the workspace")
        walk = self._root_str
        for part in pure.parts:  # links are refused, never followed
            walk = f"{walk}/{part}"
            if os.path.islink(walk):
                raise PathRefused(f"path {path!r} goes through a symbolic link; write regular files only")
        rel = str(pure)
        self._resolved[path] = (rel, self._real_root / pure)
        return rel, self._real_root / pure

    def version(self, path: str) -> int:
        f = self.files.get(path)
        return f.version if f else 0

    def versions(self) -> dict[str, int]:
        return {p: f.version for p, f in self.files.items()}

    def write(self, rel: str, real: Path, content: str, writer: str, task: str, ok: bool) -> int:
        """Write unconditionally (the engine has already applied the consistency rule); the new version."""
        data = content.encode("utf-8")  # before anything is touched: text that cannot be encoded is refused
        fd = self._open_inside(rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise IsADirectoryError(f"{rel} is not a regular file")
            fh.write(data)
        f = self.files.setdefault(rel, FileState())
        f.version += 1
        f.last_writer, f.ok, f.task = writer, ok, task
        return f.version

    def read(self, rel: str, real: Path) -> str | None:
        """The file's text; None if there is no such file; OSError for a link, a folder or worse."""
        try:
            fd = self._open_inside(rel, os.O_RDONLY)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise IsADirectoryError(f"{rel} is not a regular file")
            return fh.read().decode("utf-8")

    def _open_inside(self, rel: str, flags: int) -> int:
        """Open `rel` below the workspace root one component at a time, never following a link (so a link
        put there after `resolve` cannot lead outside); folders are made on the way when creating. The
        open never blocks: a FIFO that test code put where a file was is refused, not waited on."""
        *folders, name = rel.split("/")
        fd = os.open(self._root_str, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for folder in folders:
                if flags & os.O_CREAT:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(folder, dir_fd=fd)
                inner = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
            return os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644, dir_fd=fd)
        finally:
            os.close(fd)

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

    def run_pytest(self, test_file: Path, limits: TestLimits | None = None) -> tuple[int, str]:
        """Run one pytest file against the workspace (blocking: call it from a thread); (status, summary)."""
        return verify.run_tests(self.root, self.checks, test_file, limits or TestLimits(), self._box())

    def run_check(self, path: str, limits: TestLimits | None = None) -> tuple[int, str]:
        """A subtask without tests: its file must exist and compile (in the same sandbox)."""
        if path not in self.files:
            return 1, f"{path} was not written"
        return verify.run_compile(self.root, self.checks, path, limits or TestLimits(), self._box())

    def _box(self) -> sandbox.Sandbox:
        if self.box is None:
            self.box = sandbox.best()
        return self.box
