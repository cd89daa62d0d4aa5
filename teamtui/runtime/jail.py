"""The sandbox's launcher, run as its own bare interpreter: it runs one command confined by the kernel and ends it.

`python -I -S jail.py CONFIG` (CONFIG is a hex-encoded `marshal` dict built by `teamtui.runtime.sandbox`;
marshal and the few modules below keep this interpreter's start-up near 10 ms) is a chain of four
processes, each waiting on the next:

* the **warden** (this interpreter, outside every namespace) maps the user ids of the new user namespace,
  then waits for the command with a deadline; at the deadline it kills the keeper, with whom the
  namespace's first process dies, which makes the kernel kill every process in the namespace, and
  waits until they are all gone;
* the **keeper** makes new user, PID, network and IPC namespaces and becomes root *inside* them only: as
  seen from outside it is an unprivileged user (teamtui's own user, or `nobody` when teamtui runs as
  root, so that RLIMIT_NPROC, which the kernel never applies to root, caps the processes);
* the **init**, process 1 of the new PID namespace, starts the command and reaps orphans; when the
  command ends it ends, and the kernel kills whatever the command left behind (daemons included);
* the **command**, with rlimits, every capability dropped but the two that let it open files owned by
  the user it maps (the workspace), and Landlock: it reads only the given roots, writes only beneath
  the writable ones, has no network (its own empty network namespace), sees no process of the host and
  cannot signal one.

Each process dies with its parent (PR_SET_PDEATHSIG), so killing the warden ends everything. Exit
status: the command's, 128 + N when a signal N killed it, 124 at the deadline, 125 when the sandbox
could not be set up (a line on stderr says why), 126 when the command could not be started.
"""

from __future__ import annotations

import _signal as signal  # type: ignore[import-not-found]  # the C module: `signal` imports enum (8 ms)
import ctypes
import marshal
import os
import resource
import select
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

if __package__ in (None, ""):  # run as a script: the package this file belongs to is two folders up
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))))
from teamtui.runtime import landlock  # noqa: E402

TIMEOUT, SETUP_FAILED, EXEC_FAILED = 124, 125, 126
OUTSIDE_UID_AS_ROOT = 65534
"""Who sandboxed code is on the host when teamtui runs as root: `nobody` (root escapes RLIMIT_NPROC)."""
KEEP_CAPS = (1, 2)
"""CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, in the sandbox's own user namespace only: they open files of
the users it maps (the workspace's owner), never anyone else's; Landlock decides which paths."""

_CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET, _CLONE_NEWIPC = 0x10000000, 0x20000000, 0x40000000, 0x08000000
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_SET_CHILD_SUBREAPER = 1, 24, 36
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_CAP_VERSION_3 = 0x20080522

_libc = landlock.libc()


class SetupError(Exception):
    """The sandbox could not be set up."""


def _check(res: int, what: str) -> None:
    if res != 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)}")


def _die_with_parent() -> None:
    _check(_libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def _fail(message: str) -> None:
    os.write(2, f"teamtui-sandbox: {message}\n".encode())
    os._exit(SETUP_FAILED)


def _status(status: int) -> int:
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def main(argv: list[str]) -> int:
    cfg: dict[str, Any] = marshal.loads(bytes.fromhex(argv[1]))
    try:
        _die_with_parent()
        # the init becomes the warden's child when the keeper dies, so the warden can wait for it
        _check(_libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")
    except SetupError as exc:
        _fail(str(exc))
    if os.getppid() != cfg["parent"]:
        return SETUP_FAILED  # teamtui is already gone
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    warden = os.getpid()
    keeper = os.fork()
    if keeper == 0:
        os.close(ready_r)
        os.close(go_w)
        _keeper(cfg, warden, ready_w, go_r)
    os.close(ready_w)
    os.close(go_r)
    with os.fdopen(ready_r, "rb") as ready:
        if ready.read(1) != b"u":  # the keeper could not make its namespaces (it said why)
            return _status(os.waitpid(keeper, 0)[1])
        try:
            _map_ids(keeper)
        except OSError as exc:
            os.kill(keeper, signal.SIGKILL)
            os.waitpid(keeper, 0)
            _fail(f"cannot map the user ids of the sandbox: {exc}")
        os.write(go_w, b"g")
        line = ready.readline()
    os.close(go_w)
    if line != b"started\n":
        return _status(os.waitpid(keeper, 0)[1])
    return _watch(keeper, float(cfg["timeout"]))


def _map_ids(pid: int) -> None:
    if os.geteuid() == 0:  # inside: 0 is nobody outside (the sandbox), 1 is root (owns the workspace)
        uid_map = gid_map = f"0 {OUTSIDE_UID_AS_ROOT} 1\n1 0 1\n"
    else:  # an unprivileged user may map only itself
        uid_map, gid_map = f"0 {os.geteuid()} 1\n", f"0 {os.getegid()} 1\n"
        _write(f"/proc/{pid}/setgroups", "deny")
    _write(f"/proc/{pid}/uid_map", uid_map)
    _write(f"/proc/{pid}/gid_map", gid_map)


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _watch(keeper: int, timeout: float) -> int:
    """Wait for the keeper until the deadline. Past it, kill the keeper: the init dies with it (so does
    every process of the namespace, killed by the kernel) and, reparented to the warden, is waited for:
    an init is reaped only once its namespace is empty. The keeper's pid cannot be reused meanwhile, as
    the warden has not reaped it."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(os.pidfd_open(keeper), select.POLLIN)
    while (left := deadline - time.monotonic()) > 0:
        if poller.poll(int(left * 1000) + 1):
            return _status(os.waitpid(keeper, 0)[1])
    os.kill(keeper, signal.SIGKILL)
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        return TIMEOUT


def _keeper(cfg: dict[str, Any], warden: int, ready_w: int, go_r: int) -> None:
    try:
        _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWIPC),
               "unshare(user, PID, network and IPC namespaces)")
        os.write(ready_w, b"u")
        if os.read(go_r, 1) != b"g":
            os._exit(SETUP_FAILED)
        os.close(go_r)
        os.setresgid(0, 0, 0)
        try:  # noqa: SIM105 (contextlib would add 3 ms of start-up)
            os.setgroups([])
        except PermissionError:  # refused where only one's own group could be mapped: keep them
            pass
        os.setresuid(0, 0, 0)
        _die_with_parent()  # a change of user clears it: set it now
        if os.getppid() != warden:
            os._exit(SETUP_FAILED)
        alive_r, alive_w = os.pipe()
        init = os.fork()
        if init == 0:
            os.close(alive_w)
            os.close(ready_w)
            _init(cfg, alive_r)
        os.close(alive_r)
        os.write(ready_w, b"started\n")
        os.close(ready_w)
        os._exit(_status(os.waitpid(init, 0)[1]))
    except (SetupError, OSError) as exc:
        _fail(str(exc))


def _init(cfg: dict[str, Any], alive_r: int) -> None:
    """Process 1: start the command, reap every orphan, and end with the command (the kernel then kills
    the rest of the namespace)."""
    try:
        _die_with_parent()
        os.set_blocking(alive_r, False)
        try:
            if os.read(alive_r, 1) == b"":  # the keeper died before PR_SET_PDEATHSIG was in place
                os._exit(SETUP_FAILED)
        except BlockingIOError:
            pass
        os.close(alive_r)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # process 1 ignores what it does not handle
        command = os.fork()
        if command == 0:
            _command(cfg)
        while True:
            pid, status = os.wait()
            if pid == command:
                os._exit(_status(status))
    except (SetupError, OSError) as exc:
        _fail(str(exc))


def _command(cfg: dict[str, Any]) -> None:
    try:
        os.chdir(cfg["cwd"])
        for name, value in cfg["limits"].items():
            res = getattr(resource, f"RLIMIT_{name.upper()}")
            hard = resource.getrlimit(res)[1]
            if hard != resource.RLIM_INFINITY:  # a lower limit set before teamtui ran is kept
                value = min(value, hard)
            resource.setrlimit(res, (value, value))
        _drop_capabilities()
        landlock.restrict_self(cfg["write"], [(p, r) for p, r in cfg["rules"]])
        keep = sorted(cfg["keep_fds"])
        for fd in keep:
            os.set_inheritable(fd, True)
        low = 3
        for fd in [*keep, 1 << 20]:
            os.closerange(low, fd)
            low = fd + 1
    except (SetupError, OSError, ValueError) as exc:
        _fail(str(exc))
    try:
        os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])
    except OSError as exc:
        os.write(2, f"teamtui-sandbox: cannot start {cfg['argv'][0]}: {exc.strerror}\n".encode())
    os._exit(EXEC_FAILED)


def _drop_capabilities() -> None:
    """Keep only KEEP_CAPS, now and across exec (the bounding set caps what exec gives back to uid 0)."""
    with open("/proc/sys/kernel/cap_last_cap", "rb") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        if cap not in KEEP_CAPS:
            _check(_libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"prctl(PR_CAPBSET_DROP, {cap})")
    _check(_libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(PR_CAP_AMBIENT_CLEAR_ALL)")
    keep = sum(1 << c for c in KEEP_CAPS)
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(keep, keep, 0, 0, 0, 0)  # effective, permitted, inheritable (x2: 64 bits)
    _check(_libc.capset(header, data), "capset")


if __name__ == "__main__":
    code = main(sys.argv)
    os._exit(code)  # nothing to flush: skip the interpreter's shutdown
