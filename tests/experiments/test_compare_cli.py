"""`teamtui compare` through the real command on two small recorded sweeps: the same grid twice (deterministic runs,
so every figure of A lies inside B's CI), JSON and Markdown output, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BASE = "scenarios/math_utils/preassigned_p05.toml"


def teamtui(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=180,
                          env={"PATH": "/usr/bin:/bin", "CI": "true", "TEAMTUI_DB": str(db), "MPLBACKEND": "Agg"})


@pytest.fixture(scope="module")
def two_sweeps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    db = tmp_path_factory.mktemp("compare") / "runs.db"
    for _ in range(2):
        proc = teamtui(db, "sweep", BASE, "--sizes", "1-2", "--arch", "preassigned,decentralized", "--p", "0.5",
                       "--trials", "3", "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
    ids = [line.split()[0] for line in teamtui(db, "sweeps").stdout.splitlines()]
    assert len(ids) == 2
    return db, ids


def test_the_same_grid_twice_lands_inside_its_own_cis(two_sweeps: tuple[Path, list[str]]) -> None:
    db, (a, b) = two_sweeps
    proc = teamtui(db, "compare", a, b, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    table = data["a"]["paper_table"]
    # 2 speedups (p = 0.5) + replies, idle rounds, concurrent writes at n = 1, 2 for both + 2 straggler gaps (n = 2)
    assert set(table["speedup"]) == {"preassigned|0.5", "decentralized|0.5"}
    assert set(table["straggler_gap_s"]) == {"preassigned|2", "decentralized|2"}
    assert sum(len(s) for s in table.values()) == 16
    assert table == data["b"]["paper_table"]  # the same seeds: the same runs
    assert (data["compared"], data["a_inside_b_ci"]) == (16, 16)
    assert all(r["ci_overlap"] and r["a_mean_in_b_ci"] for r in data["rows"])
    assert data["summary"].startswith("16 of 16 figures of A inside B's 95 % CI")
    for entry in (e for s in table.values() for e in s.values()):
        assert entry["runs"] >= 3 and entry["ci"][0] <= entry["mean"] <= entry["ci"][1]

    text = teamtui(db, "compare", a, b)
    assert text.returncode == 0 and "16 of 16 figures of A inside B's 95 % CI" in text.stdout
    md = teamtui(db, "compare", a, b, "--format", "markdown")
    assert "| speedup | decentralized, p = 0.5 |" in md.stdout and "**16 of 16 figures" in md.stdout


def test_a_sweep_in_another_database_and_the_errors(two_sweeps: tuple[Path, list[str]], tmp_path: Path) -> None:
    db, (a, _) = two_sweeps
    other = tmp_path / "other.db"
    proc = teamtui(other, "sweep", BASE, "--sizes", "2", "--arch", "decentralized", "--p", "0.5", "--trials", "2",
                   "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    both = json.loads(teamtui(db, "compare", a, "latest", "--db-b", str(other), "--format", "json").stdout)
    keys = {(r["figure"], r["key"]) for r in both["rows"]}
    assert ("speedup", "decentralized|0.5") in keys and ("replies", "preassigned|2") not in keys
    assert both["only_a"] > 0 and both["b"]["db"] == str(other)
    bad = teamtui(db, "compare", a, "sw-nope")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "sw-nope" in bad.stderr
