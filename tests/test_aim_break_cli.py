"""`run --headless --break-on` and `[[breakpoints]]` (exit 3, the event in one line), and bad selectors and
breakpoints: one line naming the file, key and value and how to fix it, exit 2 (`validate` and `run --headless`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario

from .conftest import ROOT

CONFLICTS = ROOT / "tests" / "data" / "conflicts.toml"
HEAD = '[scenario]\nname = "t"\n[team]\nsize = 3\n[task]\n[[task.subtasks]]\nid = "a"\n'


def teamtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], capture_output=True, text=True, check=False,
                          timeout=120, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "CI": "true"})


def first_conflict() -> ev.Event:
    return next(e for e in run_events(load_scenario(CONFLICTS))
                if isinstance(e, ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied))


def test_a_scenario_breakpoint_stops_the_headless_run_with_exit_3_and_the_event() -> None:
    proc = teamtui("run", str(CONFLICTS), "--headless", "--no-record")
    assert proc.returncode == 3, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    e = first_conflict()
    assert last.startswith("stopped at breakpoint conflict: ")
    assert f"{e.t:.1f}s] {e.agent} {e.kind}" in last


def test_break_on_stops_at_its_first_match_and_json_stays_clean(tmp_path: Path) -> None:
    events = tmp_path / "run.jsonl"
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--json", "--no-record", "--events",
                   str(events), "--break-on", "message:/claim/i", "--break-on", "recovery")
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["status"] == "cancelled"  # stdout carries only the metrics
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("stopped at breakpoint message:/claim/i: ") and "LLMCallCompleted" in line
    logged = [ev.decode(x) for x in events.read_bytes().splitlines()]
    end = logged[-1]
    assert isinstance(end, ev.RunFinished) and "stopped at breakpoint message" in end.reason
    assert end.t < 5  # the run stopped there, not at its end


def test_without_a_match_the_run_ends_as_usual() -> None:
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-record", "--break-on", "cost:1")
    assert proc.returncode == 0, proc.stderr  # the sim costs nothing
    assert "stopped at breakpoint" not in proc.stdout


BAD_SCENARIOS = {
    "lead-without-lead": (HEAD + '[[faults]]\nat = 5\naction = "kill"\nagent = "lead"\n',
                          ["faults[0].agent", '"lead" picks the team\'s lead', "has none", "use holder"]),
    "unknown-selector": (HEAD + '[[faults]]\nat = 5\naction = "kill"\nagent = "holdr"\n',
                         ["faults[0].agent", 'no agent named "holdr"', 'did you mean "holder"', "a selector: holder"]),
    "bad-when": (HEAD + '[[faults]]\nat = 5\naction = "kill"\nagent = "holder"\nwhen = "busy"\n',
                 ["faults[0].when", "'busy'", "'now' or 'holding'"]),
    "timeout-without-holding": (HEAD + '[[faults]]\nat = 5\naction = "kill"\nagent = 1\ntimeout_s = 9\n',
                                ["faults[0]", 'add when = "holding"']),
    "regex": (HEAD + '[[breakpoints]]\nkind = "message"\npattern = "dead(lock"\n',
              ["breakpoints[0].pattern", "'dead(lock'", "does not compile", "escape a literal ("]),
    "unknown-kind": (HEAD + '[[breakpoints]]\nkind = "deadlock"\n',
                     ["breakpoints[0].kind", "'deadlock'", "'conflict', 'stall'"]),
    "unknown-breakpoint-key": (HEAD + '[[breakpoints]]\nkind = "message"\nregex = "x"\n',
                               ['unknown key "regex"', "allowed here: after_s, kind, pattern, times, usd"]),
    "stray-setting": (HEAD + '[[breakpoints]]\nkind = "conflict"\ntimes = 2\n',
                      ["breakpoints[0]", "does not take times", "remove it"]),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_selector_or_breakpoint_in_a_scenario_is_one_line_exit_2(case: str, command: str,
                                                                       tmp_path: Path) -> None:
    text, expected = BAD_SCENARIOS[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    proc = teamtui(command, str(path), *(["--headless", "--no-record"] if command == "run" else []))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert str(path) in lines[0]
    for bit in expected:
        assert bit in lines[0], f"{bit!r} not in {lines[0]!r}"


@pytest.mark.parametrize(("spec", "expected"), [
    ("message:/(dead/", ["--break-on 'message:/(dead/'", "does not compile"]),
    ("deadlock", ["--break-on 'deadlock'", "unknown breakpoint kind", "kinds: conflict"]),
    ("cost:much", ["--break-on 'cost:much'", "not a number", "cost:0.5"]),
])
def test_bad_break_on_is_one_line_exit_2(spec: str, expected: list[str]) -> None:
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-record", "--break-on", spec)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for bit in expected:
        assert bit in lines[0]


def test_help_names_every_breakpoint_kind_and_the_exit_code() -> None:
    from teamtui.core.breakpoints import KINDS

    out = " ".join(teamtui("run", "--help").stdout.split())
    assert "exit with 3" in out and "3 stopped at a breakpoint" in out
    assert all(k in out for k in KINDS)
