"""A verdict files in the workspace cannot game: the pack's tests, run from a private copy, judged by a report.

Each check gets a private folder outside the workspace (`<workspace>.checks/<id>/`): `suite/` holds a copy of
the test file, an empty `pytest.ini` and `pytest_runner.py` (readable, not writable, by the code under
test), `tmp/` is its TMPDIR (writable), and `output` and `report` are files teamtui opens and hands over as
descriptors (the sandbox cannot open them by name). Python runs with `-s -P -B` and an environment teamtui
builds from nothing (no PYTHONPATH): that is `-I` except that PYTHONHASHSEED=0 is honoured, so runs stay
reproducible. So no `sitecustomize.py`, `usercustomize.py`, `pytest.py`, `conftest.py` or `pytest.ini` in
the workspace takes part.

The tests pass only when pytest's report is complete and says so: every collected test (at least one)
passed its call, nothing failed, errored or was skipped, pytest's exit status is 0 and so is the
process's. An exit status of 0 alone (`os._exit(0)` from the solution) is a failure.

What this cannot stop: code under test runs in pytest's own interpreter, so a solution that rewrites pytest
in memory when imported (or returns objects equal to everything) can still fake a pass; only a review or
tests run in another process than the code they check would close that.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from teamtui.runtime import roots
from teamtui.runtime import sandbox as sb
from teamtui.scenario.spec import TestLimits

SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT")
RUNNER = Path(__file__).with_name("pytest_runner.py")
OUTPUT_TAIL = 256 * 1024
"""Bytes of a check's output read back (the output file itself is capped by the file-size limit)."""
_TIMING = re.compile(r" in \d+(\.\d+)?s( \(\d+:\d+:\d+\))?")


def run_tests(workspace: Path, checks: Path, test_file: Path, limits: TestLimits,
              box: sb.Sandbox) -> tuple[int, str]:
    """Run one pack test file against the workspace (blocking: call it from a thread); (status, summary)."""
    with _Check(checks) as check:
        test = check.suite / test_file.name
        shutil.copyfile(test_file, test)
        shutil.copyfile(RUNNER, check.suite / RUNNER.name)
        (check.suite / "pytest.ini").write_text("[pytest]\n")
        argv = [sys.executable, "-s", "-P", "-B", str(check.suite / RUNNER.name), str(check.report_fd),
                str(workspace), str(test), *roots.pytest_path()]
        code = check.run(argv, workspace, limits, box)
        out = check.output()
        report = check.report()
    return _verdict(code, out, report, limits)


def run_compile(workspace: Path, checks: Path, rel: str, limits: TestLimits, box: sb.Sandbox) -> tuple[int, str]:
    """A subtask without tests: its file must compile (in the same sandbox; nothing of it is executed)."""
    with _Check(checks) as check:
        code = check.run([sys.executable, "-s", "-P", "-B", "-m", "py_compile", rel], workspace, limits, box)
        out = check.output()
    if code != 0:
        return _stopped(code, out, limits)
    return 0, (out.strip().splitlines() or ["compiles (no tests for this subtask)"])[-1][:300]


class _Check:
    """One check's private folder and the two files handed to it as descriptors."""

    def __init__(self, checks: Path) -> None:
        checks.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(dir=checks))
        self.suite, self.tmp = self.dir / "suite", self.dir / "tmp"
        self.suite.mkdir()
        self.tmp.mkdir()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        self.out_fd = os.open(self.dir / "output", flags, 0o600)
        self.report_fd = os.open(self.dir / "report", flags | os.O_APPEND, 0o600)

    def __enter__(self) -> _Check:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in (self.out_fd, self.report_fd):
            os.close(fd)
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, argv: list[str], workspace: Path, limits: TestLimits, box: sb.Sandbox) -> int:
        env = {k: v for k, v in os.environ.items() if k in SAFE_ENV_KEYS}
        env.update(HOME=str(workspace), TMPDIR=str(self.tmp), PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
                   PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # plain pytest: ten times faster to start, nothing foreign
        return sb.execute(argv, cwd=workspace, env=env, read=(str(self.suite),), write=(str(workspace), str(self.tmp)),
                          limits=limits, out_fd=self.out_fd, keep_fds=(self.report_fd,), confined=box.confined)

    def output(self) -> str:
        with open(self.dir / "output", "rb") as fh:
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - OUTPUT_TAIL))
            return fh.read().decode("utf-8", errors="replace")

    def report(self) -> list[list[str]]:
        with open(self.dir / "report", "rb") as fh:
            text = fh.read(1024 * 1024).decode("utf-8", errors="replace")
        return [line.split("\t") for line in text.splitlines()]


def _verdict(code: int, out: str, report: list[list[str]], limits: TestLimits) -> tuple[int, str]:
    if code == sb.TIMEOUT or code >= 125:
        return _stopped(code, out, limits)
    collected, passed, bad, status = -1, 0, [], None
    for fields in report:
        match fields:
            case ["collected", n] if n.isdigit():
                collected = int(n)
            case ["call", "passed", _]:
                passed += 1
            case ["exit", n] if n.lstrip("-").isdigit():
                status = int(n)
            case _:
                bad.append(" ".join(fields))
    if code != 0 or (status or 0) != 0:
        if "MemoryError" in out:
            return code or 1, f"tests ran out of memory (limit {limits.memory_mb} MB)"
        return code or status or 1, _failure_summary(_TIMING.sub("", out))
    if status is None:
        return 1, "the tests ended without pytest's report: the code under test stopped pytest or tampered with it"
    if collected <= 0:
        return 5, "no tests ran: a subtask passes only when at least one of its tests ran and passed"
    if bad or passed != collected:
        detail = "; ".join(bad[:3]) or f"{collected - passed} did not run"
        return 1, f"only {passed} of {collected} tests passed ({detail})"
    return 0, f"{passed} passed"


def _stopped(code: int, out: str, limits: TestLimits) -> tuple[int, str]:
    if code == sb.TIMEOUT:
        return 124, f"tests timed out after {limits.timeout_s:g} s and were stopped"
    if code == 125:
        lines = [ln for ln in out.splitlines() if ln.startswith("teamtui-sandbox:")]
        return 125, lines[-1] if lines else "the sandbox could not start"
    if code > 128:
        sig = code - 128
        why = "the CPU time limit" if sig in (9, 24) else f"signal {sig}"
        return 137, f"tests were stopped by {why}"
    if "MemoryError" in out:
        return code, f"tests ran out of memory (limit {limits.memory_mb} MB)"
    return code, _failure_summary(out)


def _failure_summary(out: str) -> str:
    """The most useful lines of a failed pytest run: the first error lines and the summary line."""
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("E ", "FAILED", "ERROR"))][:6]
    return "\n".join([*errors, lines[-1] if lines else ""])[:1200]
