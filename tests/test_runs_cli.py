"""`teamtui runs` through the real command at 80 columns: hand-made runs by default, sweeps on request, --limit,
--json, and run ids kept whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.cli.runlist import FIELDS

from .conftest import ROOT


def teamtui(db: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CI": "true", "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "teamtui", *args, "--db", str(db)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs made by hand around a small sweep (a few cells, each a recorded run)."""
    path = tmp_path_factory.mktemp("runs") / "runs.db"
    hand = ("run", "scenarios/math_utils/preassigned_p09.toml", "--headless", "--no-baseline")
    assert teamtui(path, *hand).returncode == 0
    sweep = teamtui(path, "sweep", "scenarios/math_utils/preassigned_p09.toml", "--sizes", "1-2", "--trials", "2",
                    "--jobs", "1")
    assert sweep.returncode == 0, sweep.stderr
    assert teamtui(path, *hand, "--seed", "3").returncode == 0
    return path


def _all(db: Path) -> list[dict[str, object]]:
    proc = teamtui(db, "runs", "--sweeps", "--json")
    assert proc.returncode == 0, proc.stderr
    rows: list[dict[str, object]] = json.loads(proc.stdout)
    return rows


def test_json_is_a_list_of_objects_with_stable_keys_newest_first(db: Path) -> None:
    rows = _all(db)
    assert rows and all(tuple(r) == FIELDS for r in rows)
    started = [str(r["started"]) for r in rows]
    assert started == sorted(started, reverse=True)
    cells = [r for r in rows if r["sweep"] is not None]
    assert len(cells) >= 4 and len({r["sweep"] for r in cells}) == 1
    assert len(rows) - len(cells) == 2


def test_by_default_only_runs_made_by_hand_with_whole_ids_at_80_columns(db: Path) -> None:
    rows = _all(db)
    hand = [str(r["id"]) for r in rows if r["sweep"] is None]
    cells = [str(r["id"]) for r in rows if r["sweep"] is not None]
    proc = teamtui(db, "runs")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, proc.stdout
    assert all(any(line.startswith(f"{rid} ") for line in lines) for rid in hand), proc.stdout
    assert not any(rid in proc.stdout for rid in cells)
    assert f"{len(cells)} sweep cells hidden (--sweeps shows them, --sweep ID one sweep's)" in proc.stdout


def test_sweeps_and_one_sweep_list_cells_with_their_ids_whole(db: Path) -> None:
    rows = _all(db)
    cells = [str(r["id"]) for r in rows if r["sweep"] is not None]
    sweep = str(next(r["sweep"] for r in rows if r["sweep"] is not None))
    everything = teamtui(db, "runs", "--sweeps")
    assert everything.returncode == 0 and "hidden" not in everything.stdout
    one = teamtui(db, "runs", "--sweep", sweep[:8])  # a prefix will do
    assert one.returncode == 0, one.stderr
    for proc in (everything, one):
        lines = proc.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80
        assert all(any(line.startswith(f"{rid} ") for line in lines) for rid in cells), proc.stdout
    assert sum(line[:1].isdigit() for line in one.stdout.splitlines()) == len(cells)
    missing = teamtui(db, "runs", "--sweep", "sw-nope")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and 'no sweep "sw-nope"' in missing.stderr


def test_limit_keeps_the_newest_and_says_how_many_are_left_out(db: Path) -> None:
    rows = _all(db)
    proc = teamtui(db, "runs", "--sweeps", "--limit", "2")
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line[:1].isdigit() and "-" in line.split()[0]]
    assert listed == [rows[0]["id"], rows[1]["id"]]
    assert f"{len(rows) - 2} older runs not shown (--limit 2)" in proc.stdout
    data = json.loads(teamtui(db, "runs", "--limit", "1", "--json").stdout)
    assert [r["id"] for r in data] == [next(r["id"] for r in rows if r["sweep"] is None)]
