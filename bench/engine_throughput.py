"""Engine throughput: 300 simulated runs (sizes 1-5 x 2 architectures x 3 p variants x 10 seeds), and the
per-agent-turn overhead next to AutoGen AgentChat's RoundRobinGroupChat driven by its replay client.

    python bench/engine_throughput.py            # both, side by side
    python bench/engine_throughput.py --no-autogen --jobs 1

Runs use the virtual clock and `verify = "model"`, so the wall time is the engine's own work (event
creation, the board, the workspace's real file writes, the sim model's decisions), not simulated waiting.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = ROOT / "scenarios" / "math_utils" / "decentralized_p05.toml"


def one_run(args: tuple[int, str, str, int]) -> tuple[int, int, float]:
    """(events, agent turns, wall seconds of `engine.run()`) for one run. As on the AutoGen side, building
    the team (here the `Engine`, its workspace directory and the event loop) is outside the timed part."""
    from teamtui import events as ev
    from teamtui.clock import VirtualClock, run_virtual
    from teamtui.runtime.engine import Engine
    from teamtui.scenario import load_scenario, with_overrides

    size, arch, p, seed = args
    s = with_overrides(load_scenario(BASE), size=size, arch=arch, p=p, seed=seed)

    async def timed() -> tuple[list[ev.Event], float]:
        engine = Engine(s, VirtualClock())
        t0 = time.perf_counter()
        events = await engine.run()
        return events, time.perf_counter() - t0

    events, wall = run_virtual(timed())
    turns = sum(1 for e in events if isinstance(e, ev.LLMCallCompleted))
    return len(events), turns, wall


def teamtui_per_turn(agents: int, repeats: int = 3) -> float:
    """Best-of-`repeats` seconds per agent turn over the grid's 60 runs of this team size, in this process,
    measured as the AutoGen side is (best of 3), so both figures are equally robust to a busy machine."""
    cells = [c for c in grid() if c[0] == agents]
    best = float("inf")
    for _ in range(repeats):
        results = [one_run(c) for c in cells]
        best = min(best, sum(r[2] for r in results) / sum(r[1] for r in results))
    return best


def grid() -> list[tuple[int, str, str, int]]:
    return list(itertools.product(range(1, 6), ("preassigned", "decentralized"), ("0.2", "0.5", "0.9"), range(10)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-autogen", action="store_true")
    args = ap.parse_args()
    cells = grid()
    t0 = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(one_run, cells, chunksize=5))
    else:
        results = [one_run(c) for c in cells]
    wall = time.perf_counter() - t0
    events = sum(r[0] for r in results)
    turns = sum(r[1] for r in results)
    busy = sum(r[2] for r in results)
    per_turn_us = busy / turns * 1e6
    print(f"teamtui: {len(cells)} sim runs in {wall:.2f} s wall on {args.jobs} process(es) "
          f"= {len(cells) / wall:.1f} runs/s; {events:,} events, {turns:,} agent turns")
    print(f"teamtui: engine time per agent turn {per_turn_us:.0f} µs (median run "
          f"{statistics.median(r[2] for r in results) * 1000:.1f} ms)")
    if args.no_autogen:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from autogen_baseline import measure_autogen

    print()
    print(f"{'team':>6} {'autogen µs/turn':>16} {'teamtui µs/turn':>16} {'ratio':>7}   (each best of 3)")
    for agents in (3, 5):
        ag = measure_autogen(agents=agents, turns=300)
        ours_us = teamtui_per_turn(agents) * 1e6
        print(f"{agents:>6} {ag['per_turn_us']:>16.0f} {ours_us:>16.0f} {ours_us / ag['per_turn_us']:>7.2f}"
              f"   (autogen-agentchat {ag['autogen_version']})")


if __name__ == "__main__":
    main()
