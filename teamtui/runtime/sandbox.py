"""Where code under test runs: the kernel sandbox (`teamtui.runtime.jail`) when this machine offers it, else the host.

`probe()` finds out once per process whether the sandbox works here, by running a trivial command in it.
`for_run()` picks the sandbox of a run at its start: runs that execute no code need none; a real-model
run refuses to start without one (one `RunError` line saying why and how to allow the host) unless the
scenario says `unsafe_host_exec`; the sim's `verify = "tests"` runs the pack's own reference code and
falls back to the host. The choice is named in `RunStarted.sandbox`.

`execute()` runs one command either way with the output going to a file, never to a pipe (a process
left behind could hold a pipe open and block the reader), and returns its exit status by the deadline:

* **confined** (Linux with Landlock and user namespaces): see `teamtui.runtime.jail`; reads are limited to
  `teamtui.runtime.roots` and the caller's own read roots, writes to the caller's write roots, at most
  MAX_PROCESSES processes, no network, no view of the host's processes, and everything dies at the deadline;
* **host** (`--unsafe-host-exec`, or the sim where no sandbox exists): rlimits, a process group killed at
  the deadline, no network where `unshare -rn` works; a process that leaves its group survives.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from teamtui.core.errors import RunError
from teamtui.runtime import landlock, roots
from teamtui.scenario.spec import TestLimits

JAIL = Path(__file__).with_name("jail.py")
"""The launcher, run as a script (this module does not import it: it needs Linux-only modules)."""
TIMEOUT = 124
"""The status of a command stopped at its deadline (`jail.TIMEOUT`)."""

MAX_PROCESSES = 64
"""RLIMIT_NPROC inside the sandbox: a fork bomb stops here (pytest and its helpers need a handful)."""
MIN_LANDLOCK_ABI = 3
"""ABI 3 (Linux 6.2) is the first whose Landlock refuses truncate(): before it, code could empty any file that
file permissions let it write (when teamtui runs as root, every file root owns)."""
GRACE_S = 1.5
"""How long past its deadline the harness waits for the sandbox to report before killing it outright."""
DISABLE_ENV = "TEAMTUI_NO_SANDBOX"
"""Set (to anything) to act as if this machine had no sandbox: real-model runs then refuse to start."""


@dataclass(frozen=True)
class Sandbox:
    """How a run's code is confined: `confined` (the kernel sandbox) or not (the host); `name` goes on record."""

    confined: bool
    name: str


@dataclass(frozen=True)
class Probe:
    """Whether the kernel sandbox works on this machine, its name, or why not."""

    ok: bool
    name: str = ""
    reason: str = ""


HOST_UNSAFE = Sandbox(False, "none: on the host (unsafe_host_exec), rlimits and a process group only")
HOST_SIM = Sandbox(False, "none: on the host (no sandbox here; the sim runs the pack's own reference code)")


@functools.cache
def probe() -> Probe:
    """Try the sandbox once: a command that must start, run confined and exit 0."""
    if not sys.platform.startswith("linux"):
        return Probe(False, reason=f"the sandbox needs Linux (Landlock and namespaces); this is {sys.platform}")
    if os.environ.get(DISABLE_ENV):
        return Probe(False, reason=f"{DISABLE_ENV} is set")
    version = landlock.abi()
    if version < 1:
        return Probe(False, reason="this kernel offers no Landlock (it needs Linux 6.2 or later with landlock "
                                   "in its lsm= boot list)")
    if version < MIN_LANDLOCK_ABI:
        return Probe(False, reason=f"this kernel's Landlock is ABI {version}, which cannot refuse truncate(); "
                                   f"the sandbox needs ABI {MIN_LANDLOCK_ABI} (Linux 6.2 or later)")
    with tempfile.TemporaryDirectory(prefix="teamtui-probe-") as tmp:
        out = Path(tmp) / "out"
        with open(out, "wb") as fh:
            code = execute([sys.executable, "-I", "-S", "-c", "pass"], cwd=Path(tmp), env={}, read=(), write=(tmp,),
                           limits=TestLimits(timeout_s=20), out_fd=fh.fileno(), confined=True)
        said = out.read_text(errors="replace").strip().splitlines()
    if code == 0:
        return Probe(True, name=f"landlock v{version}, user+PID+network+IPC namespaces, "
                                f"at most {MAX_PROCESSES} processes")
    why = said[-1].removeprefix("teamtui-sandbox: ") if said else f"exit status {code}"
    hint = (" (user namespaces are disabled here: sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone "
            "or kernel.apparmor_restrict_unprivileged_userns)" if "unshare" in why or "map" in why else "")
    return Probe(False, reason=f"the sandbox does not start: {why}{hint}")


def for_run(executes_code: bool, real_models: bool, unsafe_host_exec: bool) -> Sandbox | None:
    """The sandbox a run uses (None when it executes no code); raises RunError for a real-model run that
    cannot be sandboxed here and was not allowed onto the host."""
    if not executes_code:
        return None
    found = probe()
    if found.ok:
        return Sandbox(True, found.name)
    if not real_models:
        return HOST_SIM
    if unsafe_host_exec:
        return HOST_UNSAFE
    raise RunError(f"model-written code cannot be sandboxed on this machine: {found.reason}; to run it on the "
                   "host anyway, where it can read and change your files, pass --unsafe-host-exec "
                   "(or set [limits] unsafe_host_exec = true)")


def best() -> Sandbox:
    """The kernel sandbox where it works, else the host (for a workspace used on its own)."""
    found = probe()
    return Sandbox(True, found.name) if found.ok else HOST_SIM


def execute(argv: Sequence[str], *, cwd: Path, env: dict[str, str], read: Sequence[str], write: Sequence[str],
            limits: TestLimits, out_fd: int, confined: bool, keep_fds: Sequence[int] = (),
            hidden: Sequence[str] = ()) -> int:
    """Run `argv` with stdout and stderr on `out_fd`; its exit status, 128 + N for a signal N, TIMEOUT
    when the deadline passed (everything was then stopped). Confined, it reads `roots.base_rules()` and
    `read`, except teamtui's own files and `hidden`, and writes beneath `write`."""
    rlimits = {"cpu": max(1, int(limits.timeout_s) + 1), "as": limits.memory_mb * 1024 * 1024,
               "fsize": limits.file_mb * 1024 * 1024, "core": 0}
    if confined:
        config = {"parent": os.getpid(), "argv": list(argv), "cwd": str(cwd), "env": env,
                  "rules": [*roots.base_rules(), *roots.rules(read, (roots.TEAMTUI, *hidden))], "write": list(write),
                  "limits": {**rlimits, "nproc": MAX_PROCESSES}, "timeout": float(limits.timeout_s),
                  "keep_fds": list(keep_fds)}
        cmd = [sys.executable, "-I", "-S", str(JAIL), marshal.dumps(config).hex()]
        preexec: Callable[[], None] | None = None
    else:
        cmd, preexec = [*no_network_prefix(), *argv], _limiter(rlimits)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_fd, stderr=out_fd,
                            pass_fds=tuple(keep_fds), preexec_fn=preexec, start_new_session=True)
    if not _ended(proc, limits.timeout_s + (GRACE_S if confined else 0)):
        _kill_group(proc)
        return TIMEOUT
    code = proc.wait()
    return 128 - code if code < 0 else code


def _ended(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether `proc` ended within `timeout`, learnt the moment it does (a pidfd): `Popen.wait(timeout)`
    polls with sleeps of up to 50 ms, which would be most of what a sandboxed test run costs."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout * 1000))))
    finally:
        os.close(pidfd)


def _limiter(rlimits: dict[str, int]) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        import resource

        for name, value in rlimits.items():
            with contextlib.suppress(ValueError, OSError):  # a hard limit already lower than ours: keep it
                resource.setrlimit(getattr(resource, f"RLIMIT_{name.upper()}"), (value, value))

    return apply


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


@functools.cache
def no_network_prefix() -> tuple[str, ...]:
    """`unshare -rn --` where the system lets this user make a network namespace (Linux with user
    namespaces): code run on the host then has no network at all, not even loopback. Elsewhere nothing."""
    exe = shutil.which("unshare")
    if exe is None:
        return ()
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=5, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return (exe, "-rn", "--") if ok else ()
