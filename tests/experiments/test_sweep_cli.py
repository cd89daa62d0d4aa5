"""`teamtui sweep` and `teamtui report` through the real command: a small grid end to end, resume after
the process is killed mid-sweep, and one-line errors for bad grids."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

BASE = "scenarios/math_utils/preassigned_p05.toml"


def teamtui(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=timeout, env=_env(db))


def _env(db: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "CI": "true", "TEAMTUI_DB": str(db), "MPLBACKEND": "Agg"}


def cells(db: Path) -> dict[str, tuple[str | None, str]]:
    with sqlite3.connect(db) as conn:
        return {c: (r, s) for c, r, s in conn.execute("SELECT cell, run_id, status FROM sweep_cells")}


def test_a_small_sweep_records_every_cell_as_a_run_and_reports_it(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    proc = teamtui(db, "sweep", BASE, "--sizes", "2", "--arch", "preassigned,decentralized", "--p", "0.2,0.9",
                   "--trials", "2", "--faults", "none;stall:1@20+60", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    table = cells(db)
    # 2 p x 2 trials x (1 baseline + 2 architectures x 2 fault conditions)
    assert len(table) == 2 * 2 * (1 + 2 * 2)
    assert all(status == "done" and run for run, status in table.values())
    with sqlite3.connect(db) as conn:
        runs = dict(conn.execute("SELECT id, metrics FROM runs").fetchall())
        events = conn.execute("SELECT COUNT(DISTINCT run_id) FROM events").fetchone()[0]
    assert set(runs) == {run for run, _ in table.values()} and events == len(runs)
    assert all(json.loads(m)["speedup"] is not None for m in runs.values())

    out = tmp_path / "report"
    rep = teamtui(db, "report", "latest", "-o", str(out), "--format", "json")
    assert rep.returncode == 0, rep.stderr
    data = json.loads(rep.stdout, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert data["cells"] == len(table) and data["done"] == len(table)
    assert set(data["paper_table"]["speedup"]) == {f"{a}|{p}" for a in ("preassigned", "decentralized")
                                                   for p in ("0.2", "0.9")}
    assert set(data["paper_table"]["replies"]) == {"preassigned|1", "preassigned|2", "decentralized|2"}
    assert "architecture" in data["baseline_rule"] and set(data["kim"]) == set(data["paper_table"]["replies"])
    figures = {f["name"]: f["file"] for f in data["figures"]}
    assert figures["recovery"] == "recovery.png" and figures["speedup"] == "speedup.png"
    for name in ("report.md", "speedup.png", "messages.png", "recovery.png", "report.json"):
        assert (out / name).stat().st_size > 0
    md = (out / "report.md").read_text()
    assert "Wilcoxon" in md and "![speedup](speedup.png)" in md
    replay_id = next(iter(runs))
    exported = teamtui(db, "export", replay_id)
    assert exported.returncode == 0 and exported.stdout.count("\n") > 10  # each cell is a normal recorded run


def test_a_sweep_without_faults_reports_that_there_is_no_recovery_plot(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    assert teamtui(db, "sweep", BASE, "--sizes", "1-2", "--trials", "2", "--jobs", "1").returncode == 0
    rep = teamtui(db, "report", "latest", "-o", str(tmp_path / "r"))
    assert rep.returncode == 0, rep.stderr
    assert "speedup" in rep.stdout and not (tmp_path / "r" / "recovery.png").exists()
    assert "no fault conditions, so there is no recovery plot" in (tmp_path / "r" / "report.md").read_text()


def test_a_killed_sweep_resumes_without_rerunning_finished_cells(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    args = [sys.executable, "-m", "teamtui", "sweep", BASE, "--sizes", "1-3", "--arch",
            "preassigned,decentralized", "--p", "0.2,0.5,0.9", "--trials", "10", "--jobs", "1"]
    proc = subprocess.Popen(args, cwd=ROOT, env=_env(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = 3 * 10 * (1 + 2 * 3 - 1)  # preassigned n=1 is the baseline itself; big enough to outlast a poll
    deadline = time.monotonic() + 60
    done: dict[str, tuple[str | None, str]] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        if db.exists():
            try:
                table = cells(db)
            except sqlite3.OperationalError:
                continue
            done = {c: v for c, v in table.items() if v[1] == "done"}
            if done:
                break
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {c: v for c, v in cells(db).items() if v[1] == "done"}
    assert 0 < len(before) < total

    res = teamtui(db, "sweep", "--resume", "--jobs", "2")
    assert res.returncode == 0, res.stderr
    after = cells(db)
    assert len(after) == total and all(s == "done" for _, s in after.values())
    assert all(after[c] == v for c, v in before.items())  # finished cells kept their runs
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == total
    assert f"{total - len(before)} of {total} cells to run" in res.stderr
    again = teamtui(db, "sweep", "--resume", "latest")
    assert again.returncode == 0 and "already done" in again.stderr


def test_sigterm_stops_a_sweep_cleanly_and_says_how_to_resume(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    args = [sys.executable, "-m", "teamtui", "sweep", BASE, "--sizes", "1-4", "--trials", "40", "--jobs", "2"]
    proc = subprocess.Popen(args, cwd=ROOT, env=_env(db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        try:
            if db.exists() and any(s == "done" for _, s in cells(db).values()):
                break
        except sqlite3.OperationalError:
            continue
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted" in err and "--resume" in err and "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM sweeps").fetchone()[0] == "interrupted"


@pytest.mark.parametrize(("args", "words"), [
    (["--sizes", "3-1"], ["--sizes", "empty range"]),
    (["--sizes", "0-2"], ["--sizes", "out of range"]),
    (["--sizes", ""], ["--sizes", "no team sizes"]),
    (["--arch", "preassigned,anarchy"], ["--arch", "anarchy", "allowed"]),
    (["--p", "0.5,1.0"], ["--p", "outside (0, 1)"]),
    (["--p", "0"], ["--p", "outside (0, 1)"]),
    (["--p", "0.3"], ["task.p", "0.3"]),
    (["--faults", "stall@x"], ["--faults", "stall@x"]),
    (["--packs", "nosuchpack"], ["nosuchpack"]),
    (["--trials", "0"], ["--trials", "at least 1"]),
])
def test_a_bad_grid_option_is_one_line_and_exit_2(tmp_path: Path, args: list[str], words: list[str]) -> None:
    proc = teamtui(tmp_path / "runs.db", "sweep", BASE, "--trials", "1", *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    for w in words:
        assert w in proc.stderr
    assert not (tmp_path / "runs.db").exists() or not cells(tmp_path / "runs.db")  # nothing started


@pytest.mark.parametrize(("table", "words"), [
    ('sizes = "4-2"', ["sweep.sizes", "empty range"]),
    ("sizes = [0, 1]", ["sweep.sizes", "out of range"]),
    ('architectures = ["lead", "mob"]', ["sweep.architectures", "mob"]),
    ("p = [0.5, 1.5]", ["sweep.p", "outside (0, 1)"]),
    ("p = []", ["sweep.p", "no p values"]),
    ("trials = 0", ["sweep.trials"]),
    ("sizez = 3", ["sweep", "sizez", "did you mean"]),
])
def test_a_bad_sweep_table_is_one_line_and_exit_2(tmp_path: Path, table: str, words: list[str]) -> None:
    f = tmp_path / "grid.toml"
    f.write_text((ROOT / BASE).read_text() + f"\n[sweep]\n{table}\n")
    proc = teamtui(tmp_path / "runs.db", "sweep", str(f))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and str(f) in proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr
    assert teamtui(tmp_path / "runs.db", "validate", str(f)).returncode == 2  # validate checks the table too


def test_report_and_resume_of_unknown_sweeps_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    for args in (["report", "latest"], ["sweep", "--resume"], ["sweep"]):
        proc = teamtui(db, *args)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, args


def test_help_imports_no_plotting_or_statistics() -> None:
    code = ("import sys\nfrom teamtui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED:' + ','.join(m for m in ('scipy', 'matplotlib', 'plotext', 'textual', 'numpy')"
            " if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "sweep" in proc.stdout and "report" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "LOADED:"


def test_cells_that_cannot_run_are_reported_in_one_line_and_rerun_on_resume(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    proc = teamtui(db, "sweep", BASE, "--models", "no-such/model", "--sizes", "2", "--trials", "1", "--jobs", "1")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "2 of 2 cells could not run" in last and "no-such/model" in last and "--resume" in last
    assert sorted(s for _, s in cells(db).values()) == ["failed", "failed"]
    again = teamtui(db, "sweep", "--resume")
    assert again.returncode == 2 and "2 of 2 cells to run" in again.stderr  # failed cells are retried


def test_ctrl_c_as_the_sweep_announces_its_cells_still_marks_it_interrupted(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C between the sweep's creation and its first cell (here: while it announces its cells) leaves it
    `interrupted` and resumable, not `running` forever."""
    from rich.console import Console

    from teamtui.experiments.sweep import SweepInterrupted, sweep

    real = Console.print

    def interrupted_announcement(self: Console, *args: object, **kw: object) -> None:
        if args and "cells to run" in str(args[0]):
            raise KeyboardInterrupt
        real(self, *args, **kw)

    monkeypatch.setattr(Console, "print", interrupted_announcement)
    db = tmp_path / "runs.db"
    options = {"sizes": "1-2", "arch": "preassigned", "execution": None, "p": "0.5", "packs": "math_utils",
               "models": None, "faults": None, "trials": 1}
    with pytest.raises(SweepInterrupted, match="--resume"):
        sweep(db, ROOT / "scenarios" / "experiments" / "paper_grid_default.toml", options, None, 1)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM sweeps").fetchall() == [("interrupted",)]
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
