"""Landlock, the Linux security module any process may use to restrict itself, through its three system calls.

Standard library only (ctypes): `teamtui.runtime.jail` imports it in a bare interpreter (`python -I -S`).
`abi()` is the kernel's Landlock ABI version (0: none); `restrict_self(write, rules)` lets the calling
thread and everything it later starts create, change and remove only beneath `write`, and otherwise do
only what `rules` grant (READ, say, beneath a folder: list, read and execute); every other path is
refused with EACCES, whatever the file permissions say. From ABI 4 on, TCP bind and connect are refused
too, and from ABI 6 on signals and abstract Unix sockets cannot reach processes outside the sandbox. The
PyPI package `landlock` is a pre-release (1.0.0.dev5): three system calls are not worth a dependency.
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# asm-generic numbers, the same on x86-64, arm64 and riscv64 (these system calls came after the unification)
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3 and 5
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = EXECUTE | READ_FILE | READ_DIR
"""What a read root grants: list, read and execute."""
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
"""The only rights a rule on a single file (not a folder) may carry."""

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """The C library, loaded on first use (so that importing this module works on any system)."""
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(None, use_errno=True)
        lib.syscall.restype = ctypes.c_long
        lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        _libc = lib
    return _libc


def _syscall(nr: int, *args: int | bytes | None) -> int:
    converted = [ctypes.c_char_p(a) if isinstance(a, bytes) else ctypes.c_void_p(a) if a is None else ctypes.c_long(a)
                 for a in args]
    res = int(libc().syscall(ctypes.c_long(nr), *converted))
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def abi() -> int:
    """The Landlock ABI version this kernel offers; 0 when it has none (too old, or not in the `lsm=` list)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except OSError:
        return 0


def handled_fs(version: int) -> int:
    """Every file-system right the given ABI knows: all of them are refused unless a rule grants them."""
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict_self(write: Iterable[str], rules: Iterable[tuple[str, int]]) -> int:
    """Restrict this thread (and all it starts) for good: every right beneath `write`, the given rights on
    each path of `rules` (on a file, only the rights a file can have); returns the ABI used. Paths that do
    not exist are skipped. Raises OSError when the kernel has no Landlock or refuses the ruleset."""
    version = abi()
    if version < 1:
        raise OSError("this kernel offers no Landlock")
    fs = handled_fs(version)
    net = NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    attr = struct.pack("=QQQ", fs, net, scoped)[: 8 if version < 4 else 16 if version < 6 else 24]
    ruleset = _syscall(_CREATE_RULESET, attr, len(attr), 0)
    try:
        for path, rights in [*((p, fs) for p in write), *((p, r & fs) for p, r in rules)]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    rights &= FILE_RIGHTS
                _syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, struct.pack("=Qi", rights, fd), 0)
            finally:
                os.close(fd)
        if libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"no_new_privs: {os.strerror(err)}")
        _syscall(_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    return version
