"""The real `teamtui` command in a subprocess: help, run --headless --json on every shipped scenario,
identical event logs for identical seeds, and clean failures."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import ROOT

SHIPPED = sorted(p.relative_to(ROOT) for p in (ROOT / "scenarios").rglob("*.toml") if "tasks" not in p.parts)


RUNS_DB = Path(tempfile.mkdtemp(prefix="teamtui-test-")) / "runs.db"  # never the checkout's .teamtui/
atexit.register(shutil.rmtree, RUNS_DB.parent, True)  # each test process removes its own


def teamtui(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "CI": "true", "TEAMTUI_DB": str(RUNS_DB)})


def test_help_lists_the_commands() -> None:
    proc = teamtui("--help")
    assert proc.returncode == 0
    for cmd in ("run", "validate", "watch"):
        assert cmd in proc.stdout


def test_there_are_shipped_scenarios() -> None:
    names = {str(p) for p in SHIPPED}
    assert "scenarios/quickstart.toml" in names
    for arch in ("preassigned", "lead", "decentralized"):
        for p in ("02", "05", "09"):
            assert f"scenarios/math_utils/{arch}_p{p}.toml" in names


@pytest.mark.parametrize("scenario", SHIPPED, ids=str)
def test_every_shipped_scenario_runs_headless_and_prints_metrics(scenario: Path) -> None:
    proc = teamtui("run", str(scenario), "--headless", "--json")
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout)
    assert m["status"] in ("completed", "stranded", "round_limit", "time_limit")
    assert m["subtasks"] == 20 or "tasks" not in str(scenario)
    assert m["paper"]["messages"] > 0
    assert m["makespan"] > 0
    if m["status"] == "completed" and m["agents"] > 1:
        assert m["speedup"] is not None and m["speedup"] > 0


def test_same_seed_gives_identical_event_logs_through_the_cli(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for out, seed in ((a, "5"), (b, "5"), (c, "6")):
        proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--seed", seed, "--events", str(out),
                       "--no-baseline")
        assert proc.returncode == 0, proc.stderr
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    first, last = json.loads(a.read_bytes().splitlines()[0]), json.loads(a.read_bytes().splitlines()[-1])
    assert first["type"] == "RunStarted" and last["type"] == "RunFinished"


def test_summary_table_names_the_key_figures() -> None:
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless")
    assert proc.returncode == 0, proc.stderr
    for word in ("speedup", "Amdahl", "makespan", "conflicts", "fault: kill dee"):
        assert word in proc.stdout


def test_bad_override_is_one_line_and_exit_2() -> None:
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--arch", "anarchy")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "team.architecture" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_scenario_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = teamtui(str(tmp_path / "nope.toml"))
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("given", "chain"), [("0.2", 16), ("serial", 16), ("0.9", 2)])
def test_p_override_takes_numbers_and_aliases(given: str, chain: int, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    proc = teamtui("run", "scenarios/math_utils/preassigned_p05.toml", "--headless", "--json", "--p", given,
                   "--events", str(out))
    assert proc.returncode == 0, proc.stderr
    start = json.loads(out.read_text().splitlines()[0])
    assert sum(1 for t in start["tasks"] if t["depends_on"]) == chain - 1


def test_a_bad_p_override_names_the_allowed_values() -> None:
    proc = teamtui("run", "scenarios/quickstart.toml", "--headless", "--p", "0.3")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "0.3" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bad_scenario_fails_before_the_ui_opens(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\n[team]\nsize = "four"\n')
    proc = teamtui(str(bad))  # the UI command: it must fail with one line, without drawing anything
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "team.size" in proc.stderr
    assert proc.stdout == "" and "\x1b[" not in proc.stderr
