"""`teamtui calibrate` through the real command on a tiny database: a profile that teamtui reads back (and a
scenario runs with), JSON output, --resume, --validate, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from teamtui.scenario import profiles
from tests.conftest import ROOT
from tests.experiments.calibrate_data import truth_db


def teamtui(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=240,
                          env={"PATH": "/usr/bin:/bin", "CI": "true", "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return truth_db(tmp_path_factory.mktemp("calibrate-cli"), trials=3, sizes="1-2")


@pytest.mark.slow
def test_a_profile_is_written_read_back_and_resumed(db: Path, tmp_path: Path) -> None:
    args = ("calibrate", "latest", "--db", str(db), "--budget", "3", "--seeds", "2", "--jobs", "2",
            "--knobs", "idle_rate,files_per_turn", "--name", "tiny", "--format", "json")
    proc = teamtui(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    [data] = json.loads(proc.stdout)
    path = tmp_path / ".teamtui" / "profiles" / "tiny.toml"
    assert data["profile"] == str(Path(".teamtui/profiles/tiny.toml")) and path.is_file()
    assert data["evaluations"] == 3 and data["fresh_evaluations"] > 0 and data["runs"] == 12
    assert {"idle_rate", "files_per_turn"} <= set(data["knob_ci"]) and "latency.intercept" in data["direct_ci"]
    prof = tomllib.loads(path.read_text(encoding="utf-8"))
    assert prof["sim"]["verify"] == "harness" and set(prof["sim"]["latency"]) >= {"intercept", "run_sigma"}
    meta = prof["profile"]
    assert meta["runs"] == 12 and meta["model"] == "sim" and meta["command"].startswith("teamtui calibrate latest")
    assert meta["loss"] == pytest.approx(data["loss"], rel=1e-3) and meta["teamtui_version"]
    assert "latency.intercept" in meta["ci"] and meta["date"][:2] == "20"
    profiles.load(path)  # valid as a profile

    scenario = tmp_path / "use.toml"
    scenario.write_text('[scenario]\nname = "profiled"\nseed = 3\n[team]\nsize = 2\narchitecture = "decentralized"\n'
                        'model = "sim:tiny"\nconsistency = "none"\n[task]\npack = "math_utils"\np = 0.5\n',
                        encoding="utf-8")
    run = teamtui(tmp_path, "run", str(scenario), "--headless", "--json", "--no-record")
    assert run.returncode == 0, run.stderr
    ran = json.loads(run.stdout)
    assert ran["architecture"] == "decentralized" and ran["paper"]["messages"] > 0

    again = teamtui(tmp_path, *args, "--resume")
    assert again.returncode == 0, again.stderr
    [resumed] = json.loads(again.stdout)
    assert resumed["fresh_evaluations"] == 0 and resumed["loss"] == data["loss"] and resumed["sim"] == data["sim"]


@pytest.mark.slow
def test_validate_prints_coverage(db: Path, tmp_path: Path) -> None:
    proc = teamtui(tmp_path, "calibrate", "latest", "--db", str(db), "--validate", "--budget", "2", "--seeds", "1",
                   "--knobs", "idle_rate", "--predict-seeds", "3", "--jobs", "1", "-o", str(tmp_path / "v.toml"))
    assert proc.returncode == 0, proc.stderr
    assert "held-out reps: coverage" in proc.stdout and "rep" in proc.stdout
    assert "held-out packs" not in proc.stdout  # one pack: no pack folds
    assert not (tmp_path / "v.toml").exists()  # validation writes no profile


def test_errors_are_one_line(db: Path, tmp_path: Path) -> None:
    cases = [(("calibrate", "latest", "--db", str(db), "--knobs", "latency"), "not a behavioural knob: latency"),
             (("calibrate", "latest", "--db", str(db), "--model", "gpt"), "match the filters"),
             (("calibrate", "nosuchrun", "--db", str(db)), 'names no sweep and no run'),
             (("calibrate", "latest", "--db", str(db), "--arch", "ring"), "ring"),
             (("calibrate", "--db", str(db)), "give RUNS"),
             (("calibrate", "latest", "--db", str(db), "-o", "a.toml", "--name", "b"), "not both")]
    for args, message in cases:
        proc = teamtui(tmp_path, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
