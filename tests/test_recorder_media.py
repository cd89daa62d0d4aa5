"""The run database on real troublesome media: a filesystem that fills up mid-run, and one mounted read-only.

These mount a small tmpfs, which needs root (CI runs as root); elsewhere they are skipped, saying why.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.store.reader import list_runs, load_events

from .conftest import run_cli


def _mount(where: Path, options: str) -> None:
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}); needs root")


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "fs"
    where.mkdir()
    _mount(where, "size=256k")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_disk_that_fills_up_stops_recording_and_the_run_still_ends_cleanly(small_fs: Path) -> None:
    db = small_fs / "runs.db"
    proc = run_cli("run", "scenarios/quickstart.toml", "--headless", "--speed", "40", "--no-baseline", "--json",
               "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "recording stopped" in proc.stderr and "the disk is full" in proc.stderr
    assert json.loads(proc.stdout)["status"] == "completed"  # the run itself ended and reported
    (row,) = list_runs(db)
    kept = load_events(db, row.id)
    assert kept and isinstance(kept[0], ev.RunStarted) and [e.seq for e in kept] == list(range(len(kept)))
    assert f"{len(kept)} events were recorded" in proc.stderr


def test_a_read_only_filesystem_refuses_recording_in_one_line_and_still_reads(small_fs: Path) -> None:
    db = small_fs / "runs.db"
    subprocess.run(["umount", "-l", str(small_fs)], check=True)
    _mount(small_fs, "size=8m")
    assert run_cli("run", "scenarios/math_utils/preassigned_p09.toml", "--headless", "--no-baseline",
               "--db", str(db)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    refused = run_cli("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--db", str(db))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
    listed = run_cli("runs", "--db", str(db))
    assert listed.returncode == 0 and "finished" in listed.stdout
    exported = run_cli("export", "latest", "--db", str(db))
    assert exported.returncode == 0 and exported.stdout.startswith('{"type":"RunStarted"')
