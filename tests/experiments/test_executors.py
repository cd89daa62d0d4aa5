"""The executors behind sweep and calibrate without Ray: the process pool's contract, a lost task failing only its
own cells, and the one-line errors of `--executor ray` where the cluster extra is missing, of `--address` without
it, and of an address nobody answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from teamtui.core.errors import TeamtuiError
from teamtui.experiments.executors import (
    Done,
    Executor,
    Init,
    Lost,
    ProcessExecutor,
    Where,
    check_address,
    open_executor,
)
from teamtui.experiments.runner import run_cells, seed_groups
from teamtui.experiments.sweep import prepare
from teamtui.experiments.table import connect, pending_cells
from tests.conftest import ROOT

BASE = "scenarios/math_utils/preassigned_p05.toml"
NO_RAY = "import sys; sys.modules['ray'] = None; from teamtui.cli import main; main()"

_WORKER: dict[str, object] = {}


def _init(tag: str) -> None:
    _WORKER["tag"] = tag


def _square(x: int) -> tuple[int, object, int]:
    return x * x, _WORKER.get("tag"), os.getpid()


def _fails(x: int) -> int:
    raise ValueError(f"cell {x} is broken")


def test_the_process_executor_gives_every_result_once_after_each_workers_initialiser() -> None:
    got: dict[int, tuple[int, object, int]] = {}

    def done(i: int, result: tuple[int, object, int]) -> None:
        assert i not in got
        got[i] = result

    with ProcessExecutor(2) as pool:
        pool.run(_square, [(x,) for x in range(9)], done, init=(_init, ("data",)), window=2)
        assert sorted(got) == list(range(9))
        assert all(square == i * i and tag == "data" for i, (square, tag, _) in got.items())
        assert {pid for _, _, pid in got.values()} != {os.getpid()}
        with pytest.raises(ValueError, match="cell 1 is broken"):
            pool.run(_fails, [(1,)], done)


def test_one_local_job_runs_here_and_an_address_needs_ray() -> None:
    assert open_executor(Where(), 1) is None
    assert isinstance(open_executor(Where(), 2), ProcessExecutor)
    with pytest.raises(TeamtuiError, match="add --executor ray"):
        Where("process", "ray://head:10001")


def test_an_address_is_checked_before_ray_is_asked() -> None:
    with pytest.raises(TeamtuiError, match="not a Ray address"):
        check_address("head-without-port")
    with socket.socket() as s:  # a port on 127.0.0.1 that nothing listens on (bound, then closed)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TeamtuiError, match=f"127.0.0.1:{port}: no Ray cluster answers there"):
        check_address(f"ray://127.0.0.1:{port}")


class _LosesTheFirstTask(Executor):
    """Runs tasks here, in order, except the first, which it reports lost as Ray does a task whose worker kept dying."""

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], on_done: Done, init: Init | None = None,
            window: int | None = None, idle: Callable[[], None] | None = None, on_lost: Lost | None = None) -> None:
        assert init is not None and on_lost is not None
        init[0](*init[1])
        on_lost(0, "a Ray task was lost after 3 retries (WorkerCrashedError)")
        for i in range(1, len(tasks)):
            on_done(i, fn(*tasks[i]))

    def close(self) -> None:
        pass  # nothing runs elsewhere


def test_a_lost_task_fails_only_its_own_cells_and_resume_would_rerun_them(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    options: dict[str, Any] = {"sizes": "1-2", "arch": "decentralized", "execution": None, "p": "0.5",
                               "packs": None, "models": None, "faults": None, "trials": 2}
    sweep_id, data, source, cells, total = prepare(db, ROOT / BASE, options, None)
    first = seed_groups(cells)[0]
    with connect(db, write=True) as conn:
        written = run_cells(conn, sweep_id, data, source, cells, 2, executor=_LosesTheFirstTask())
        status = dict(conn.execute("SELECT cell, status FROM sweep_cells WHERE sweep_id=?", (sweep_id,)).fetchall())
        left = pending_cells(conn, sweep_id)
    assert total == len(cells) and len(seed_groups(cells)) == 2 and written.runs == total - len(first) > 0
    assert {c.key() for c in left} == {c.key() for c in first}
    assert {k for k, v in status.items() if v == "failed"} == {c.key() for c in first}


def _no_ray(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", NO_RAY, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "CI": "true", "TEAMTUI_DB": str(tmp_path / "runs.db"),
                               "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("args", [
    ("sweep", BASE, "--sizes", "2", "--trials", "1", "--executor", "ray"),
    ("calibrate", "latest", "--executor", "ray", "--address", "auto"),
], ids=["sweep", "calibrate"])
def test_ray_missing_is_one_line_naming_the_extra_and_nothing_is_written(tmp_path: Path, args: tuple[str]) -> None:
    proc = _no_ray(tmp_path, *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "pip install -e '.[cluster]'" in proc.stderr
    assert not (tmp_path / "runs.db").exists()


@pytest.mark.parametrize("command", [("sweep", BASE, "--trials", "1"), ("calibrate", "latest")],
                         ids=["sweep", "calibrate"])
def test_an_address_without_the_ray_executor_is_one_line(tmp_path: Path, command: tuple[str]) -> None:
    proc = _no_ray(tmp_path, *command, "--address", "ray://head:10001")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "--address ray://head:10001" in proc.stderr
    assert "--executor ray" in proc.stderr and not (tmp_path / "runs.db").exists()
