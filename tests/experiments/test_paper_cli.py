"""`teamtui import` in a subprocess: success with figures, bad paths and missing pyarrow as one line and exit 2,
and `teamtui --help` without pyarrow imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT
from .harness_files import write_parquet, write_run_tree


def teamtui(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom teamtui.cli import main\nsys.argv = ['teamtui', *sys.argv[1:]]\nmain()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=60, env={"PATH": "/usr/bin:/bin", "CI": "true"})


def test_import_then_figures_then_reimport(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path)
    db = tmp_path / "runs.db"
    proc = teamtui("import", str(exp), "--db", str(db), "--figures")
    assert proc.returncode == 0, proc.stderr
    assert "imported 1 run(s) (0 already there)" in proc.stdout
    assert "Speedup vs the n = 1 baseline" in proc.stdout and "Straggler gap" in proc.stdout
    again = teamtui("import", str(exp), "--db", str(db), "--figures", "--json")
    assert again.returncode == 0, again.stderr
    assert "imported 0 run(s) (1 already there)" in again.stderr
    figures = json.loads(again.stdout)
    gap = figures["straggler"]["anthropic_claude-sonnet-4-6"]["decentralized"]["p05"]["2"]
    assert gap["mean"] == 4.0 and gap["n"] == 2


def test_malformed_lines_are_reported_on_stderr_and_the_import_succeeds(tmp_path: Path) -> None:
    exp = write_run_tree(tmp_path, ["{broken"])
    proc = teamtui("import", str(exp), "--db", str(tmp_path / "runs.db"))
    assert proc.returncode == 0, proc.stderr
    assert "skipped 1 malformed" in proc.stderr and "events.jsonl:4: not JSON" in proc.stderr


def test_a_bad_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = teamtui("import", str(tmp_path / "nowhere"), "--db", str(tmp_path / "runs.db"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("teamtui: ") and "no such file" in proc.stderr
    assert proc.stdout == ""


def test_parquet_without_pyarrow_says_how_to_install_it(tmp_path: Path) -> None:
    write_parquet(tmp_path / "data")
    proc = teamtui("import", str(tmp_path / "data"), "--db", str(tmp_path / "runs.db"),
                   prelude="sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "pip install 'teamtui[paper]'" in proc.stderr


def test_help_does_not_import_pyarrow() -> None:
    proc = teamtui("--help", prelude="import atexit; atexit.register(lambda: print('pyarrow' in sys.modules))")
    assert proc.returncode == 0 and "import" in proc.stdout
    assert proc.stdout.rstrip().endswith("False")


def test_a_run_with_no_usable_line_is_reported_and_exits_2(tmp_path: Path) -> None:
    run = tmp_path / "lone_run"
    run.mkdir()
    (run / "events.jsonl").write_text("garbage\n{\"no_type\": 1}\n")
    proc = teamtui("import", str(run), "--db", str(tmp_path / "runs.db"))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert "skipped 3 malformed" in lines[0] and "events.jsonl:1: not JSON" in lines[1]
    assert lines[-1].startswith("teamtui: ") and "no run with events to import" in lines[-1]


def test_an_imported_run_cannot_be_rerun_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    assert teamtui("import", str(write_run_tree(tmp_path)), "--db", str(db)).returncode == 0
    proc = teamtui("rerun", "latest", "--db", str(db))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "was imported" in proc.stderr and "teamtui replay" in proc.stderr
