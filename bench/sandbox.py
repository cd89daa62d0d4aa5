"""What the sandbox adds to each test run: its start-up cost, side by side with `unshare -rn` and a bare subprocess.

Two measurements, each interleaved in rounds so that drift hits every side alike, medians printed:

* start-up: one trivial command (`python -I -S -c pass`) run as a bare subprocess, under `unshare -rn`
  (what test runs had before the sandbox), and in teamtui's sandbox (`sandbox.execute`, confined:
  Landlock, user/PID/network/IPC namespaces, rlimits, the warden's deadline);
* a whole check: one subtask of the math_utils pack with its reference solution, verified the way the
  engine does it (`verify.run_tests`: private copy, isolated Python, report) on the host (under
  `unshare -rn` where it works, as before the sandbox) and in the sandbox, with a bare `python -m pytest`
  of the same file for reference.

Target: under 50 ms added per test run.

    python bench/sandbox.py [--runs 30] [--checks 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from teamtui.runtime import sandbox, verify  # noqa: E402
from teamtui.scenario.spec import TestLimits  # noqa: E402

TRIVIAL = [sys.executable, "-I", "-S", "-c", "pass"]
LIMITS = TestLimits(timeout_s=60)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def interleaved(sides: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    for fn in sides.values():  # warm the page cache and the probes
        fn()
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, fn in sides.items():
            samples[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in samples.items()}


def show(title: str, medians: dict[str, float]) -> None:
    """The medians, each after the first with what it adds to the first."""
    print(title)
    base = None
    for name, ms in medians.items():
        extra = "" if base is None else f"  ({ms - base:+.1f} ms)"
        base = ms if base is None else base
        print(f"  {name:<34} {ms:7.1f} ms{extra}")


def startup(tmp: Path, rounds: int) -> dict[str, float]:
    out = os.open(tmp / "out", os.O_WRONLY | os.O_CREAT)
    unshare = sandbox.no_network_prefix()
    sides: dict[str, Callable[[], object]] = {
        "bare subprocess": lambda: subprocess.run(TRIVIAL, stdout=out, stderr=out, check=True)}
    if unshare:
        sides["unshare -rn"] = lambda: subprocess.run([*unshare, *TRIVIAL], stdout=out, stderr=out, check=True)
    sides["teamtui sandbox"] = lambda: sandbox.execute(TRIVIAL, cwd=tmp, env={}, read=(), write=(str(tmp),),
                                                       limits=LIMITS, out_fd=out, confined=True)
    try:
        return interleaved(sides, rounds)
    finally:
        os.close(out)


def checks(tmp: Path, rounds: int) -> dict[str, float]:
    pack = ROOT / "scenarios" / "tasks" / "math_utils"
    ws = tmp / "ws"
    ws.mkdir()
    shutil.copy(pack / "reference" / "mu_gcd.py", ws)
    test = pack / "tests" / "test_mu_gcd.py"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ws),
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    bare = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ws), str(test)]
    host, box = sandbox.Sandbox(False, "host"), sandbox.Sandbox(True, "sandbox")

    def check(where: sandbox.Sandbox) -> None:
        code, out = verify.run_tests(ws, tmp / "checks", test, LIMITS, where)
        assert code == 0, out

    return interleaved({
        "on the host (unshare -rn)": lambda: check(host),
        "in the sandbox": lambda: check(box),
        "bare python -m pytest": lambda: subprocess.run(bare, cwd=ws, env=env, capture_output=True, check=True),
    }, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="rounds of the start-up measurement")
    parser.add_argument("--checks", type=int, default=30, help="rounds of the whole-check measurement")
    args = parser.parse_args()
    found = sandbox.probe()
    if not found.ok:
        sys.exit(f"no sandbox on this machine: {found.reason}")
    print(f"sandbox: {found.name}; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="teamtui-bench-") as tmp:
        show(f"start-up of one command ({' '.join(TRIVIAL[1:])}), median of {args.runs}:",
             startup(Path(tmp), args.runs))
        show(f"one whole check (verify.run_tests of math_utils mu_gcd), median of {args.checks}:",
             checks(Path(tmp), args.checks))


if __name__ == "__main__":
    main()
