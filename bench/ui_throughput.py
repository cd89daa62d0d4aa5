"""UI benchmarks: the live monitor's CPU share, and events/s through the event log next to a bare Textual `Log`.

    python bench/ui_throughput.py                     # both parts (about 2 minutes)
    python bench/ui_throughput.py --part cpu --seconds 60
    python bench/ui_throughput.py --part log --events 100000 [--trace]

cpu: `teamtui scenarios/quickstart.toml` (four sim agents, a kill and a delay, speed 1) runs in a
pseudo-terminal of 160x48 as a user runs it, recording into a scratch database. After a warm-up, its CPU
time (user + system, all threads: the UI, the run's engine and its recorder, from /proc/PID/stat) over
`--seconds` of wall time is its CPU share, printed with the share of each 10 s slice. Target: at most 10 %.

log: one stream of `--events` events (a recorded 4-agent run repeated with fresh seq numbers and times) goes,
in one process, through (1) the monitor's event-log widget, `EventLog`, fed by a `LiveView` that folds every
event as the monitor does, and (2) a bare Textual `Log` fed the same lines (each event's text, made before
timing). Each app drains what is pending at its 10 Hz frame; a producer hands events over in bursts of 2,000
and waits while 4,000 are pending. Printed: sustained events/s until the last event is shown, the process's
RSS at the start and the end of each (with `--trace` also the Python heap via tracemalloc, about 2x slower),
and the ratio of the two rates. Target: at least 20,000 events/s, memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import time
import tracemalloc
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _streams import stream  # noqa: E402 -- after the path is set

TICKS = os.sysconf("SC_CLK_TCK")
FPS = 10


# -- cpu: the live monitor in a pseudo-terminal -------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (every thread), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _drain(fd: int, until: float) -> bool:
    """Read the terminal's output until `until` (monotonic); False once the child has closed it."""
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                if not os.read(fd, 65536):
                    return False
            except OSError:
                return False
    return True


def live_cpu_share(seconds: float, warmup: float = 4.0, size: tuple[int, int] = (160, 48),
                   slice_s: float = 10.0) -> tuple[float, list[float]]:
    """CPU share (1.0 = one core) of the live quickstart monitor over `seconds`, and per `slice_s` slice."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "TEAMTUI_DB": str(Path(tmp) / "runs.db")}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the monitor, on the pseudo-terminal
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "teamtui", "scenarios/quickstart.toml"], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        try:
            if not _drain(fd, time.monotonic() + warmup):
                raise SystemExit("the monitor exited during the warm-up")
            slices: list[float] = []
            t0 = start = time.monotonic()
            c0 = used = cpu_seconds(pid)
            while time.monotonic() - t0 < seconds - 1e-6:
                alive = _drain(fd, min(t0 + seconds, time.monotonic() + slice_s))
                now, cpu = time.monotonic(), cpu_seconds(pid)
                slices.append((cpu - used) / (now - start))
                start, used = now, cpu
                if not alive:
                    break
            share = (used - c0) / (start - t0)
        finally:
            with contextlib.suppress(OSError):
                os.write(fd, b"q")
                _drain(fd, time.monotonic() + 5)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
    return share, slices


# -- log: events/s through the event log, next to a bare Log ----------------------------------------------

def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _memory(trace: bool) -> str:
    heap = f", Python heap {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB" if trace else ""
    return f"RSS {rss_mb():.0f} MB{heap}"


def _apps(bare: bool) -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from teamtui.ui.view import LiveView
    from teamtui.ui.widgets.panes import LOG_LINES, EventLog

    class LogApp(App[None]):
        """One log widget, drained at the monitor's frame rate."""

        def __init__(self) -> None:
            super().__init__()
            self.view = LiveView()
            self.pending: deque[Any] = deque()
            self.shown = -1

        def compose(self) -> ComposeResult:
            yield Log(max_lines=LOG_LINES) if bare else EventLog()

        def on_mount(self) -> None:
            self.set_interval(1 / FPS, self.frame)

        def frame(self) -> None:
            if bare:
                lines = []
                while self.pending:
                    seq, line = self.pending.popleft()
                    lines.append(line)
                    self.shown = seq
                if lines:
                    self.query_one(Log).write_lines(lines)
            else:
                while self.pending:
                    self.view.apply(self.pending.popleft())
                self.query_one(EventLog).sync(self.view)
                self.shown = self.view.seq

    return LogApp()


async def feed(items: list[Any], last: int, bare: bool, trace: bool) -> tuple[float, str, str]:
    """Feed `items` to a log app as fast as it takes them: (events/s, memory at the start, at the end)."""
    app = _apps(bare)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        if trace:
            tracemalloc.start()
        before = _memory(trace)
        t0 = time.perf_counter()
        for i in range(0, len(items), 2000):
            app.pending.extend(items[i:i + 2000])
            while len(app.pending) > 4000:  # noqa: ASYNC110 -- the app's frame timer drains it; nothing to signal
                await asyncio.sleep(0.001)
        while app.shown < last:  # noqa: ASYNC110 -- polled, as above
            await asyncio.sleep(0.005)
        rate = len(items) / (time.perf_counter() - t0)
        after = _memory(trace)
        if trace:
            tracemalloc.stop()
        await pilot.pause()
    return rate, before, after


def log_throughput(n: int, trace: bool) -> None:
    from teamtui.ui import render

    events = stream(n)
    lines = [(e.seq, render.event_line(e).plain) for e in events]
    last = events[-1].seq
    bare, b0, b1 = asyncio.run(feed(lines, last, True, trace))
    ours, o0, o1 = asyncio.run(feed(events, last, False, trace))
    print(f"log: {n:,} events, frames at {FPS}/s, 160x48")
    print(f"log: bare Textual Log       {bare:>10,.0f} events/s; memory {b0} -> {b1}")
    print(f"log: teamtui EventLog+view  {ours:>10,.0f} events/s; memory {o0} -> {o1}")
    print(f"log: ratio EventLog / Log = {ours / bare:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["all", "cpu", "log"], default="all")
    ap.add_argument("--seconds", type=float, default=60.0, help="cpu: wall seconds measured (after a 4 s warm-up)")
    ap.add_argument("--events", type=int, default=100_000, help="log: events fed")
    ap.add_argument("--trace", action="store_true", help="log: also trace the Python heap (tracemalloc; ~2x slower)")
    args = ap.parse_args()
    if args.part in ("all", "cpu"):
        share, slices = live_cpu_share(args.seconds)
        print(f"cpu: live quickstart monitor at speed 1, 160x48: {share:.1%} of a core over {args.seconds:g} s "
              f"(per 10 s: {' '.join(f'{s:.0%}' for s in slices)})")
    if args.part in ("all", "log"):
        log_throughput(args.events, args.trace)


if __name__ == "__main__":
    main()
