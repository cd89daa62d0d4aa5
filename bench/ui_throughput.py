"""UI throughput: a headless monitor fed 100,000 events as fast as it will take them; events/s and memory.

    python bench/ui_throughput.py                # 100,000 events at 160x48
    python bench/ui_throughput.py --events 20000

The events are a real recorded run (the quickstart-like 4-agent team with a kill, on the virtual clock),
repeated with fresh sequence numbers and times until the count is reached. A producer appends them to the
app's inbox in bursts of 2,000 and yields; the app folds and redraws at its own frame rate, as it does
live. Printed: sustained events/s until the last event is drawn, and the process's memory (RSS and the
Python heap via tracemalloc) at 10%, 50% and 100% of the stream, which stays flat if buffers are bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _streams import stream  # noqa: E402 -- after the path is set

TRACE = False

def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def feed(events: list, size: tuple[int, int]) -> None:
    from teamtui.ui.app import TeamApp

    n = len(events)
    app = TeamApp()
    marks = {n // 10: "10%", n // 2: "50%", n: "100%"}
    memory: list[str] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if TRACE:
            tracemalloc.start()
        t0 = time.perf_counter()
        sent = 0
        while sent < n:
            chunk = events[sent:sent + 2000]
            app.pending.extend(chunk)
            sent += len(chunk)
            while len(app.pending) > 4000:  # noqa: ASYNC110 -- the app's frame timer drains it; nothing to signal
                await asyncio.sleep(0.001)
            for mark, label in marks.items():
                if sent - len(chunk) < mark <= sent:
                    heap = f", Python heap peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB" if TRACE else ""
                    memory.append(f"{label}: RSS {rss_mb():.0f} MB{heap}")
        while app.pending or app.view.seq < events[-1].seq:  # noqa: ASYNC110 -- polled, as above
            await asyncio.sleep(0.005)
        app.frame()
        wall = time.perf_counter() - t0
        if TRACE:
            tracemalloc.stop()
        await pilot.pause()
    print(f"ui: {n:,} events drawn in {wall:.2f} s = {n / wall:,.0f} events/s sustained "
          f"(frames at 10/s, terminal {size[0]}x{size[1]})")
    for line in memory:
        print(f"ui: memory at {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--width", type=int, default=160)
    ap.add_argument("--height", type=int, default=48)
    ap.add_argument("--trace", action="store_true", help="Also trace the Python heap (tracemalloc; slows it ~2x).")
    args = ap.parse_args()
    global TRACE
    TRACE = args.trace
    asyncio.run(feed(stream(args.events), (args.width, args.height)))


if __name__ == "__main__":
    main()
