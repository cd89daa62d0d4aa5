"""The run's workspace: a real directory of versioned files, with conflict detection and test runs.

Every write names the version it was based on. A write on a stale base is a conflict, resolved by the
consistency mode: `none` (last writer wins, the conflict is recorded), `optimistic` (the write is
rejected) or `locking` (only the holder of the subtask that owns the file may write it; others are
denied before any conflict can happen). Paths that leave the workspace are refused.

Tests run either by the model's own account (`verify = "model"`: the sim knows whether it wrote a bug)
or for real (`verify = "tests"`: the subtask's pytest file runs in a subprocess with the workspace as
its directory and import path, limits on wall time, CPU time, memory and file size set with
`resource.setrlimit` in the child, its own process group (killed whole on time-out), no network where
Linux lets it make a network namespace (`unshare -rn`), and an environment holding no secrets: only
PATH, LANG-like variables and a HOME inside the workspace).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from teamtui.scenario.spec import TestLimits

SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT")


def _limiter(limits: TestLimits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        import resource

        cpu = max(1, int(limits.timeout_s) + 1)
        mem = limits.memory_mb * 1024 * 1024
        for res, val in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_AS, mem),
                         (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024), (resource.RLIMIT_CORE, 0)):
            with contextlib.suppress(ValueError, OSError):  # a hard limit already lower than ours: keep it
                resource.setrlimit(res, (val, val))

    return apply


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
        put there after `resolve` cannot lead outside); folders are made on the way when creating."""
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
            return os.open(name, flags | os.O_NOFOLLOW, 0o644, dir_fd=fd)
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
        """Run one pytest file against the workspace in a subprocess (blocking: call it from a thread)."""
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--no-header",
               "--rootdir", str(self.root), str(test_file)]
        code, out = self._sandboxed(cmd, limits or TestLimits())
        out = _TIMING.sub("", out)  # "3 passed in 0.04s" -> "3 passed": the log stays reproducible
        if code in (0, 124, 137):
            return code, out.strip().splitlines()[-1][:300] if out.strip() else ""
        return code, _failure_summary(out)

    def run_check(self, path: str, limits: TestLimits | None = None) -> tuple[int, str]:
        """A subtask without tests: its file must exist and compile (in the same sandbox)."""
        if path not in self.files:
            return 1, f"{path} was not written"
        code, out = self._sandboxed([sys.executable, "-m", "py_compile", path], limits or TestLimits())
        return code, (out.strip().splitlines() or ["compiles (no tests for this subtask)"])[-1][:300]

    def _sandboxed(self, cmd: list[str], limits: TestLimits) -> tuple[int, str]:
        cmd = [*no_network_prefix(), *cmd]
        env = {k: v for k, v in os.environ.items() if k in SAFE_ENV_KEYS}
        env.update(PYTHONPATH=str(self.root), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", HOME=str(self.root),
                   PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # plain pytest: ten times faster to start, nothing foreign
        proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                preexec_fn=_limiter(limits), start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return 124, f"tests timed out after {limits.timeout_s:g} s and were stopped"
        if proc.returncode < 0:
            sig = -proc.returncode
            why = "the CPU time limit" if sig in (signal.SIGXCPU, signal.SIGKILL) else f"signal {sig}"
            return 137, f"tests were stopped by {why}"
        if "MemoryError" in out:
            return proc.returncode or 1, f"tests ran out of memory (limit {limits.memory_mb} MB)"
        return proc.returncode, out


@functools.cache
def no_network_prefix() -> tuple[str, ...]:
    """`unshare -rn --` where the system lets this user make a network namespace (Linux with user
    namespaces): model-written test code then has no network at all, not even loopback. Elsewhere
    nothing, and tests run with the machine's network (the README says so)."""
    exe = shutil.which("unshare")
    if exe is None:
        return ()
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=5, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return (exe, "-rn", "--") if ok else ()


_TIMING = re.compile(r" in \d+(\.\d+)?s( \(\d+:\d+:\d+\))?")


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _failure_summary(out: str) -> str:
    """The most useful lines of a failed pytest run: the first error lines and the summary line."""
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("E ", "FAILED", "ERROR"))][:6]
    return "\n".join([*errors, lines[-1] if lines else ""])[:1200]
