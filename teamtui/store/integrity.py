"""Damage in the run database: SQLite's `PRAGMA quick_check`, then which runs the damage reaches.

`teamtui runs` lists with `damage(path)` and names the affected runs; recording refuses a damaged database
(writing into it can spread the damage); reading a damaged run (replay, export) is one `RecorderError` line.
quick_check reads every page once (about 30 ms for a 16 MB database here); only when it finds damage is
each run read back, its row and every event decoded, to say which runs are affected.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from teamtui.core import events as ev
from teamtui.store.connect import connect_ro
from teamtui.store.schema import RecorderError, explain

SHOWN = 5
"""How many affected runs a message names; the rest are counted."""


@dataclass
class Damage:
    """What quick_check found, and the runs whose rows or events cannot be read back."""

    problems: list[str]
    runs: list[str] = field(default_factory=list)
    unlisted: bool = False
    """The runs table itself cannot be read, so the affected runs cannot be named."""

    def describe(self, path: Path) -> str:
        if self.unlisted:
            which = "its list of runs cannot be read"
        elif self.runs:
            more = f" and {len(self.runs) - SHOWN} more" if len(self.runs) > SHOWN else ""
            which = f"{len(self.runs)} run(s) cannot be read back: {', '.join(self.runs[:SHOWN])}{more}"
        else:
            which = "every run still reads back whole, but the file is damaged"
        return (f"{path}: the run database is damaged ({self.problems[0][:120]}); {which}; copy out what still "
                "reads (teamtui export) and move the file aside")


def damage(path: Path) -> Damage | None:
    """None for a sound database; otherwise what is damaged (raises `RecorderError` if it cannot be opened)."""
    try:
        conn = connect_ro(path)
    except sqlite3.DatabaseError as exc:
        raise RecorderError(explain(path, exc)) from None
    try:
        try:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(20)")]
        except sqlite3.DatabaseError as exc:  # a page too damaged to check, or not a database at all
            if "malformed" not in str(exc):
                raise RecorderError(explain(path, exc)) from None
            found = [str(exc)]
        if found == ["ok"]:
            return None
        out = Damage(found)
        try:
            ids = [str(r[0]) for r in conn.execute("SELECT id FROM runs")]
        except sqlite3.DatabaseError:
            out.unlisted = True
            return out
        out.runs = [run_id for run_id in ids if not _reads_back(conn, run_id)]
        return out
    finally:
        conn.close()


def _reads_back(conn: sqlite3.Connection, run_id: str) -> bool:
    """Whether a run's row and every one of its events can be read and decoded."""
    try:
        conn.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchall()
        for (payload,) in conn.execute("SELECT payload FROM events WHERE run_id=? ORDER BY seq", (run_id,)):
            ev.decode(payload)
        conn.execute("SELECT seq, length(state) FROM checkpoints WHERE run_id=?", (run_id,)).fetchall()
    except (sqlite3.DatabaseError, msgspec.DecodeError, TypeError, ValueError):
        return False
    return True


def unreadable(path: Path, run_id: str, exc: Exception) -> RecorderError:
    """The one line for a run that cannot be read back (replay, export, rerun)."""
    return RecorderError(f"{path}: run {run_id} cannot be read back: the run database is damaged "
                         f"({type(exc).__name__}: {str(exc)[:120]}); see teamtui runs for the runs affected, and "
                         "move the file aside")


def readable(path: Path, run_id: str) -> None:
    """Refuse (one `RecorderError` line) to replay a run the damage reaches; a sound database costs one quick_check."""
    hurt = damage(path)
    if hurt is not None and (hurt.unlisted or run_id in hurt.runs):
        raise RecorderError(f"{path}: run {run_id} cannot be read back: {hurt.describe(path)}")
