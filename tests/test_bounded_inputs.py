"""Every file teamtui reads is a regular file under a stated limit, and a scenario cannot name files outside its folder.

Real files (FIFOs, /dev/zero, sparse files far over a limit, symbolic links) through the real command in a
subprocess: each refusal is one line naming the file, the limit and what to do, and comes at once (a FIFO
with no writer used to hang the read forever; /dev/zero and a huge file used to be read whole).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

MB = 1024 * 1024

HEAD = '[scenario]\nname = "bounded"\n'
PACK = '[task]\npack = "math_utils"\n'


def teamtui(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The command, with a bound that only a hang reaches."""
    return subprocess.run([sys.executable, "-m", "teamtui", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=90, env={"PATH": "/usr/bin:/bin", "CI": "true"}, check=False)


def one_line(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)
    return proc.stderr


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)  # no disk used: a file that claims `size` bytes
    return path


def test_a_scenario_file_must_be_a_regular_file_under_its_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "s.fifo"
    os.mkfifo(fifo)
    big = sparse(tmp_path / "big.toml", 3 * MB)
    one_line(teamtui("validate", str(fifo)), str(fifo), "FIFO", "not a regular file", "1 MB")
    one_line(teamtui("validate", "/dev/zero"), "/dev/zero", "character device", "1 MB")
    one_line(teamtui("run", str(big), "--headless"), str(big), "3 MB, over the limit", "1 MB", "check the path")


def test_task_files_prompts_profiles_and_packs_are_bounded(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "tasks.json")
    (tmp_path / "task.toml").write_text(HEAD + '[task]\npath = "tasks.json"\n')
    one_line(teamtui("validate", str(tmp_path / "task.toml")), "task.path", "FIFO", "16 MB")
    sparse(tmp_path / "huge.json", 64 * MB)
    (tmp_path / "huge.toml").write_text(HEAD + '[task]\npath = "huge.json"\n')
    one_line(teamtui("validate", str(tmp_path / "huge.toml")), "64 MB, over the limit", "16 MB")
    os.mkfifo(tmp_path / "worker.md")
    (tmp_path / "prompt.toml").write_text(HEAD + '[team.prompts]\nworker = "worker.md"\n' + PACK)
    one_line(teamtui("validate", str(tmp_path / "prompt.toml")), "team.prompts.worker", "FIFO", "256 KB")
    os.mkfifo(tmp_path / "fitted.toml")
    (tmp_path / "profile.toml").write_text(HEAD + '[team.sim]\nprofile = "fitted.toml"\n' + PACK)
    one_line(teamtui("validate", str(tmp_path / "profile.toml")), "fitted.toml", "FIFO", "sim profile")
    (tmp_path / "mypack").mkdir()
    os.mkfifo(tmp_path / "mypack" / "pack.toml")
    (tmp_path / "pack.toml").write_text(HEAD + '[task]\npack = "mypack"\n')
    one_line(teamtui("validate", str(tmp_path / "pack.toml")), "pack.toml", "FIFO", "4 MB")


def test_a_cassette_is_bounded(tmp_path: Path) -> None:
    fifo = tmp_path / "calls.jsonl"
    os.mkfifo(fifo)
    scenario = str(ROOT / "scenarios" / "quickstart.toml")
    for cassette, what in ((fifo, "FIFO"), (Path("/dev/zero"), "character device"),
                           (sparse(tmp_path / "big.jsonl", 300 * MB), "300 MB, over the limit")):
        one_line(teamtui("run", scenario, "--headless", "--no-record", "--cassette", str(cassette)),
                 f"cassette {cassette}", what, "256 MB", "--record-llm")


def test_the_paper_harness_files_are_bounded(tmp_path: Path) -> None:
    run = tmp_path / "exp" / "run1"
    run.mkdir(parents=True)
    sparse(run / "events.jsonl", 300 * MB)
    proc = teamtui("import", str(tmp_path / "exp"), "--db", str(tmp_path / "runs.db"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "events.jsonl: it is 300 MB, over the limit" in proc.stderr and "256 MB" in proc.stderr


@pytest.mark.parametrize(("table", "name"), [
    ("[team.prompts]\nworker = {!r}\n" + PACK, "/etc/passwd"),
    ("[team.prompts]\nworker = {!r}\n" + PACK, "../outside.md"),
    ("[task]\npath = {!r}\n", "/dev/zero"),
    ("[task]\npath = {!r}\n", "../outside.json"),
    ("[task]\npack = {!r}\n", "/usr/lib"),
    ("[team.sim]\nprofile = {!r}\n" + PACK, "../outside.toml"),
])
def test_a_scenario_may_not_name_files_outside_its_folder(tmp_path: Path, table: str, name: str) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    for f in ("outside.md", "outside.json", "outside.toml"):
        (tmp_path / f).write_text("secret")
    (folder / "s.toml").write_text(HEAD + table.format(name))
    one_line(teamtui("validate", str(folder / "s.toml")), "outside the scenario's folder", repr(name), "copy")


def test_a_symbolic_link_out_of_the_folder_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("my private notes")
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "worker.md").symlink_to(tmp_path / "secret.md")
    (folder / "s.toml").write_text(HEAD + '[team.prompts]\nworker = "worker.md"\n' + PACK)
    one_line(teamtui("validate", str(folder / "s.toml")), "team.prompts.worker", "outside the scenario's folder")
    (folder / "inside.md").write_text("You are a careful worker.")
    (folder / "ok.toml").write_text(HEAD + '[team.prompts]\nworker = "inside.md"\n' + PACK)
    assert teamtui("validate", str(folder / "ok.toml")).returncode == 0


def test_a_pack_subtask_file_may_not_leave_the_pack(tmp_path: Path) -> None:
    pack = tmp_path / "evil"
    pack.mkdir()
    (pack / "pack.toml").write_text('[pack]\nname = "evil"\n[variants]\n"0.5" = 1\n'
                                    '[[subtasks]]\nid = "a"\nfile = "../../../../etc/passwd"\n')
    (tmp_path / "s.toml").write_text(HEAD + '[task]\npack = "evil"\n')
    one_line(teamtui("validate", str(tmp_path / "s.toml")), "task.pack", "must be inside the pack")


def test_nan_and_inf_are_refused_in_scenarios_and_on_the_command_line(tmp_path: Path) -> None:
    for key, table in (("limits.max_time_s", PACK + "[limits]\nmax_time_s = inf\n"),
                       ("team.sim.bug_rate", "[team.sim]\nbug_rate = nan\n" + PACK),
                       ("faults[0].at", PACK + '[[faults]]\nat = inf\naction = "kill"\nagent = 1\n')):
        (tmp_path / "s.toml").write_text(HEAD + table)
        one_line(teamtui("validate", str(tmp_path / "s.toml")), key, "is not allowed: give a finite number")
    scenario = str(ROOT / "scenarios" / "quickstart.toml")
    for command in (["run", scenario, "--headless", "--no-record", "--speed"],
                    ["watch", scenario, "--headless", "--no-record", "--speed"]):
        for value in ("nan", "inf"):
            proc = teamtui(*command, value)  # used to hang forever
            assert proc.returncode == 2 and "not a finite number" in proc.stderr, proc.stderr


def test_nesting_too_deep_for_the_parser_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(HEAD + PACK + "[limits]\nx = " + "[" * 3000 + "]" * 3000 + "\n")
    one_line(teamtui("validate", str(tmp_path / "s.toml")), "nested too deeply")


def test_the_reader_stops_at_the_limit_even_when_the_size_lies(monkeypatch: pytest.MonkeyPatch) -> None:
    from teamtui.core import files

    monkeypatch.setitem(files.LIMITS, "prompt file", 16)
    status = Path("/proc/self/status")  # a regular file that says it is empty and holds more than 16 bytes
    assert status.stat().st_size == 0
    with pytest.raises(files.FileRefused, match="holds more than the limit"):
        files.read_bytes(status, "prompt file")
