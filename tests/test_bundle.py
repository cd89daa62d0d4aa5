"""One-file runs: `export --format bundle` moved to a fresh database by `import` keeps every row the store keeps for
the run; `replay FILE` plays it with no database; a bundle from a newer teamtui, a damaged, cut or foreign file is
one line naming the file (exit 2); importing twice adds nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from teamtui.launch import run_events
from teamtui.scenario.load import load_scenario
from teamtui.store.reader import list_runs
from teamtui.store.recorder import Recorder
from teamtui.ui.replay import ReplayApp

from .conftest import ROOT, run_cli

TABLES = {"runs": "id", "events": "run_id", "checkpoints": "run_id", "forks": "run_id"}


def rows(db: Path, run_id: str) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} WHERE {col}=? ORDER BY 2", (run_id,)).fetchall()
                for t, col in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A database with the quickstart run (a kill and a delay), recorded live with checkpoints every 100 events and
    its final metrics, and a fork of it (a `forks` row): (db, run, fork)."""
    db = tmp_path_factory.mktemp("bundle") / "runs.db"
    scenario = load_scenario(ROOT / "scenarios" / "quickstart.toml")
    events = run_events(scenario)

    async def record() -> str:
        rec = Recorder(db, checkpoint_every=100)
        await rec.open()
        run_id = await rec.begin(scenario)
        for e in events:
            rec.listener(e)
        await rec.end("finished", metrics={"speedup": 1.5, "idle": 0.25}, makespan=events[-1].t)
        await rec.close()
        return run_id

    run_id = asyncio.run(record())
    fork = run_cli("fork", run_id, "--at", "120", "--add-fault", "kill:ada", "--json", db=db)
    assert fork.returncode == 0, fork.stderr
    child = next(r for r in list_runs(db) if r.parent == run_id)
    return db, run_id, child.id


@pytest.mark.parametrize("which", ["run", "fork"])
def test_a_bundle_moved_to_a_fresh_database_keeps_every_row(recorded: tuple[Path, str, str], tmp_path: Path,
                                                            which: str) -> None:
    db, run_id, fork_id = recorded
    chosen = run_id if which == "run" else fork_id
    before = rows(db, chosen)
    assert before["events"] and before["runs"][0][-1]  # events, and final metrics stored with the run
    assert len(before["checkpoints"]) >= 2 if which == "run" else before["forks"]
    bundle = tmp_path / "moved.teamtui"
    out = run_cli("export", chosen[:17], "--format", "bundle", "-o", str(bundle), db=db)
    assert out.returncode == 0, out.stderr
    assert bundle.is_file() and not out.stdout
    fresh = tmp_path / "elsewhere" / "runs.db"
    got = run_cli("import", str(bundle), db=fresh)
    assert got.returncode == 0, got.stderr
    assert f"imported run {chosen}" in got.stdout and f"({len(before['events'])} events)" in got.stdout
    assert rows(fresh, chosen) == before
    assert [r.id for r in list_runs(fresh)] == [chosen]
    again = run_cli("import", str(bundle), db=fresh)  # a run already there: said in one line, nothing doubled
    assert again.returncode == 0 and "already in" in again.stdout and len(again.stdout.splitlines()) == 1
    assert rows(fresh, chosen) == before
    exported = run_cli("export", chosen, db=fresh)  # the imported run reads back as the original did
    assert exported.stdout == run_cli("export", chosen, db=db).stdout


def test_replay_opens_a_bundle_with_no_database(recorded: tuple[Path, str, str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from teamtui.cli import main

    db, run_id, _ = recorded
    bundle = tmp_path / "run.teamtui"
    assert run_cli("export", run_id, "--format", "bundle", "-o", str(bundle), db=db).returncode == 0
    seen: dict[str, object] = {}
    real_run = ReplayApp.run

    async def pilot_script(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        await pilot.press("end")  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        seen.update(pos=app.pos, total=len(app.recording), run=app.run_id, finished=app.view.finished)
        await pilot.press("q")  # type: ignore[attr-defined]

    monkeypatch.setattr(ReplayApp, "run", lambda self, **kw: real_run(self, headless=True, size=(100, 30),
                                                                      auto_pilot=pilot_script))
    monkeypatch.setenv("TEAMTUI_DB", str(tmp_path / "absent" / "runs.db"))
    result = CliRunner().invoke(main, ["replay", str(bundle)])
    assert result.exit_code == 0, result.output
    assert seen["run"] == run_id and seen["pos"] == seen["total"] == len(rows(db, run_id)["events"])
    assert seen["finished"] is not None
    assert not (tmp_path / "absent").exists()  # nothing was written anywhere


def _bundle(recorded: tuple[Path, str, str], tmp_path: Path) -> Path:
    db, run_id, _ = recorded
    bundle = tmp_path / "run.teamtui"
    assert run_cli("export", run_id, "--format", "bundle", "-o", str(bundle), db=db).returncode == 0
    return bundle


@pytest.mark.parametrize(("sql", "said"), [
    ("UPDATE bundle SET value='7' WHERE key='bundle_version'", "bundle version 7"),
    ("PRAGMA user_version = 99", "schema 99"),
])
def test_a_bundle_from_a_newer_teamtui_is_one_line(recorded: tuple[Path, str, str], tmp_path: Path, sql: str,
                                                    said: str) -> None:
    bundle = _bundle(recorded, tmp_path)
    conn = sqlite3.connect(bundle)
    with conn:
        conn.execute(sql)
    conn.close()
    fresh = tmp_path / "fresh.db"
    for args in (("import", str(bundle)), ("replay", str(bundle))):
        out = run_cli(*args, db=fresh if args[0] == "import" else None)
        assert out.returncode == 2, out.stderr
        line = out.stderr.strip()
        assert "\n" not in line and str(bundle) in line and said in line and "newer teamtui" in line, line
    assert not fresh.exists() or not list_runs(fresh)


@pytest.mark.parametrize("damage", ["cut", "garbage", "text", "missing", "run-database"])
def test_a_damaged_or_foreign_bundle_is_one_line(recorded: tuple[Path, str, str], tmp_path: Path,
                                                 damage: str) -> None:
    bundle = _bundle(recorded, tmp_path)
    data = bundle.read_bytes()
    target = tmp_path / "bad.teamtui"
    if damage == "cut":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        target.write_bytes(data[:100] + bytes(range(256)) * 40)
    elif damage == "text":
        target.write_text("not a bundle\n")
    elif damage == "run-database":
        target.write_bytes(recorded[0].read_bytes())
    fresh = tmp_path / "fresh.db"
    for args in (("import", str(target)), ("replay", str(target))):
        out = run_cli(*args, db=fresh if args[0] == "import" else None)
        assert out.returncode == 2, (damage, out.stderr)
        line = out.stderr.strip()
        assert "\n" not in line and str(target) in line and "Traceback" not in line, line
        assert "bundle" in line
    assert not fresh.exists() or not list_runs(fresh)


def test_export_as_a_bundle_needs_a_file(recorded: tuple[Path, str, str]) -> None:
    out = run_cli("export", recorded[1], "--format", "bundle", db=recorded[0])
    assert out.returncode == 2 and "-o FILE" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_b_in_a_bundles_replay_forks_into_the_database_not_the_bundle(recorded: tuple[Path, str, str],
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import teamtui.cli.forking as forking
    from teamtui.cli import main

    db, run_id, _ = recorded
    bundle = _bundle(recorded, tmp_path)
    before = bundle.read_bytes()
    real_run = ReplayApp.run

    async def pilot_script(pilot: object) -> None:
        await pilot.press("home", "right", "right", "right")  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press("b")  # type: ignore[attr-defined]

    forks: list[tuple[Path, str, int]] = []

    def watch_fork(path: Path, parent: str, at: int, speed: float) -> int:
        forks.append((path, parent, at))
        return 0

    monkeypatch.setattr(ReplayApp, "run", lambda self, **kw: real_run(self, headless=True, size=(100, 30),
                                                                      auto_pilot=pilot_script))
    monkeypatch.setattr(forking, "watch_fork", watch_fork)
    target = tmp_path / "mine" / "runs.db"
    result = CliRunner().invoke(main, ["replay", str(bundle), "--db", str(target)])
    assert result.exit_code == 0, result.output
    assert forks == [(target, run_id, 3)]
    assert rows(target, run_id) == rows(db, run_id)  # the parent was imported where the fork will be recorded
    assert bundle.read_bytes() == before


def test_a_bundle_never_overwrites_a_run_database(recorded: tuple[Path, str, str], tmp_path: Path) -> None:
    db, run_id, _ = recorded
    other = tmp_path / "other.db"
    other.write_bytes(db.read_bytes())
    for target in (db, other):
        before = target.read_bytes()
        out = run_cli("export", run_id, "--format", "bundle", "-o", str(target), db=db)
        assert out.returncode == 2 and "not a bundle" in out.stderr and out.stderr.count("\n") == 1, out.stderr
        assert target.read_bytes() == before
    bundle = _bundle(recorded, tmp_path)  # an older bundle of the same name is replaced
    assert run_cli("export", run_id, "--format", "bundle", "-o", str(bundle), db=db).returncode == 0
