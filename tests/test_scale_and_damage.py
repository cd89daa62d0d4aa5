"""Scale and damage: DAGs of 10,000 subtasks without recursion, a damaged run database, names with control characters."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from teamtui.core import events as ev
from teamtui.launch import run_events
from teamtui.scenario.load import parse_scenario
from teamtui.store.reader import list_runs

from .conftest import ROOT

N = 10_000


def teamtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "CI": "true"}, check=False)


def chain(n: int, *, cycle: bool = False, arch: str = "preassigned", rounds: int = 100_000,
          backwards: bool = True) -> str:
    """A plain chain s0 <- s1 <- ..., declared last first (the worst order for a pass-by-pass sort) or first
    first (the deepest for a walk from each subtask to its dependents); `cycle` closes it."""
    order = reversed(range(n)) if backwards else range(n)
    subs = [f'[[task.subtasks]]\nid = "s{i}"' + (f'\ndepends_on = ["s{(i - 1) % n}"]' if i or cycle else "")
            for i in order]
    return (f'[scenario]\nname = "chain"\n[team]\nsize = 3\narchitecture = "{arch}"\n[task]\n'
            + "\n".join(subs) + f"\n[limits]\nmax_rounds = {rounds}\nmax_time_s = 1e9\n")


def test_validate_takes_a_10000_chain_and_names_a_10000_cycle_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "chain.toml").write_text(chain(N))
    (tmp_path / "cycle.toml").write_text(chain(N, cycle=True))
    ok = teamtui("validate", str(tmp_path / "chain.toml"))
    assert ok.returncode == 0 and f"{N} subtasks" in ok.stdout, ok.stderr
    bad = teamtui("validate", str(tmp_path / "cycle.toml"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr, bad.stderr[:300]
    assert "dependency cycle" in bad.stderr and f"({N} subtasks in all)" in bad.stderr and len(bad.stderr) < 600


@pytest.mark.parametrize("arch", ["preassigned", "decentralized", "lead"])
def test_the_sim_starts_on_a_10000_chain_in_every_architecture(arch: str, tmp_path: Path) -> None:
    s = parse_scenario(chain(N, arch=arch, rounds=3), tmp_path / "s.toml")
    end = run_events(s)[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "round_limit", end


@pytest.mark.parametrize("arch", ["preassigned", "decentralized", "lead"])
def test_the_sim_finishes_a_chain_twice_as_deep_as_the_recursion_limit(arch: str, tmp_path: Path) -> None:
    s = parse_scenario(chain(400, arch=arch, backwards=arch == "preassigned"), tmp_path / "s.toml")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # what the run itself needs; a walk that recursed per subtask would need 400+
    try:
        end = run_events(s)[-1]
    finally:
        sys.setrecursionlimit(limit)
    assert isinstance(end, ev.RunFinished) and end.status == "completed" and end.done == end.total


def _damage(db: Path) -> None:
    """Overwrite the header of one of the events table's pages, as a bad sector or a torn write would."""
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        try:
            pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name='events' AND pagetype='leaf'")]
        except sqlite3.OperationalError:  # no dbstat in this SQLite: the middle page, which events fill
            pages = [os.path.getsize(db) // page_size // 2]
    with db.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * page_size)
        fh.write(b"\xff" * 64)


def test_a_damaged_database_is_noticed_and_names_the_runs_it_reaches(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    for seed in range(4):
        assert teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--seed", str(seed),
                       "--db", str(db)).returncode == 0
    ids = [r.id for r in list_runs(db)]
    _damage(db)
    exports = {run_id: teamtui("export", run_id, "--db", str(db)) for run_id in ids}
    broken = {run_id for run_id, p in exports.items() if p.returncode != 0}
    assert broken and broken != set(ids)
    for run_id in broken:
        err = exports[run_id].stderr
        assert exports[run_id].returncode == 2 and err.count("\n") == 1 and "internal error" not in err, err
        assert f"run {run_id} cannot be read back" in err and "damaged" in err
    listed = teamtui("runs", "--db", str(db))
    assert listed.returncode == 2 and "the run database is damaged" in listed.stderr
    assert {run_id for run_id in ids if run_id in listed.stderr} == broken
    assert all(("damaged" in line) == any(b in line for b in broken) for line in listed.stdout.splitlines()
               if any(i in line for i in ids))
    replayed = teamtui("replay", sorted(broken)[0], "--db", str(db))
    assert replayed.returncode == 2 and "cannot be read back" in replayed.stderr
    refused = teamtui("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", "--db", str(db))
    assert refused.returncode == 2 and "no new run is recorded there" in refused.stderr
    assert len(list_runs(db)) == len(ids)


EVIL = "evil \x1b[2J\x1b]0;pwned\x07 [/bold] \u202e name\r"


def test_names_reach_the_terminal_with_control_characters_escaped(tmp_path: Path) -> None:
    toml_name = EVIL.encode("unicode_escape").decode().replace("\\x", "\\u00")
    (tmp_path / "s.toml").write_text(f'[scenario]\nname = "{toml_name}"\n[task]\npack = "math_utils"\n')
    db = tmp_path / "runs.db"
    ran = teamtui("run", str(tmp_path / "s.toml"), "--headless", "--no-baseline", "--db", str(db))
    listed = teamtui("runs", "--db", str(db))
    for proc in (ran, listed):
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout + proc.stderr
        assert not any(ch in out for ch in "\x1b\x07\r\u202e"), out
        assert "evil \\x1b[2J\\x1b]0;pwned" in out  # the table may cut the rest of the name short
    assert "evil \\x1b[2J\\x1b]0;pwned\\x07 [/bold] \\u202e name\\r" in ran.stdout


def test_the_monitor_shows_names_with_control_characters_escaped() -> None:
    from teamtui.ui import render
    from teamtui.ui.view import LiveView

    view = LiveView()
    view.apply(ev.RunStarted(scenario=EVIL, seed=1, architecture="lead", execution="rounds", consistency="none",
                             model="sim", agents=("a\x1bb",), roles=("lead",), tasks=()))
    console = Console(file=io.StringIO(), width=300, color_system="truecolor", force_terminal=True)
    for text in (render.header(view, 1.0, False), render.agent_title(view, "a\x1bb", 1),
                 render.event_line(view.started)):  # type: ignore[arg-type]
        console.print(text)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[2J" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "evil \\x1b[2J" in out and "a\\x1bb" in out
