"""Read-only connections to a run database, including one on read-only media (a mounted archive, a CD)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path


def on_read_only_media(path: Path) -> bool:
    """Whether the file (or, if it does not exist yet, its folder) cannot be written: a read-only mount or mode."""
    target = path if path.exists() else path.parent
    with contextlib.suppress(OSError):
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            return True
        return not os.access(target, os.W_OK)
    return False


def connect_ro(path: Path, timeout: float = 2.0, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection. A WAL database needs its `-shm` file to be creatable even for reading; on
    read-only media, where it cannot be, the database is opened as immutable instead (nothing writes it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout, check_same_thread=check_same_thread)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        conn.close()
        if not on_read_only_media(path):
            raise
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True, timeout=timeout,
                               check_same_thread=check_same_thread)
    return conn
