"""Runs one pack test file under pytest for teamtui and writes each outcome to a descriptor only teamtui reads.

`teamtui.runtime.verify` copies this file and the test file into a private folder outside the workspace
and runs `python -s -P -B pytest_runner.py FD WORKSPACE TEST [PATH...]` in the sandbox. pytest is
imported before the workspace joins `sys.path`, so nothing there (`pytest.py`, `sitecustomize.py`,
`conftest.py`: `--noconftest`, and the pinned `-c pytest.ini`) can stand in for pytest or steer it; the
workspace is then put first on `sys.path`, for the solution's modules the tests import. The report, one
tab-separated line per event (`collected N`, `<phase> <outcome> <test id>`, `exit <status>`), goes to
descriptor FD, opened by teamtui on a file the sandbox cannot open by name; processes the tests start
do not inherit it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

    import pytest


class Reporter:
    """The pytest plugin that writes the report."""

    def __init__(self, out: IO[str], workspace: str) -> None:
        self.out, self.workspace = out, workspace

    def _line(self, *fields: object) -> None:
        self.out.write("\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
        self.out.flush()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        os.chdir(self.workspace)  # the tests run in the workspace; paths are shown relative to the suite

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._line("collect", "failed", report.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._line("collected", len(session.items))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            self._line(report.when, report.outcome, report.nodeid)


def main(argv: list[str]) -> int:
    fd, workspace, test, extra = int(argv[1]), argv[2], argv[3], argv[4:]
    os.set_inheritable(fd, False)
    sys.path.extend(p for p in extra if p not in sys.path)
    import pytest

    out = os.fdopen(fd, "w", encoding="utf-8")
    suite = os.path.dirname(test)
    sys.path.insert(0, workspace)
    os.chdir(suite)  # pytest shows paths relative to where it starts: "test_x.py::test_y", the same every run
    args = ["-q", "-x", "--no-header", "-p", "no:cacheprovider", "--noconftest",
            "-c", os.path.join(suite, "pytest.ini"), "--rootdir", suite, test]
    reporter = Reporter(out, workspace)
    code = int(pytest.main(args, plugins=[reporter]))
    reporter._line("exit", code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
