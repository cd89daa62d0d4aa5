"""The live monitor's CPU share: `teamtui scenarios/quickstart.toml` in a pseudo-terminal, measured from outside.

The monitor runs as a user runs it (its own process, a real terminal of the given size, the run recorded
into a scratch database); this side only reads what it writes, so the terminal never holds it up. After a
warm-up (imports, the first frames) the child's CPU time (user + system, every thread: the UI, the run's
engine and its recorder) is read from /proc/PID/stat, and divided by the wall time it covers.
"""

from __future__ import annotations

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (every thread), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _drain(fd: int, until: float) -> bool:
    """Read the terminal's output until `until` (wall clock); False once the child has closed it."""
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                if not os.read(fd, 65536):
                    return False
            except OSError:
                return False
    return True


def live_cpu_share(seconds: float = 60.0, warmup: float = 4.0, speed: float = 1.0, size: tuple[int, int] = (160, 48),
                   scenario: str = "scenarios/quickstart.toml", slice_s: float = 10.0) -> tuple[float, list[float]]:
    """CPU share (1.0 = one core) of the live monitor over `seconds` after `warmup`, and per `slice_s` slice."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "TEAMTUI_DB": str(Path(tmp) / "runs.db"),
               "COLUMNS": str(size[0]), "LINES": str(size[1])}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the monitor, on the pseudo-terminal
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "teamtui", scenario, "--speed", f"{speed:g}"], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        try:
            if not _drain(fd, time.monotonic() + warmup):
                raise SystemExit("the monitor exited during the warm-up")
            slices: list[float] = []
            t0 = time.monotonic()
            c0 = cpu_seconds(pid)
            start, used = t0, c0
            while time.monotonic() - t0 < seconds - 1e-6:
                if not _drain(fd, min(t0 + seconds, time.monotonic() + slice_s)):
                    break
                now, cpu = time.monotonic(), cpu_seconds(pid)
                slices.append((cpu - used) / (now - start))
                start, used = now, cpu
            share = (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        finally:
            try:
                os.write(fd, b"q")
                _drain(fd, time.monotonic() + 3)
            except OSError:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
    return share, slices


if __name__ == "__main__":
    share, slices = live_cpu_share(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
    print(f"live monitor: {share:.1%} of a core;", " ".join(f"{s:.0%}" for s in slices))
