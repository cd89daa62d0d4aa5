"""The sweep tables: create, mark, resume order, join with runs, resolve ids, and migration from schema 1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from teamtui.experiments.table import (
    CellParams,
    connect,
    create_sweep,
    list_sweeps,
    load_table,
    mark_cell,
    pending_cells,
    resolve_sweep,
)
from teamtui.store.schema import SCHEMA, SCHEMA_VERSION, RecorderError

CELLS = [CellParams("math_utils", p, n, "preassigned", "rounds", "sim", trial=t, seed=t)
         for p in (0.2, 0.9) for n in (1, 2) for t in range(2)]


def test_cells_are_pending_until_marked_and_join_their_runs_metrics(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with connect(db, write=True) as conn:
        sid = create_sweep(conn, "grid", "x.toml", {"sizes": [1, 2]}, CELLS)
        conn.execute("INSERT INTO runs (id, scenario, scenario_text, source, seed, architecture, execution, size,"
                     " models, versions, started, status, pid, host, metrics) VALUES"
                     " ('r1','s','','x',0,'preassigned','rounds',2,'[]','{}','2026','finished',1,'h',?)",
                     (json.dumps({"speedup": 1.5}),))
        mark_cell(conn, sid, CELLS[3], "r1", "done")
        mark_cell(conn, sid, CELLS[4], None, "failed")
    with connect(db) as conn:
        pending = pending_cells(conn, sid)
        table = load_table(conn, sid)
        sweeps = list_sweeps(conn)
    assert len(pending) == len(CELLS) - 1 and CELLS[3] not in pending and CELLS[4] in pending
    done = [row for row in table if row.status == "done"]
    assert [(r.params, r.run_id, r.metrics) for r in done] == [(CELLS[3], "r1", {"speedup": 1.5})]
    assert sweeps[0].id == sid and sweeps[0].cells == len(CELLS) and sweeps[0].done == 1


def test_resolve_by_prefix_latest_and_unknown(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with connect(db, write=True) as conn:
        sid = create_sweep(conn, "grid", "x.toml", {}, CELLS[:1])
        assert resolve_sweep(conn, "latest", db) == sid
        assert resolve_sweep(conn, sid[:-2], db) == sid
        with pytest.raises(RecorderError, match='no sweep "nope"'):
            resolve_sweep(conn, "nope", db)


def test_a_schema_1_database_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    raw = sqlite3.connect(db)
    raw.executescript(SCHEMA)
    raw.execute("INSERT INTO runs (id, scenario, scenario_text, source, seed, architecture, execution, size,"
                " models, versions, started, status, pid, host) VALUES"
                " ('old','s','','x',0,'lead','rounds',2,'[]','{}','2026','finished',1,'h')")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with connect(db, write=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT id FROM runs").fetchall() == [("old",)]
        assert list_sweeps(conn) == []


def test_reading_sweeps_from_a_missing_database_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RecorderError, match="no run database here"), connect(tmp_path / "none.db"):
        pass
