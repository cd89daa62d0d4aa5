"""Every bad-scenario case gets one line naming the file, the key (and line) and the fix, and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GOOD_HEAD = '[scenario]\nname = "t"\n'
INLINE = '[task]\n[[task.subtasks]]\nid = "a"\n[[task.subtasks]]\nid = "b"\ndepends_on = ["a"]\n'

CASES = {
    "toml-syntax": (GOOD_HEAD + "[team\nsize = 3\n", ["TOML syntax error", ":3:"]),
    "unknown-key": (GOOD_HEAD + "[team]\nsise = 3\n" + INLINE,
                    ['team.sise', 'unknown key "sise"', 'did you mean "size"', ":4:"]),
    "unknown-table": (GOOD_HEAD + "[teem]\nsize = 3\n" + INLINE, ['unknown key "teem"', 'did you mean "team"']),
    "wrong-type": (GOOD_HEAD + '[team]\nsize = "four"\n' + INLINE, ["team.size", "'four'", "integer", ":4:"]),
    "out-of-range": (GOOD_HEAD + "[team]\nsize = 0\n" + INLINE, ["team.size", "0 is not allowed", "at least 1"]),
    "bad-choice": (GOOD_HEAD + '[team]\nexecution = "parallel"\n' + INLINE,
                   ["team.execution", "'parallel'", "'rounds' or 'async'"]),
    "unknown-architecture": (GOOD_HEAD + '[team]\narchitecture = "anarchy"\n' + INLINE,
                             ["team.architecture", "preassigned, lead, decentralized"]),
    "cycle": (GOOD_HEAD + '[task]\n[[task.subtasks]]\nid = "a"\ndepends_on = ["c"]\n[[task.subtasks]]\nid = "b"\n'
              'depends_on = ["a"]\n[[task.subtasks]]\nid = "c"\ndepends_on = ["b"]\n',
              ["dependency cycle", "a -> c -> b -> a", "task.subtasks"]),
    "unknown-dependency": (GOOD_HEAD + '[task]\n[[task.subtasks]]\nid = "mean"\ndepends_on = ["sum_lst"]\n'
                           '[[task.subtasks]]\nid = "sum_list"\n',
                           ['unknown subtask "sum_lst"', 'did you mean "sum_list"']),
    "duplicate-id": (GOOD_HEAD + '[task]\n[[task.subtasks]]\nid = "a"\n[[task.subtasks]]\nid = "a"\n',
                     ['subtask id "a" is used twice']),
    "fault-unknown-agent": (GOOD_HEAD + "[team]\nsize = 2\n" + INLINE + '[[faults]]\nat = 5\naction = "kill"\nagent = "bobb"\n',
                            ["faults[0].agent", 'no agent named "bobb"', 'did you mean "bob"', "ada, bob"]),
    "fault-agent-position": (GOOD_HEAD + "[team]\nsize = 2\n" + INLINE + '[[faults]]\nat = 5\naction = "kill"\nagent = 3\n',
                             ["faults[0].agent", "agent 3 does not exist", "from 1 to 2"]),
    "fault-after-end": (GOOD_HEAD + INLINE + '[[faults]]\nat = 99999\naction = "kill"\nagent = 1\n'
                        "[limits]\nmax_time_s = 600\n", ["faults[0].at", "after the run's end", "max_time_s = 600"]),
    "sweep-override-unknown-limit": (GOOD_HEAD + INLINE + "[[sweep.overrides]]\nsizes = 2\nlimits = { max_round = 9 }\n",
                                     ["sweep.overrides[0].limits.max_round", 'did you mean "max_rounds"', "lease_s"]),
    "sweep-override-no-limits": (GOOD_HEAD + INLINE + "[[sweep.overrides]]\nsizes = 2\nlimits = {}\n",
                                 ["sweep.overrides[0]", "needs at least one [limits] key"]),
    "fault-needs-agent": (GOOD_HEAD + INLINE + '[[faults]]\nat = 5\naction = "kill"\n',
                          ["faults[0]", "kill needs agent"]),
    "unknown-pack": (GOOD_HEAD + '[task]\npack = "math_util"\n', ['unknown task pack "math_util"', 'did you mean "math_utils"']),
    "bad-p": (GOOD_HEAD + '[task]\npack = "math_utils"\np = 0.3\n', ["task.p", "0.3 is not a variant", "0.2, 0.5, 0.9"]),
    "missing-file": (None, ["no such file"]),
    "missing-task": (GOOD_HEAD + "[team]\nsize = 2\n", ["task: is missing", "add a [task] table"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    text, expected = CASES[case]
    path = tmp_path / f"{case}.toml"
    if text is not None:
        path.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "teamtui", "validate", str(path)], capture_output=True,
                          text=True, check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in lines[0]
    for bit in expected:
        assert bit in lines[0], f"{bit!r} not in {lines[0]!r}"


MANY = (GOOD_HEAD.replace('name = "t"\n', 'name = "t"\nseed = -1\n') + "[team]\nsize = 0\nsise = 3\n"
        'execution = "parallel"\n[task]\npack = "math_utils"\n[[faults]]\nat = "soon"\naction = "kill"\nagent = 1.5\n'
        "[limits]\nlease_s = nan\nmax_rounds = inf\n")
MANY_EXPECTED = [(":3:", "scenario.seed"), (":5:", "team.size"), (":6:", 'unknown key "sise"'),
                 (":7:", "team.execution"), (":11:", "faults[0].at"), (":13:", "faults[0].agent"),
                 (":15:", "limits.lease_s"), (":16:", "limits.max_rounds")]


def test_validate_prints_every_problem_of_a_file_one_line_each_in_file_order(tmp_path: Path) -> None:
    bad = tmp_path / "many.toml"
    bad.write_text(MANY)
    good = tmp_path / "good.toml"
    good.write_text(GOOD_HEAD + INLINE)
    proc = subprocess.run([sys.executable, "-m", "teamtui", "validate", str(bad), str(good)], capture_output=True,
                          text=True, check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(MANY_EXPECTED), proc.stderr
    for line, (where, what) in zip(lines, MANY_EXPECTED, strict=True):
        assert line.startswith(f"teamtui: {bad}{where} ") and what in line, line
    assert "more problem" not in proc.stderr
    assert proc.stdout.strip().startswith(f"{good}: ok")


def test_a_run_of_a_file_with_many_problems_names_the_first_and_how_to_see_the_rest(tmp_path: Path) -> None:
    bad = tmp_path / "many.toml"
    bad.write_text(MANY)
    proc = subprocess.run([sys.executable, "-m", "teamtui", "run", str(bad), "--headless", "--no-record"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "scenario.seed" in lines[0], proc.stderr
    assert f"(and 7 more problems: teamtui validate {bad} lists every one)" in lines[0]
