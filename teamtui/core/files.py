"""Reading an input file safely: only a regular file, only up to a stated size, never blocking on a FIFO.

Every file teamtui reads on a user's or a scenario's say-so (a scenario, a task pack or task file, a prompt,
a sim profile, a cassette, the paper harness's files) goes through `read_bytes`/`read_text`, or `open_regular`
for a reader that wants a file object (pyarrow). The file is opened with O_NONBLOCK (a FIFO with no writer
cannot hang the open), `fstat`ed on the descriptor that will be read (no race with a rename), refused unless
it is a regular file no larger than the limit, and read for at most limit + 1 bytes (a file that grows, or a
/proc file that claims size 0, cannot go past the limit either). A refusal is a `FileRefused` whose message
is one line: the file, what is wrong, the limit, and what to do. `LIMITS` states each kind's limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from teamtui.core.errors import TeamtuiError

KB, MB = 1024, 1024 * 1024

LIMITS: dict[str, int] = {
    "scenario file": 1 * MB,
    "task pack's pack.toml": 4 * MB,
    "task file": 16 * MB,
    "reference solution": 1 * MB,
    "prompt file": 256 * KB,
    "sim profile": 1 * MB,
    "cassette": 256 * MB,
    "harness events.jsonl": 256 * MB,
    "harness results.json": 256 * MB,
    "harness task file": 16 * MB,
    "parquet file": 4096 * MB,
}
"""The largest file of each kind teamtui reads (bytes); anything larger is not one of them."""

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class FileRefused(TeamtuiError):
    """An input file that cannot be read: missing, unreadable, not a regular file, or over its kind's limit."""

    def __init__(self, path: Path | str, reason: str, kind: str, fix: str, limited: bool = True) -> None:
        self.path, self.reason, self.kind, self.fix = str(path), reason, kind, fix
        rule = f" (a {kind} must be a regular file of at most {size(LIMITS[kind])})" if limited else ""
        self.detail = f"{reason}{rule}; {fix}"
        """The message without the file's name, for errors that name the file themselves."""
        super().__init__(f"{self.path}: {self.detail}")


def size(n: float) -> str:
    """1536 -> '1.5 KB' (binary units, as the limits are stated)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" or n == int(n) else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def open_regular(path: Path | str, kind: str, fix: str = "check the path") -> BinaryIO:
    """The file opened for reading, once it is known to be a regular file within `LIMITS[kind]`."""
    limit = LIMITS[kind]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused(path, "no such file", kind, fix, limited=False) from None
    except OSError as exc:
        why = f"cannot open it ({exc.strerror or type(exc).__name__})"
        raise FileRefused(path, why, kind, fix, limited=False) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise FileRefused(path, f"it is {what}, not a regular file", kind, fix)
        if st.st_size > limit:
            raise FileRefused(path, f"it is {size(st.st_size)}, over the limit", kind, fix)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path | str, kind: str, fix: str = "check the path") -> bytes:
    """The whole file, refused (`FileRefused`) unless it is a regular file of at most `LIMITS[kind]` bytes."""
    limit = LIMITS[kind]
    with open_regular(path, kind, fix) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise FileRefused(path, f"cannot read it ({exc.strerror or type(exc).__name__})", kind, fix) from None
    if len(data) > limit:
        raise FileRefused(path, "it holds more than the limit", kind, fix)
    return data


def read_text(path: Path | str, kind: str, fix: str = "check the path") -> str:
    """`read_bytes` decoded as UTF-8 (text that is not UTF-8 is refused the same way)."""
    data = read_bytes(path, kind, fix)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(path, f"it is not UTF-8 text (byte {exc.start})", kind, fix) from None


def inside(folder: Path, name: str) -> Path | None:
    """`folder / name` with symbolic links resolved, or None when that leaves `folder` (an absolute path elsewhere,
    `..`, or a link that points out): what a shared scenario or pack names must stay in its own folder."""
    root = folder.resolve()
    target = (root / name).resolve()
    return target if target == root or target.is_relative_to(root) else None
