"""Model-written code is contained: paths that leave the workspace are refused, test runs are limited and sandboxed.

The hostile programs that try to break out of the sandbox are in test_hostile_code.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.agent import ReadFile, WriteFile
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.scripted import ScriptedBackend
from teamtui.runtime.workspace import PathRefused, Workspace
from teamtui.scenario.spec import TestLimits
from tests.conftest import run_engine, solo_scenario

ESCAPES = ["../evil.py", "../../etc/passwd", "/etc/passwd", "/tmp/x.py", "a/../../x.py", "..", "./../x",
           "a/b/../../../x", "~/x.py", "C:\\x.py", "..\\x.py", "a\\..\\..\\x", "x\x00.py", "",
           "link/x.py", "link", "inner/../link/y.py", "dirlink/z.py"]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "ws" / "inner").mkdir()
    os.symlink(outside, tmp_path / "ws" / "link")
    os.symlink(tmp_path / "ws" / "inner", tmp_path / "ws" / "dirlink")  # a link that stays inside: refused too
    return w


@pytest.mark.parametrize("path", ESCAPES)
def test_paths_that_leave_the_workspace_are_refused(ws: Workspace, path: str) -> None:
    with pytest.raises(PathRefused):
        ws.resolve(path)


def test_plain_relative_paths_are_accepted(ws: Workspace) -> None:
    assert ws.resolve("pkg/mod.py")[0] == "pkg/mod.py"
    assert ws.resolve("inner/x.py")[0] == "inner/x.py"


@pytest.mark.parametrize("swap", ["file", "folder"])
def test_a_link_put_in_place_after_the_path_was_accepted_is_not_followed(ws: Workspace, tmp_path: Path,
                                                                         swap: str) -> None:
    """Test code could replace a written file (or a folder on its way) with a link out of the workspace;
    the next write or read through the remembered path must not follow it."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.write_text("outside")
    rel, real = ws.resolve("pkg/mod.py")
    ws.write(rel, real, "v1", "ada", "a", True)
    if swap == "file":
        real.unlink()
        os.symlink(secret, real)
    else:
        (real.parent / "mod.py").unlink()
        real.parent.rmdir()
        os.symlink(tmp_path / "outside", real.parent)
        os.symlink(secret, tmp_path / "outside" / "mod.py")
    with pytest.raises(OSError):
        ws.write(rel, real, "pwned", "ada", "a", True)
    with pytest.raises(OSError):
        ws.read(rel, real)
    assert secret.read_text() == "outside"


def test_an_agent_writing_or_reading_outside_gets_an_event_and_feedback_and_nothing_is_written(
        tmp_path: Path) -> None:
    s = solo_scenario("escape", 3)
    target = tmp_path / "pwned.py"
    attempts = [WriteFile(str(target), "x"), WriteFile("../../pwned.py", "x"), ReadFile("/etc/passwd"),
                ReadFile("../secret")]
    seen: list[tuple[str, ...]] = []

    def handler(req: LLMRequest) -> Completion:
        seen.append(req.observation.feedback)
        return Completion("", tuple(attempts) if req.call == 0 else ())

    _, events = run_engine(s, ScriptedBackend(handler))
    refused = [e for e in events if isinstance(e, ev.ActionRejected)]
    assert len(refused) == 4 and all("workspace" in e.reason for e in refused)
    assert not target.exists()
    assert len(seen[1]) == 4 and all("refused" in line for line in seen[1])


def _workspace_with_test(tmp_path: Path, body: str) -> tuple[Workspace, Path]:
    ws = Workspace(tmp_path / "ws")
    test = tmp_path / "tests" / "test_x.py"
    test.parent.mkdir()
    test.write_text(body)
    return ws, test


def test_test_code_has_no_network_not_even_loopback(tmp_path: Path) -> None:
    import socket

    from teamtui.runtime.sandbox import no_network_prefix, probe

    if not probe().ok and not no_network_prefix():
        pytest.skip("this system has neither the sandbox nor a network namespace for test code (unshare -rn)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        server.settimeout(0.5)
        ws, test = _workspace_with_test(tmp_path, (
            "import socket\n"
            "def test_phone_home():\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"))
        code, out = ws.run_pytest(test, TestLimits(timeout_s=60))
        assert code == 1, out  # the connection failed inside the sandbox
        with pytest.raises(TimeoutError):
            server.accept()  # and nothing reached the server


def test_a_test_that_loops_forever_is_stopped(tmp_path: Path) -> None:
    ws, test = _workspace_with_test(tmp_path, "def test_spin():\n    while True:\n        pass\n")
    code, out = ws.run_pytest(test, TestLimits(timeout_s=1.5))
    assert code in (124, 137) and ("timed out" in out or "CPU" in out)


def test_a_test_that_sleeps_forever_is_stopped_with_its_children(tmp_path: Path) -> None:
    ws, test = _workspace_with_test(tmp_path, (
        "import subprocess, sys, time\n"
        "def test_hang():\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "    time.sleep(600)\n"))
    code, out = ws.run_pytest(test, TestLimits(timeout_s=1.5))
    assert code == 124 and "timed out" in out


def test_a_test_that_allocates_without_bound_is_stopped(tmp_path: Path) -> None:
    ws, test = _workspace_with_test(tmp_path, (
        "def test_eat():\n"
        "    hog = []\n"
        "    while True:\n"
        "        hog.append(bytearray(50 * 1024 * 1024))\n"))
    code, out = ws.run_pytest(test, TestLimits(timeout_s=60, memory_mb=400))
    assert (code != 0 and "memory" in out.lower()) or "MemoryError" in out


def test_test_runs_see_no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-be-seen-1234")
    monkeypatch.setenv("SOME_OTHER_VAR", "visible?")
    ws, test = _workspace_with_test(tmp_path, (
        "import os\n"
        "def test_env():\n"
        "    assert not any('sk-should' in v for v in os.environ.values())\n"
        "    assert 'SOME_OTHER_VAR' not in os.environ\n"))
    code, out = ws.run_pytest(test, TestLimits(timeout_s=60))
    assert code == 0, out


def test_a_file_read_is_an_event_and_its_content_comes_with_the_next_turn() -> None:
    s = solo_scenario("read", 3)
    seen: list[tuple[tuple[str, int, str], ...]] = []

    def handler(req: LLMRequest) -> Completion:
        seen.append(req.observation.reads)
        if req.call == 0:
            return Completion("", (WriteFile("notes/x.txt", "hello"), ReadFile("notes/x.txt")))
        return Completion("", ())

    _, events = run_engine(s, ScriptedBackend(handler))
    reads = [e for e in events if isinstance(e, ev.FileRead)]
    assert [(e.agent, e.path, e.version, e.size) for e in reads] == [("ada", "notes/x.txt", 1, 5)]
    assert seen[1] == (("notes/x.txt", 1, "hello"),) and seen[2] == ()


def test_writes_the_filesystem_refuses_are_refused_actions_not_crashes() -> None:
    s = solo_scenario("clash", 2)
    bad = (WriteFile("pkg", "a file"), WriteFile("pkg/mod.py", "under a file"), WriteFile("d/x.py", "ok"),
           WriteFile("d", "over a directory"), WriteFile("e.py", "bad \udcff surrogate"))

    def handler(req: LLMRequest) -> Completion:
        return Completion("", bad if req.call == 0 else ())

    _, events = run_engine(s, ScriptedBackend(handler))
    assert [e.path for e in events if isinstance(e, ev.FileWritten)] == ["pkg", "d/x.py"]
    assert len([e for e in events if isinstance(e, ev.ActionRejected) and "cannot write" in e.reason]) == 3
    assert isinstance(events[-1], ev.RunFinished) and events[-1].status == "round_limit"



def _world_readable(path: Path) -> bool:
    return all(p.stat().st_mode & 0o005 == 0o005 for p in path.parents) and path.stat().st_mode & 0o004 != 0


def test_the_sandbox_works_for_an_ordinary_user_too() -> None:
    """As root, teamtui maps `nobody` (running the code) and root (owning the workspace) into the sandbox's
    user namespace; an ordinary user may map only itself. This runs the launcher as `nobody`."""
    import json
    import shutil
    import subprocess
    import tempfile

    from teamtui.runtime import jail, landlock, sandbox
    from tests.llm.jail_as_user import READ, READ_WRITE_FILE

    assert (READ, READ_WRITE_FILE) == (landlock.READ, landlock.READ_FILE | landlock.WRITE_FILE)
    python, driver = Path("/usr/bin/python3"), Path(__file__).with_name("jail_as_user.py")
    if os.geteuid() != 0 or not python.exists() or not sandbox.probe().ok:
        pytest.skip("needs root (to become nobody), /usr/bin/python3 and the sandbox")
    if not all(_world_readable(Path(jail.__file__).with_name(n)) for n in ("jail.py", "landlock.py", "__init__.py")):
        pytest.skip("the checkout is not readable by other users")
    home = Path(tempfile.mkdtemp(prefix="teamtui-nobody-"))
    try:
        (home / "secret.txt").write_text("beside the workspace")
        (home / "secret.txt").chmod(0o644)
        shutil.copy(driver, home / "driver.py")
        os.chown(home, 65534, 65534)
        home.chmod(0o755)
        proc = subprocess.run([str(python), "-I", str(home / "driver.py"), str(home), jail.__file__],
                              capture_output=True, text=True, timeout=60, user=65534, group=65534, extra_groups=[],
                              cwd="/", check=False)
        code, _, body = proc.stdout.partition("\n")
        assert code == "0", proc.stdout + proc.stderr
        out = json.loads(body.strip().splitlines()[0])
        assert out["shadow"] == out["beside the workspace"] == "denied"
        assert out["uid inside"] == 0 and 5 <= out["forks"] < 16, out
        assert (home / "ws" / "inside.txt").owner() == "nobody"
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_a_failed_run_is_summed_up_the_same_every_time(tmp_path: Path) -> None:
    """Each test run has a private folder of its own; nothing of its random name reaches the summary (so the
    event log of a seed stays the same byte for byte)."""
    ws, test = _workspace_with_test(tmp_path, "import os\n\ndef test_x():\n    assert os.getcwd() == 'elsewhere'\n")
    first = ws.run_pytest(test, TestLimits(timeout_s=60))
    assert first == ws.run_pytest(test, TestLimits(timeout_s=60))
    assert first[0] == 1 and "FAILED test_x.py::test_x" in first[1] and str(ws.root) in first[1], first


@pytest.mark.parametrize(("platform", "abi", "why"), [
    ("darwin", 7, "needs Linux"),
    ("linux", 0, "offers no Landlock"),
    ("linux", 2, "cannot refuse truncate()"),
])
def test_a_machine_without_the_sandbox_says_why_and_real_models_refuse_to_start(
        monkeypatch: pytest.MonkeyPatch, platform: str, abi: int, why: str) -> None:
    from teamtui.core.errors import RunError
    from teamtui.runtime import jail, landlock, sandbox

    assert sandbox.TIMEOUT == jail.TIMEOUT and Path(jail.__file__) == sandbox.JAIL
    monkeypatch.setattr(sandbox.sys, "platform", platform)
    monkeypatch.setattr(landlock, "abi", lambda: abi)
    sandbox.probe.cache_clear()
    try:
        found = sandbox.probe()
        assert not found.ok and why in found.reason
        with pytest.raises(RunError, match="--unsafe-host-exec"):
            sandbox.for_run(True, True, False)
        assert sandbox.for_run(True, True, True) == sandbox.HOST_UNSAFE
        assert sandbox.for_run(True, False, False) == sandbox.HOST_SIM
        assert sandbox.for_run(False, True, False) is None
    finally:
        sandbox.probe.cache_clear()


def test_a_fifo_test_code_put_where_a_file_was_is_refused_not_waited_on(ws: Workspace) -> None:
    rel, real = ws.resolve("pkg/mod.py")
    ws.write(rel, real, "v1", "ada", "a", True)
    real.unlink()
    os.mkfifo(real)  # what test code may leave in the workspace: opening it would wait for a writer
    with pytest.raises(OSError):
        ws.read(rel, real)
    with pytest.raises(OSError):
        ws.write(rel, real, "v2", "ada", "a", True)


def test_a_folder_hidden_in_a_read_root_stays_unreadable_and_its_neighbours_do_not(tmp_path: Path) -> None:
    """How teamtui's own package (with the packs' reference solutions) is kept from code under test when it
    is installed in site-packages, a read root: Landlock only grants, so the root is granted around it."""
    import sys

    from teamtui.runtime import landlock, roots, sandbox

    root = tmp_path / "root"
    secret = root / "a" / "secret"
    secret.mkdir(parents=True)
    (root / "b").mkdir()
    for path, text in ((secret / "x", "hidden"), (root / "a" / "y", "visible"), (root / "b" / "z", "visible")):
        path.write_text(text)
    os.symlink(secret, root / "link")
    granted = dict(roots.rules((str(root),), (str(secret),)))
    assert granted == {str(root): landlock.READ_DIR, str(root / "a" / "y"): landlock.READ,
                       str(root / "b"): landlock.READ}
    if not sandbox.probe().ok:
        pytest.skip(sandbox.probe().reason)
    code = ("import sys\nfor p in sys.argv[1:]:\n    try:\n        print(open(p).read())\n"
            "    except OSError as e:\n        print('denied')\n")
    files = [secret / "x", root / "link" / "x", root / "a" / "y", root / "b" / "z"]
    out = tmp_path / "out"
    with open(out, "wb") as fh:
        status = sandbox.execute([sys.executable, "-I", "-S", "-c", code, *map(str, files)], cwd=tmp_path, env={},
                                 read=(str(root),), write=(), limits=TestLimits(timeout_s=30), out_fd=fh.fileno(),
                                 confined=True, hidden=(str(secret),))
    assert status == 0 and out.read_text().split() == ["denied", "denied", "visible", "visible"]


def test_teamtuis_own_package_is_never_readable_by_code_under_test() -> None:
    from teamtui.runtime import roots

    for path, _ in roots.base_rules():
        assert not os.path.realpath(path).startswith(roots.TEAMTUI + "/") and os.path.realpath(path) != roots.TEAMTUI
