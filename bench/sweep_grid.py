"""Sweep throughput end to end: the paper-sized grid of one pack (sizes 1-5 x preassigned/decentralized x
p 0.2/0.5/0.9 x 10 trials = 300 cells) through `teamtui sweep`, recording included, with --jobs 1 and 2.

    python bench/sweep_grid.py                 # jobs 1 and 2, side by side
    python bench/sweep_grid.py --jobs 2        # one setting only

Each measurement is a fresh `python -m teamtui sweep` process writing a fresh database, so the time
includes start-up, building each cell's scenario, the runs and their baselines, and writing every run's
events; the database is then checked for the right number of runs and events.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "scenarios/experiments/paper_grid_default.toml"
GRID = ["--sizes", "1-5", "--arch", "preassigned,decentralized", "--p", "0.2,0.5,0.9", "--packs", "math_utils",
        "--trials", "10"]


def measure(jobs: int) -> tuple[float, int, int]:
    """(wall seconds, runs recorded, events recorded) of one sweep."""
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as tmp:
        db = Path(tmp) / "runs.db"
        env = {**os.environ, "TEAMTUI_DB": str(db)}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "teamtui", "sweep", BASE, *GRID, "--jobs", str(jobs)],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"sweep failed: {proc.stderr.strip()}")
        with sqlite3.connect(db) as conn:
            runs = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    return wall, runs, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, action="append", help="worker processes (repeatable; default: 1 and 2)")
    ap.add_argument("--repeat", type=int, default=3, help="measurements per setting, interleaved (median shown)")
    args = ap.parse_args()
    settings = args.jobs or [1, 2]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    walls: dict[int, list[float]] = {j: [] for j in settings}
    counts: dict[int, tuple[int, int]] = {}
    for _ in range(args.repeat):  # interleaved, so a busy moment on a shared machine hits every setting
        for jobs in settings:
            wall, runs, events = measure(jobs)
            walls[jobs].append(wall)
            counts[jobs] = (runs, events)
    print(f"{'jobs':>4} {'median s':>9} {'min s':>7} {'runs':>6} {'runs/s':>8} {'events':>10} {'events/s':>10}")
    first = statistics.median(walls[settings[0]])
    for jobs in settings:
        med = statistics.median(walls[jobs])
        runs, events = counts[jobs]
        print(f"{jobs:>4} {med:>9.2f} {min(walls[jobs]):>7.2f} {runs:>6} {runs / med:>8.1f} {events:>10,} "
              f"{events / med:>10,.0f}   ({first / med:.2f}x jobs {settings[0]})")


if __name__ == "__main__":
    main()
