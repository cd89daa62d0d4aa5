"""Sweeps on Ray against the process pool: the same 300-cell sim sweep (sizes 1-5 x preassigned/decentralized x
p 0.2/0.5/0.9 x 10 trials of math_utils) through `teamtui sweep --executor ray` on a local 2-CPU Ray instance and
through the local process pool (`--jobs 2`), in one run, interleaved.

    pip install -e '.[cluster]'
    python bench/ray_sweep.py               # 2 rounds; the medians
    python bench/ray_sweep.py --repeat 3

Each measurement is a fresh `python -m teamtui sweep` writing a fresh database, so Ray's time includes starting
its local instance (and importing ray); that start-up is also timed on its own (`RayExecutor(2)`, then closed),
so the overhead per cell is shown with it, (ray - pool) / 300, and without it. Both databases are checked for
300 runs with the same metrics cell by cell (same seeds, same runs).
"""

from __future__ import annotations

import argparse
import json
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
CELLS = 300
STARTUP = ("import time; t = time.perf_counter(); from teamtui.experiments.executors import RayExecutor; "
           "e = RayExecutor(2); print(time.perf_counter() - t); e.close()")


def measure(executor: str) -> tuple[float, dict[str, str]]:
    """(wall seconds, metrics by cell) of one sweep."""
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as tmp:
        db = Path(tmp) / "runs.db"
        env = {**os.environ, "TEAMTUI_DB": str(db), "RAY_USAGE_STATS_ENABLED": "0"}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "teamtui", "sweep", BASE, *GRID, "--jobs", "2",
                               "--executor", executor], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"sweep --executor {executor} failed: {proc.stderr.strip()}")
        with sqlite3.connect(db) as conn:
            metrics = dict(conn.execute("SELECT c.cell, r.metrics FROM sweep_cells c JOIN runs r ON r.id = c.run_id"))
    if len(metrics) != CELLS:
        sys.exit(f"sweep --executor {executor} recorded {len(metrics)} runs, not {CELLS}")
    return wall, metrics


def startup() -> float:
    proc = subprocess.run([sys.executable, "-c", STARTUP], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    if proc.returncode != 0:
        sys.exit(f"Ray did not start: {proc.stderr.strip()}")
    return float(proc.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=2, help="measurements of each, interleaved (medians shown)")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    walls: dict[str, list[float]] = {"process": [], "ray": []}
    starts: list[float] = []
    seen: dict[str, dict[str, str]] = {}
    for _ in range(args.repeat):  # interleaved, so a busy moment on a shared machine hits both
        for executor in walls:
            wall, metrics = measure(executor)
            walls[executor].append(wall)
            seen[executor] = metrics
        starts.append(startup())
    same = {k: json.loads(v) for k, v in seen["process"].items()} == {k: json.loads(v) for k, v in seen["ray"].items()}
    pool, ray, start = (statistics.median(walls["process"]), statistics.median(walls["ray"]),
                        statistics.median(starts))
    print(f"process pool, 2 jobs: {pool:.1f} s ({', '.join(f'{w:.1f}' for w in walls['process'])})")
    print(f"ray, local 2 CPUs:    {ray:.1f} s ({', '.join(f'{w:.1f}' for w in walls['ray'])})")
    print(f"ratio ray / pool:     {ray / pool:.2f}x   (same metrics in every cell: {'yes' if same else 'NO'})")
    print(f"Ray start-up alone:   {start:.1f} s ({', '.join(f'{s:.1f}' for s in starts)}: import, init, shutdown)")
    print(f"overhead per cell:    {(ray - pool) / CELLS * 1000:.1f} ms with start-up, "
          f"{(ray - start - pool) / CELLS * 1000:.1f} ms without")
    print(f"load average after:  {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
