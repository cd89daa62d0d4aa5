"""`teamtui serve` without a browser: every refusal is one line and exit 2 before any server starts (with or
without the web extra), and the command it serves is one `watch`/`replay` accepts with the same options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.cli.run import watch
from teamtui.cli.serve import exposure, replay_argv, serve, watch_argv

from .conftest import ROOT, run_cli

BLOCKED = "import sys; sys.modules['textual_serve'] = None; from teamtui.cli import main; main()"


def blocked(*args: str) -> subprocess.CompletedProcess[str]:
    """`teamtui serve ARGS` in a process where textual-serve cannot be imported (the web extra missing)."""
    return subprocess.run([sys.executable, "-c", BLOCKED, "serve", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120, env={"PATH": "/usr/bin:/bin", "CI": "true"})


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "serving" not in proc.stdout  # no server was announced
    return lines[0]


def test_a_missing_web_extra_is_one_line_naming_the_pip_install(tmp_path: Path) -> None:
    line = one_line(blocked("scenarios/quickstart.toml", "--db", str(tmp_path / "runs.db")))
    assert "textual_serve" in line and "pip install -e '.[web]'" in line


def test_a_bad_scenario_path_fails_before_the_server_whatever_is_installed(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    for proc in (run_cli("serve", str(missing)), blocked(str(missing))):
        line = one_line(proc)
        assert str(missing) in line and "no such file" in line


def test_an_invalid_scenario_names_its_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "scenarios" / "quickstart.toml").read_text().replace("size = 4", "size = 0"))
    line = one_line(run_cli("serve", str(bad)))
    assert str(bad) in line and "size" in line


@pytest.mark.parametrize("args", [(), ("scenarios/quickstart.toml", "--replay", "latest")])
def test_a_scenario_or_a_replay_not_neither_nor_both(args: tuple[str, ...]) -> None:
    assert "SCENARIO.toml or --replay RUN" in one_line(run_cli("serve", *args))


def test_a_replay_of_an_unknown_run_or_with_live_options_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    assert run_cli("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", db=db).returncode == 0
    assert "nosuchrun" in one_line(run_cli("serve", "--replay", "nosuchrun", db=db))
    assert "--seed" in one_line(run_cli("serve", "--replay", "latest", "--seed", "3", db=db))
    assert "0.125 to 64" in one_line(run_cli("serve", "--replay", "latest", "--speed", "100", db=db))


def test_the_served_live_command_is_watch_with_the_same_options(tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    over = {"seed": 3, "size": 2, "arch": None, "unsafe_host_exec": True, "cassette": cassette, "p": "0.9"}
    scenario = ROOT / "scenarios" / "quickstart.toml"
    argv = watch_argv(scenario, 0.5, over, tmp_path / "runs.db", serve.params)
    assert argv[:4] == [sys.executable, "-m", "teamtui", "watch"]
    ctx = watch.make_context("watch", argv[4:])  # watch itself parses what serve passes on
    assert ctx.params["scenario"] == scenario.resolve()
    assert (ctx.params["speed"], ctx.params["seed"], ctx.params["size"], ctx.params["p"]) == (0.5, 3, 2, "0.9")
    assert ctx.params["unsafe_host_exec"] is True and ctx.params["arch"] is None
    assert ctx.params["cassette"] == cassette and ctx.params["db"] == (tmp_path / "runs.db").resolve()
    unrecorded = watch.make_context("watch", watch_argv(Path("x.toml"), None, {}, None, serve.params)[4:])
    assert unrecorded.params["no_record"] is True and unrecorded.params["speed"] == 1.0


def test_the_served_replay_names_the_resolved_run_and_its_database(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    made = run_cli("run", "scenarios/quickstart.toml", "--headless", "--no-baseline", db=db)
    assert made.returncode == 0, made.stderr
    listed = run_cli("runs", "--json", db=db)
    run_id = json.loads(listed.stdout)[0]["id"]
    argv = replay_argv("latest", db, False, 2.0, {})
    assert argv[3:] == ["replay", run_id, "--db", str(db.resolve()), "--speed", "2.0"]


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("::1", False), ("localhost", False),
                                              ("127.0.0.2", False), ("0.0.0.0", True), ("::", True),
                                              ("192.168.1.20", True), ("myhost.lan", True)])
def test_a_host_off_loopback_is_warned_about(host: str, warned: bool) -> None:
    text = exposure(host, 8123)
    assert bool(text) == warned
    if warned:
        assert host in text and "8123" in text and "anyone" in text and "\n" not in text
