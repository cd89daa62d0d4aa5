"""What sandboxed code may read: teamtui's Python and the system's libraries, with teamtui's own files carved out.

Landlock only grants: a folder allowed is allowed with everything beneath it. So a read root that holds
a hidden folder (teamtui's package, with the built-in packs' reference solutions and tests, when teamtui
is installed in site-packages rather than from a checkout) is replaced by the right to list it and the
right to read each of its entries except the way to the hidden folder, level by level: names stay
visible, contents do not.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from teamtui.runtime import landlock

SYSTEM_LIBS = ("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/local/lib",
               "/usr/share/zoneinfo")
DEVICES = (("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE), ("/dev/zero", landlock.READ_FILE),
           ("/dev/urandom", landlock.READ_FILE), ("/dev/random", landlock.READ_FILE),
           ("/etc/ld.so.cache", landlock.READ_FILE), ("/etc/localtime", landlock.READ_FILE))
TEAMTUI = str(Path(__file__).resolve().parents[1])
"""teamtui's package folder: never readable by code under test."""


@functools.cache
def read_roots() -> tuple[str, ...]:
    """What any confined command may read and execute: this Python (prefixes, standard library, site
    packages, the folders pytest and its plugins live in) and the system's shared libraries."""
    roots = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), *SYSTEM_LIBS}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
            roots.add(sysconfig.get_path(key, vars=scheme_vars))
    roots.update(pytest_path())
    # a Python installed at / (some containers) would open everything: its standard library and site
    # packages, which are roots of their own, are enough
    return tuple(sorted(r for r in roots if r and os.path.realpath(r) != "/" and os.path.isdir(r)))


@functools.cache
def pytest_path() -> tuple[str, ...]:
    """The folders pytest and the packages it imports are installed in (to put on the runner's sys.path)."""
    import importlib.util

    found = []
    for name in ("pytest", "_pytest", "pluggy", "iniconfig", "packaging"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            found.append(str(Path(spec.origin).resolve().parent.parent))
    return tuple(dict.fromkeys(found))


@functools.cache
def base_rules() -> tuple[tuple[str, int], ...]:
    """The rules of `read_roots()` and the devices, teamtui's own files carved out (found once)."""
    return (*rules(read_roots()), *DEVICES)


def rules(read: Sequence[str], hidden: Sequence[str] = (TEAMTUI,)) -> tuple[tuple[str, int], ...]:
    """(path, Landlock rights) granting READ on `read` except beneath any of `hidden`."""
    out: list[tuple[str, int]] = []
    hide = [os.path.realpath(h) for h in hidden]
    for root in read:
        real = os.path.realpath(root)
        inside = [h for h in hide if _beneath(h, real)]
        if any(_beneath(real, h) for h in hide):
            continue  # the root is itself hidden
        if not inside:
            out.append((root, landlock.READ))
            continue
        out.append((root, landlock.READ_DIR))
        _carve(real, inside, out)
    return tuple(out)


def _carve(folder: str, hidden: Sequence[str], out: list[tuple[str, int]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        real = os.path.realpath(entry.path)  # a link is allowed as its target: a link to the hidden is not
        if any(_beneath(real, h) for h in hidden):
            continue
        if any(_beneath(h, entry.path) for h in hidden) and entry.is_dir(follow_symlinks=False):
            _carve(entry.path, hidden, out)
        else:
            out.append((entry.path, landlock.READ))


def _beneath(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
