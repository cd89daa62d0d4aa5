"""How long `teamtui calibrate` takes on the paper's runs for one model, and how fast a profiled sim run is.

    python bench/calibrate.py --db /tmp/paper.db --model claude            # calibrate, then the speed check
    python bench/calibrate.py --db /tmp/paper.db --model gpt-5.2 --budget 100 --seeds 4 --jobs 2
    python bench/calibrate.py --speed-only .teamtui/profiles/claude-sonnet-4-6.toml

The calibration is one `python -m teamtui calibrate latest --db DB --model M -o PROFILE --format json` process
(start-up, reading the runs and their calls, the direct fit with its bootstrap, every simulated evaluation),
timed end to end; it prints the wall time, the evaluations and the loss (target: within 30 minutes on the
project's 2-core machine). Then the speed check: the same grid of sim runs (sizes 1–5 × pre-assigned and
decentralized × p 0.2/0.5/0.9 × math_utils × `--speed-seeds` seeds) once with today's default sim
(`scenarios/experiments/paper_grid_default.toml`: verify = model, locking) and once with the profile (its `[sim]`
values, verify = harness, consistency none, as `teamtui calibrate` simulates), in this process, interleaved
three times; it prints milliseconds per run for both and their ratio (target ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from teamtui.launch import run_events  # noqa: E402
from teamtui.scenario.load import load_scenario  # noqa: E402
from teamtui.scenario.simconfig import SimConfig  # noqa: E402
from teamtui.scenario.spec import Scenario  # noqa: E402

GRID_FILE = ROOT / "scenarios/experiments/paper_grid_default.toml"


def calibrate(db: Path, model: str, out: Path, budget: int, seeds: int, jobs: int) -> dict[str, object]:
    cmd = [sys.executable, "-m", "teamtui", "calibrate", "latest", "--db", str(db), "--model", model, "-o", str(out),
           "--budget", str(budget), "--seeds", str(seeds), "--jobs", str(jobs), "--format", "json"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"calibrate failed: {proc.stderr.strip()[-2000:]}")
    data = json.loads(proc.stdout)[0]
    return {"wall_s": wall, **data}


def scenarios(sim: SimConfig | None, seeds: int) -> list[Scenario]:
    base = load_scenario(GRID_FILE)
    out = []
    from teamtui.scenario.load import with_overrides

    for arch in ("preassigned", "decentralized"):
        for n in range(1, 6):
            for p in ("0.2", "0.5", "0.9"):
                s = with_overrides(base, size=n, arch=arch, p=p)
                if sim is not None:
                    s = replace(s, sim=sim, consistency="none", lease_s=1e9, stall_after_s=1e9, max_time_s=1e9)
                out.extend(replace(s, seed=100 + i) for i in range(seeds))
    return out


def per_run_ms(runs: list[Scenario]) -> float:
    t0 = time.perf_counter()
    for s in runs:
        run_events(s)
    return (time.perf_counter() - t0) / len(runs) * 1000


def speed(profile: Path, seeds: int) -> tuple[float, float]:
    data = tomllib.loads(profile.read_text(encoding="utf-8"))
    sim = SimConfig.model_validate({**data["sim"], "verify": "harness"})
    default, fitted = scenarios(None, seeds), scenarios(sim, seeds)
    a, b = [], []
    for _ in range(3):  # interleaved, so a busy moment on a shared machine hits both
        a.append(per_run_ms(default))
        b.append(per_run_ms(fitted))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="a run database with the paper's runs imported (teamtui import)")
    ap.add_argument("--model", default="claude")
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--speed-seeds", type=int, default=3)
    ap.add_argument("-o", "--output", type=Path, help="keep the fitted profile here (default: a temporary file)")
    ap.add_argument("--speed-only", type=Path, metavar="PROFILE", help="skip the calibration; time this profile")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    profile = args.speed_only
    with tempfile.TemporaryDirectory(prefix="teamtui-calib-") as tmp:
        if profile is None:
            if args.db is None:
                sys.exit("give --db (the paper's runs) or --speed-only PROFILE")
            profile = args.output or Path(tmp) / "profile.toml"
            r = calibrate(args.db, args.model, profile, args.budget, args.seeds, args.jobs)
            print(f"calibrate {r['model']}: {r['wall_s'] / 60:.1f} min wall ({r['runs']} runs, {r['cells']} cells × "
                  f"{r['seeds']} seeds, {args.jobs} jobs), {r['evaluations']} evaluations, loss {r['loss']:.1f} "
                  f"over {len(r['terms'])} terms ({'converged' if r['converged'] else 'budget spent'})")  # type: ignore[arg-type]
        default_ms, profile_ms = speed(profile, args.speed_seeds)
    print(f"per sim run: default {default_ms:.1f} ms, with the profile (harness) {profile_ms:.1f} ms: "
          f"{profile_ms / default_ms:.2f}× (target ≤ 1.5×)")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
