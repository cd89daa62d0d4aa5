"""Whether a recorded run is still going: a lock its live recorder holds, never a process id.

The live recorder takes an exclusive `flock` on `<db>-<run id>.lock`, beside the database, before it writes
the run's row and keeps it until the row says how the run ended; then it deletes the file. The kernel drops
the lock when the recorder's process dies, however it dies (SIGKILL included), so a `running` row whose lock
nobody holds is a run that was interrupted. On a network filesystem Linux carries `flock` over to the server,
so a live run on another host that shares the database keeps its lock too; where locks cannot be taken at
all, a `running` row stays `running` (never called interrupted on a guess).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


def lock_path(db: Path, run_id: str) -> Path:
    return db.with_name(f"{db.name}-{run_id}.lock")


class RunLock:
    """The live recorder's hold on one run (see the module docstring)."""

    def __init__(self, db: Path, run_id: str) -> None:
        self.path = lock_path(db, run_id)
        self.fd: int | None = None

    def acquire(self) -> None:
        """Create and lock the file (raises OSError where that is impossible)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        """The run's row says how it ended: delete the file, then let the lock go (idempotent)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self.fd)
        self.fd = None


def is_live(db: Path, run_id: str) -> bool:
    """Whether a recorder holds the run's lock now (False when the file is gone or nobody holds it)."""
    try:
        fd = os.open(lock_path(db, run_id), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: do not call a run interrupted on a guess
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:  # held (EWOULDBLOCK), or locks do not work here: either way, not known to be dead
        return True
    else:
        return False
    finally:
        os.close(fd)
