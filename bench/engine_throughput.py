"""Engine throughput: 300 simulated runs (sizes 1-5 x 2 architectures x 3 p variants x 10 seeds), and the
per-agent-turn overhead next to AutoGen AgentChat's RoundRobinGroupChat driven by its replay client.

    python bench/engine_throughput.py            # both, side by side
    python bench/engine_throughput.py --no-autogen --jobs 1

Runs use the virtual clock and `verify = "model"`, so the wall time is the engine's own work (event
creation, the board, the workspace's real file writes, the sim model's decisions), not simulated waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = ROOT / "scenarios" / "math_utils" / "decentralized_p05.toml"


def one_run(args: tuple[int, str, str, int]) -> tuple[int, int, float]:
    """(events, agent turns, wall seconds of `engine.run()`) for one run. As on the AutoGen side, building
    the team (here the `Engine`, its workspace directory and the event loop) is outside the timed part."""
    from teamtui.core import events as ev
    from teamtui.core.clock import VirtualClock, run_virtual
    from teamtui.launch import new_engine
    from teamtui.scenario.load import load_scenario, with_overrides

    size, arch, p, seed = args
    s = with_overrides(load_scenario(BASE), size=size, arch=arch, p=p, seed=seed)

    async def timed() -> tuple[list[ev.Event], float]:
        engine = new_engine(s, VirtualClock())
        t0 = time.perf_counter()
        events = await engine.run()
        return events, time.perf_counter() - t0

    events, wall = run_virtual(timed())
    turns = sum(1 for e in events if isinstance(e, ev.LLMCallCompleted))
    return len(events), turns, wall


class _Sleeps:
    """A clock that notes every sleep asked of it (the sim may sleep more than once per call)."""

    def __init__(self, clock: Any) -> None:
        self.clock, self.sleeps = clock, []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await self.clock.sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.clock, name)


class _Tape:
    """Wraps the sim backend and keeps every completion with the clock sleeps it took."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, {}

    async def complete(self, request: Any, clock: Any) -> Any:
        noted = _Sleeps(clock)
        self.calls[request.agent, request.call] = (noted.sleeps, None)  # a call cut short stays None
        completion = await self.inner.complete(request, noted)
        self.calls[request.agent, request.call] = (noted.sleeps, completion)
        return completion

    def forget(self, agent: str) -> None:
        self.inner.forget(agent)


class _Replay:
    """Says again what the sim said, after the same sleeps: the analogue of AutoGen's replay client."""

    def __init__(self, calls: dict[tuple[str, int], tuple[list[float], Any]]) -> None:
        self.calls = calls

    async def complete(self, request: Any, clock: Any) -> Any:
        sleeps, completion = self.calls[request.agent, request.call]
        for seconds in sleeps:
            await clock.sleep(seconds)
        if completion is None:  # the recorded call never ended (the run finished or the agent died first)
            await asyncio.Event().wait()
        return completion

    def forget(self, agent: str) -> None:
        pass


def replayed_run(args: tuple[int, str, str, int], repeats: int = 3) -> tuple[int, float]:
    """(agent turns, best-of-`repeats` seconds of `engine.run()`) with the model's replies replayed, so the
    time is the engine's alone: the board, the network, the workspace's real writes, events, scheduling."""
    from teamtui.core import events as ev
    from teamtui.core.clock import VirtualClock, run_virtual
    from teamtui.launch import new_engine
    from teamtui.llm.sim import SimBackend
    from teamtui.scenario.load import load_scenario, with_overrides

    size, arch, p, seed = args
    s = with_overrides(load_scenario(BASE), size=size, arch=arch, p=p, seed=seed)
    tape = _Tape(SimBackend(s))

    async def once(backend: Any) -> tuple[list[ev.Event], float]:
        engine = new_engine(s, VirtualClock(), backend=backend)
        t0 = time.perf_counter()
        events = await engine.run()
        return events, time.perf_counter() - t0

    recorded, _ = run_virtual(once(tape))
    best = float("inf")
    for _ in range(repeats):
        events, wall = run_virtual(once(_Replay(tape.calls)))
        assert events == recorded, "a replayed run must be the run it replays"
        best = min(best, wall)
    return sum(1 for e in events if isinstance(e, ev.LLMCallCompleted)), best


def teamtui_per_turn(agents: int, repeats: int = 3) -> tuple[float, float]:
    """Seconds per agent turn over the grid's 60 runs of this team size, in this process, best of `repeats`
    as on the AutoGen side: (with the sim model deciding, with its replies replayed)."""
    cells = [c for c in grid() if c[0] == agents]
    best = float("inf")
    for _ in range(repeats):
        results = [one_run(c) for c in cells]
        best = min(best, sum(r[2] for r in results) / sum(r[1] for r in results))
    replayed = [replayed_run(c, repeats) for c in cells]
    return best, sum(r[1] for r in replayed) / sum(r[0] for r in replayed)


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
    print("per agent turn, best of 3 on each side; AutoGen's model is its replay client, so the like-for-like")
    print("teamtui figure is the engine with the sim's replies replayed (the sim model's own decisions excluded)")
    print(f"{'team':>5} {'autogen µs':>11} {'teamtui+sim µs':>15} {'ratio':>6}"
          f" {'teamtui replayed µs':>20} {'ratio':>6}")
    for agents in (3, 5):
        ag = measure_autogen(agents=agents, turns=300)
        a = ag["per_turn_us"]
        with_sim, replayed = (x * 1e6 for x in teamtui_per_turn(agents))
        print(f"{agents:>5} {a:>11.0f} {with_sim:>15.0f} {with_sim / a:>6.2f} {replayed:>20.0f} {replayed / a:>6.2f}"
              f"   (autogen-agentchat {ag['autogen_version']})")


if __name__ == "__main__":
    main()
