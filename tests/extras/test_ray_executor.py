"""`--executor ray` on a real local Ray instance of two CPUs (started once for the module, with a Ray Client server on
127.0.0.1 in front): a sweep through ray:// records the same metrics as the process pool and reads back in
`teamtui report`, a task whose worker dies is retried and arrives once, a task that raises is not retried, Ctrl-C
leaves a sweep that resumes (joined by the GCS address), calibrate runs on a local Ray of its own, and a bad
address is one line."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teamtui.experiments import executors
from teamtui.experiments.executors import RayExecutor
from tests.conftest import ROOT
from tests.experiments.calibrate_data import truth_db
from tests.extras import need

pytestmark = pytest.mark.extras

BASE = "scenarios/math_utils/preassigned_p05.toml"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray instance of two CPUs for the module; its address, for the CLI to join."""
    ray = need.module("ray", "cluster")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def client(cluster: str) -> Iterator[str]:
    """A Ray Client server on 127.0.0.1 in front of the module's instance: the ray://HOST:PORT a cluster offers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "ray.util.client.server", "--host", "127.0.0.1", "-p", str(port),
                               "--mode", "legacy", "--address", cluster], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=teamtui_env(Path("unused.db")))
    try:
        deadline = time.monotonic() + 120  # a real process must start: poll, generously
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the Ray Client server did not start"
                time.sleep(0.2)
        yield f"ray://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def teamtui(db: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=300, env=teamtui_env(db))


def teamtui_env(db: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), "CI": "true",
            "TEAMTUI_DB": str(db), "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT),
            # how to join the module's instance (RAY_AUTH_MODE=token; the token is under HOME)
            **{k: v for k, v in os.environ.items() if k.startswith("RAY_")}}


def metrics_by_cell(db: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT c.cell, c.status, r.metrics FROM sweep_cells c LEFT JOIN runs r ON r.id = c.run_id")
        out = {}
        for cell, status, metrics in rows:
            assert status == "done" and metrics, cell
            out[cell] = json.loads(metrics)
        return out


def test_a_sweep_on_ray_records_what_the_process_pool_records_and_reports(client: str, tmp_path: Path) -> None:
    grid = ("sweep", BASE, "--sizes", "1-2", "--arch", "preassigned,decentralized", "--p", "0.2,0.9",
            "--trials", "2", "--faults", "none;stall:1@20+60", "--jobs", "2")
    pool, on_ray = tmp_path / "pool.db", tmp_path / "ray.db"
    first = teamtui(pool, *grid)
    assert first.returncode == 0, first.stderr
    second = teamtui(on_ray, *grid, "--executor", "ray", "--address", client)  # through Ray Client
    assert second.returncode == 0, second.stderr
    assert f"on the Ray cluster at {client}" in " ".join(second.stderr.split())  # (rich wraps lines)
    expected, got = metrics_by_cell(pool), metrics_by_cell(on_ray)
    assert len(got) == len(expected) > 8 and got == expected  # same seeds, same runs, cell by cell

    rep = teamtui(on_ray, "report", "latest", "-o", str(tmp_path / "report"), "--format", "json")
    assert rep.returncode == 0, rep.stderr
    data = json.loads(rep.stdout)
    assert data["cells"] == data["done"] == len(got)


def test_ctrl_c_cancels_the_ray_sweep_and_resume_finishes_it(cluster: str, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    grid = ("sweep", "scenarios/experiments/paper_grid_default.toml", "--sizes", "1-5", "--packs", "math_utils",
            "--p", "0.2,0.5,0.9", "--trials", "50", "--jobs", "2", "--executor", "ray", "--address", cluster)
    env = teamtui_env(db)
    # A shell's background job (CI's, say) runs with SIGINT ignored, and an ignored signal stays ignored across
    # exec: Python would then install no KeyboardInterrupt handler. A caught one is reset to the default instead.
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "teamtui", *grid], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, old)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # the sweep announces its cells once it has joined Ray and written the sweep
        seen.append(line)
        if "cells to run" in line:
            break
    else:
        raise AssertionError("".join(seen))
    # Ctrl-C at a terminal, to the whole foreground group, as the 1,500 cells start (they take many seconds: the
    # first batch of results is not even back yet)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(seen) + err
    with sqlite3.connect(db) as conn:
        [(status,)] = conn.execute("SELECT status FROM sweeps").fetchall()
        total = conn.execute("SELECT COUNT(*) FROM sweep_cells").fetchone()[0]
    assert status == "interrupted" and done_cells(db) < total == 1500

    again = teamtui(db, "sweep", "--resume", "--executor", "ray", "--address", cluster)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert done_cells(db) == total == runs  # every cell once, none written twice


def done_cells(db: Path) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM sweep_cells WHERE status = 'done'").fetchone()[0])
        except sqlite3.OperationalError:  # the tables are not there yet
            return 0


def die_on_first_attempt(marks: str, i: int) -> int:
    """A task whose worker process dies the first time it runs task 1 (a marker file remembers the attempt)."""
    mark = Path(marks) / f"attempt-{i}"
    first = not mark.exists()
    with mark.open("a", encoding="utf-8") as f:
        f.write("x")
    if i == 1 and first:
        os._exit(1)
    return i * 10


def raise_every_time(marks: str) -> int:
    with (Path(marks) / "raised").open("a", encoding="utf-8") as f:
        f.write("x")
    raise ValueError("this cell is broken")


def test_a_task_whose_worker_dies_is_retried_and_arrives_once(cluster: str, tmp_path: Path) -> None:
    got: list[tuple[int, int]] = []
    with RayExecutor(2) as pool:
        pool.run(die_on_first_attempt, [(str(tmp_path), i) for i in range(4)], lambda i, r: got.append((i, r)),
                 window=4)
        assert sorted(got) == [(0, 0), (1, 10), (2, 20), (3, 30)]
        assert (tmp_path / "attempt-1").read_text(encoding="utf-8") == "xx"  # it did die once, and ran again
        with pytest.raises(ValueError, match="this cell is broken"):
            pool.run(raise_every_time, [(str(tmp_path),)], lambda i, r: got.append((i, r)))
    assert (tmp_path / "raised").read_text(encoding="utf-8") == "x"  # an exception is not retried
    assert len(got) == 4


def test_a_task_whose_worker_dies_on_every_retry_is_reported_lost_alone(cluster: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "RETRIES", 0)  # no retry: the first death loses the task
    got: list[tuple[int, int]] = []
    lost: list[tuple[int, str]] = []
    with RayExecutor(2) as pool:
        pool.run(die_on_first_attempt, [(str(tmp_path), i) for i in range(3)], lambda i, r: got.append((i, r)),
                 on_lost=lambda i, why: lost.append((i, why)))
    assert sorted(got) == [(0, 0), (2, 20)]
    assert [i for i, _ in lost] == [1] and "lost after 0 retries" in lost[0][1]


def test_calibrate_runs_on_ray_and_finds_what_the_process_pool_finds(cluster: str, tmp_path: Path) -> None:
    db = truth_db(tmp_path, trials=2, sizes="1-2")
    args = ("calibrate", "latest", "--db", str(db), "--budget", "2", "--seeds", "2", "--jobs", "2",
            "--knobs", "idle_rate", "--format", "json")
    pool = teamtui(db, *args, "-o", str(tmp_path / "pool.toml"), cwd=tmp_path)
    assert pool.returncode == 0, pool.stderr
    on_ray = teamtui(db, *args, "-o", str(tmp_path / "ray.toml"), "--executor", "ray", cwd=tmp_path)
    assert on_ray.returncode == 0, on_ray.stderr
    [a], [b] = json.loads(pool.stdout), json.loads(on_ray.stdout)
    assert b["fresh_evaluations"] > 0 and b["loss"] == a["loss"] and b["sim"] == a["sim"]


def test_an_address_nobody_answers_is_one_line(cluster: str, tmp_path: Path) -> None:
    proc = teamtui(tmp_path / "runs.db", "sweep", BASE, "--trials", "1", "--executor", "ray",
                   "--address", "auto-not-an-address")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "--address auto-not-an-address: not a Ray address" in proc.stderr
    assert not (tmp_path / "runs.db").exists()
