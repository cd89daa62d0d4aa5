"""No hangs, no orphans: a recording that cannot start, signals, sweep workers, and which runs are still going.

Real subprocesses and real signals; the only times asserted are generous bounds ("within 10 s").
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from teamtui.launch import Run
from teamtui.store.reader import list_runs
from teamtui.store.schema import RecorderError

from .conftest import ROOT, solo_scenario
from .ui.conftest import live_scenario, until

QUICK = "scenarios/quickstart.toml"


def _env(scratch: Path) -> dict[str, str]:
    scratch.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "CI": "true", "TMPDIR": str(scratch)}  # run workspaces go to `scratch`


def _wait_for(cond: Callable[[], bool], bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not cond():
        assert time.monotonic() < deadline, "the condition did not come true within the bound"
        time.sleep(0.05)


def _events(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


def _live_run(db: Path, scratch: Path, speed: str = "2") -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "teamtui", "run", QUICK, "--headless", "--speed", speed,
                             "--no-baseline", "--db", str(db)], cwd=ROOT, env=_env(scratch), text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(lambda: _events(db) >= 20 or proc.poll() is not None)
    assert proc.poll() is None, "the run ended before the test could act on it"
    return proc


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run workspaces of this process go here (not /dev/shm), so a test can see that none is left behind."""
    where = tmp_path / "scratch"
    where.mkdir()
    monkeypatch.setenv("TMPDIR", str(where))
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def test_a_live_run_whose_recording_cannot_start_ends_at_once_with_one_line(tmp_path: Path, scratch: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    run = Run(solo_scenario("unrecordable", 5), speed=50.0, db=blocked / "runs.db")
    with pytest.raises(RecorderError, match=r"not recorded, so not run: .*a-file/runs.db: cannot create"):
        run.execute()
    assert run.engine.events == []  # the run never started
    assert list(scratch.iterdir()) == []  # and left no workspace


async def test_the_monitor_ends_too_when_its_recording_cannot_start(tmp_path: Path, scratch: Path) -> None:
    from teamtui.ui.app import TeamApp

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = TeamApp(live_scenario(), speed=8.0, db=blocked / "runs.db")
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2 and "cannot create the run database" in app.error_line
    assert not os.listdir(scratch)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_a_run_as_interrupted_and_removes_its_workspace(tmp_path: Path, sig: int, code: int) -> None:
    db, scratch = tmp_path / "runs.db", tmp_path / "scratch"
    proc = _live_run(db, scratch)
    assert list(scratch.iterdir()), "the run has a workspace while it goes"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.count("\n") == 1 and f"interrupted by {signal.Signals(sig).name}" in err and "Traceback" not in err
    assert [r.status for r in list_runs(db)] == ["interrupted"]
    assert not os.listdir(scratch)


async def test_ctrl_c_in_the_monitor_interrupts_the_run(tmp_path: Path, scratch: Path) -> None:
    from teamtui.ui.app import TeamApp

    db = tmp_path / "runs.db"
    app = TeamApp(live_scenario(), speed=2.0, db=db)
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.view.seq > 20)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 130 and app.signal == signal.SIGINT
    assert [r.status for r in list_runs(db)] == ["interrupted"]
    assert not os.listdir(scratch)


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_workers_of_a_killed_sweep_die_with_it(tmp_path: Path) -> None:
    db, scratch = tmp_path / "runs.db", tmp_path / "scratch"
    proc = subprocess.Popen([sys.executable, "-m", "teamtui", "sweep", QUICK, "--sizes", "1-4", "--trials", "40",
                             "--jobs", "2", "--db", str(db)], cwd=ROOT, env=_env(scratch),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2 or proc.poll() is not None)
        workers = _children(proc.pid)
        assert proc.poll() is None and workers
        proc.kill()  # SIGKILL: the parent cannot tell its workers anything
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(w) for w in workers), "a worker outlived its sweep by 10 s"
    finally:
        for w in workers:
            if _running(w):
                os.kill(w, signal.SIGKILL)
    assert list(scratch.iterdir()) == []  # a worker that died mid-cell removed its run's workspace


def _set(db: Path, run_id: str, **cols: object) -> None:
    with sqlite3.connect(db, timeout=10) as conn:
        conn.execute(f"UPDATE runs SET {', '.join(f'{k}=?' for k in cols)} WHERE id=?", (*cols.values(), run_id))


def test_a_run_is_running_while_its_recorder_holds_its_lock_whatever_its_pid_says(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    proc = _live_run(db, tmp_path / "scratch", speed="1")
    try:
        (row,) = list_runs(db)
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
        _set(db, row.id, pid=int(dead.stdout))  # a pid nobody has: the run still goes on
        assert [r.status for r in list_runs(db)] == ["running"]
        _set(db, row.id, host="another-host")  # recorded on another machine that shares the database
        assert [r.status for r in list_runs(db)] == ["running"]
    finally:
        proc.kill()
        proc.communicate()
    _set(db, row.id, pid=os.getpid(), host=os.uname().nodename)  # its pid now names a live process
    assert [r.status for r in list_runs(db)] == ["interrupted"]
