"""Hostile model programs, written by a scripted "model" and run by the real sandbox through the engine.

Each program is the solution module of a one-subtask pack whose test imports it, so everything it does
happens while teamtui verifies the subtask. On a machine with the sandbox (Landlock and user namespaces)
none of it reaches outside the workspace, nothing outlives the test run, and no file in the workspace can
make a wrong solution pass. The same programs with the sandbox unavailable never run: the run refuses
to start.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.agent import Claim, Complete, WriteFile
from teamtui.core.clock import VirtualClock, run_virtual
from teamtui.core.errors import RunError
from teamtui.launch import new_engine
from teamtui.llm.base import Completion, LLMRequest
from teamtui.llm.scripted import ScriptedBackend
from teamtui.runtime import sandbox
from tests.conftest import scenario_from

SECRET = "sk-hostile-canary-0123456789abcdef"
PACK_TEST = "import h\n\n\ndef test_answer():\n    assert h.answer() == 42\n"
RIGHT, WRONG = "def answer():\n    return 42\n", "def answer():\n    return 41\n"

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sandbox", "no sandbox"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every hostile program runs twice: in the real sandbox, and where none is available (simulated)."""
    sandbox.probe.cache_clear()
    if request.param == "no sandbox":
        monkeypatch.setenv(sandbox.DISABLE_ENV, "1")
    elif not sandbox.probe().ok:
        pytest.skip(f"no sandbox on this machine: {sandbox.probe().reason}")
    yield request.param
    sandbox.probe.cache_clear()


class Site:
    """A run's surroundings: the pack, a canary file and a run database outside the workspace."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pack = tmp / "pack"
        (self.pack / "tests").mkdir(parents=True)
        (self.pack / "pack.toml").write_text('[pack]\nname = "hostile"\n[variants]\n"0.5" = 1\n[[subtasks]]\n'
                                             'id = "h"\nfile = "h.py"\nspec = "answer() -> 42"\n')
        self.test = self.pack / "tests" / "test_h.py"
        self.test.write_text(PACK_TEST)
        self.outside = tmp / "outside"
        self.outside.mkdir()
        self.canary = self.outside / "canary.txt"
        self.canary.write_text(f"canary {SECRET}\n")
        self.db = tmp / ".teamtui" / "runs.db"
        self.db.parent.mkdir()
        with sqlite3.connect(self.db) as con:
            con.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, status TEXT)")
            con.execute("INSERT INTO runs (status) VALUES ('completed')")
        con.close()
        self.run_dir = tmp / "run"
        self.workspace = self.run_dir / "workspace"

    def fingerprint(self) -> dict[str, str]:
        """Every file outside the workspace that a program might try to change, with a hash of its bytes."""
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.tmp.rglob("*"))
                if p.is_file() and self.run_dir not in p.parents}

    def run(self, files: dict[str, str], *, timeout_s: float = 60, model: str = "openai/hostile",
            verify: str = "model", unsafe: bool = False) -> list[ev.Event]:
        s = scenario_from(f"""
            [scenario]
            name = "hostile"
            [team]
            size = 1
            architecture = "preassigned"
            model = "{model}"
            [team.sim]
            verify = "{verify}"
            [task]
            pack = "{self.pack}"
            [limits]
            max_rounds = 2
            test_timeout_s = {timeout_s}
            unsafe_host_exec = {str(unsafe).lower()}
        """, self.tmp / "hostile.toml")  # the pack lies beside the scenario, as a scenario may name it
        writes = tuple(WriteFile(path, text) for path, text in files.items())

        def handler(req: LLMRequest) -> Completion:
            return Completion("", (Claim("h"), *writes, Complete("h")) if req.call == 0 else ())

        async def main() -> list[ev.Event]:
            engine = new_engine(s, VirtualClock(), backend=ScriptedBackend(handler), workdir=self.run_dir)
            return await engine.run()

        return run_virtual(main())

    def loot(self) -> dict[str, str]:
        data: dict[str, str] = json.loads((self.workspace / "loot.json").read_text())
        return data


def runs_of(events: list[ev.Event]) -> list[ev.TestsRan]:
    return [e for e in events if isinstance(e, ev.TestsRan)]


def survivors(marker: str) -> list[int]:
    """Host processes started by code under test (their environment names the workspace as HOME)."""
    found = []
    needle = f"HOME={marker}".encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                env = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if needle in env.split(b"\0"):
                found.append(int(entry))
    return found


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)  # teamtui's own environment holds a key to steal
    s = Site(tmp_path)
    yield s
    assert survivors(str(s.workspace)) == [], "code under test left processes running"


def expect_refusal(site: Site, files: dict[str, str]) -> None:
    before = site.fingerprint()
    with pytest.raises(RunError) as err:
        site.run(files)
    message = str(err.value)
    assert "\n" not in message and "--unsafe-host-exec" in message and sandbox.DISABLE_ENV in message
    assert not site.workspace.exists() and site.fingerprint() == before


def program(body: str, **values: object) -> str:
    """A solution module: `body` with the given names bound, then `answer()` returning 42."""
    head = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    return "import json, os, sys, time\nHERE = os.path.dirname(os.path.abspath(__file__))\n" + head + \
        textwrap.dedent(body) + "\n\ndef answer():\n    return 42\n"


READS = """
def attempt(path):
    try:
        with open(path, "rb") as fh:
            return "READ " + fh.read(300).decode("latin-1")
    except OSError as exc:
        return "denied " + type(exc).__name__

def listing(path):
    try:
        return "LISTED " + ",".join(sorted(os.listdir(path))[:40])
    except OSError as exc:
        return "denied " + type(exc).__name__

loot = {label: attempt(path) for label, path in TARGETS.items()}
loot.update({"list " + path: listing(path) for path in LISTS})
with open(os.path.join(HERE, "loot.json"), "w") as fh:
    json.dump(loot, fh)
"""


def test_reads_outside_the_allowed_roots_are_refused(site: Site, mode: str) -> None:
    me = os.getpid()
    targets = {"shadow": "/etc/shadow", "canary": str(site.canary), "passwd": "/etc/passwd",
               "teamtui environ": f"/proc/{me}/environ", "teamtui cmdline": f"/proc/{me}/cmdline",
               "teamtui memory": f"/proc/{me}/mem", "init environ": "/proc/1/environ",
               "run database": str(site.db), "the pack's test": str(site.test),
               "teamtui's source": str(Path(sandbox.__file__)), "home": str(Path.home() / ".bashrc")}
    lists = ["/", "/proc", "/etc", str(site.outside), str(site.tmp), str(Path.home())]
    files = {"h.py": program(READS, TARGETS=targets, LISTS=lists)}
    if mode == "no sandbox":
        expect_refusal(site, files)
        return
    events = site.run(files)
    ran = runs_of(events)
    assert [r.passed for r in ran] == [True], ran  # ordinary code still runs and passes
    loot = site.loot()
    assert set(loot) == set(targets) | {f"list {p}" for p in lists}
    leaked = {k: v for k, v in loot.items() if not v.startswith("denied")}
    assert leaked == {}
    assert SECRET not in json.dumps(loot) and SECRET not in "".join(ev.encode(e).decode() for e in events)


WRITES = """
import sqlite3
results = {}

def attempt(label, fn):
    try:
        fn()
        results[label] = "WROTE"
    except Exception as exc:
        results[label] = "denied " + type(exc).__name__

def write(path, text="pwned"):
    with open(path, "w") as fh:
        fh.write(text)

def chdir_and_write(where):
    os.chdir(where)
    write("chdir.txt")

def sql():
    con = sqlite3.connect(DB)
    con.execute("UPDATE runs SET status = 'pwned'")
    con.commit()

attempt("absolute path", lambda: write(os.path.join(OUTSIDE, "abs.txt")))
attempt("dot-dot from the workspace", lambda: write("../dotdot.txt"))
attempt("dot-dot to the canary", lambda: write(os.path.join(HERE, "..", "..", "outside", "canary.txt")))
os.symlink(OUTSIDE, os.path.join(HERE, "link"))
attempt("through a symlink", lambda: write(os.path.join(HERE, "link", "sym.txt")))
os.symlink(CANARY, os.path.join(HERE, "canary-link"))
attempt("through a file symlink", lambda: write(os.path.join(HERE, "canary-link")))
attempt("chdir outside", lambda: chdir_and_write(OUTSIDE))
attempt("chdir /tmp", lambda: chdir_and_write("/tmp"))
os.chdir(HERE)
attempt("run database (sql)", sql)
attempt("run database (truncate)", lambda: os.truncate(DB, 0))
attempt("hard link of the canary", lambda: os.link(CANARY, os.path.join(HERE, "hard")))
attempt("move a file out", lambda: os.rename(os.path.join(HERE, "h.py"), os.path.join(OUTSIDE, "moved.py")))
attempt("the pack's test", lambda: write(PACK_TEST, "def test_answer():\\n    pass\\n"))
attempt("remove the canary", lambda: os.unlink(CANARY))
attempt("make a folder outside", lambda: os.mkdir(os.path.join(OUTSIDE, "d")))
attempt("inside the workspace", lambda: write(os.path.join(HERE, "fine.txt"), "allowed"))
with open(os.path.join(HERE, "loot.json"), "w") as fh:
    json.dump(results, fh)
"""


def test_writes_outside_the_workspace_are_refused(site: Site, mode: str) -> None:
    files = {"h.py": program(WRITES, OUTSIDE=str(site.outside), CANARY=str(site.canary), DB=str(site.db),
                             PACK_TEST=str(site.test))}
    if mode == "no sandbox":
        expect_refusal(site, files)
        return
    before = site.fingerprint()
    events = site.run(files)
    assert [r.passed for r in runs_of(events)] == [True]
    results = site.loot()
    assert results.pop("inside the workspace") == "WROTE"
    assert {k: v for k, v in results.items() if not v.startswith("denied")} == {}
    assert site.fingerprint() == before
    assert sorted(p.name for p in site.outside.iterdir()) == ["canary.txt"]
    assert not (site.run_dir / "dotdot.txt").exists() and not Path("/tmp/chdir.txt").exists()
    assert (site.workspace / "fine.txt").read_text() == "allowed"


FORK_BOMB = """
first = os.getpid()
log = os.path.join(HERE, "forks.log")
open(log, "wb").close()
end = time.monotonic() + 1.5
while time.monotonic() < end and os.path.getsize(log) < 300:  # bounded, should the cap ever fail
    try:
        child = os.fork()
    except OSError:
        time.sleep(0.02)
        continue
    if child == 0:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, b"x")
        os.close(fd)
if os.getpid() != first:  # every child forks too, then waits
    time.sleep(120)
    os._exit(0)
"""


def test_a_fork_bomb_is_capped_and_nothing_outlives_it(site: Site, mode: str) -> None:
    files = {"h.py": program(FORK_BOMB)}
    if mode == "no sandbox":
        expect_refusal(site, files)
        return
    events = site.run(files, timeout_s=30)
    forks = len((site.workspace / "forks.log").read_bytes())
    assert 10 <= forks < sandbox.MAX_PROCESSES, forks
    assert [r.passed for r in runs_of(events)] == [True]  # the bomb's parent went on and passed


DAEMON = """
import subprocess
beat = os.path.join(HERE, "heartbeat")
code = f'''
import os, time
if os.fork():
    os._exit(0)
os.setsid()
for fd in range(256):
    try:
        os.close(fd)
    except OSError:
        pass
while True:
    for path in ({beat!r}, {ESCAPE!r}):
        try:
            with open(path, "a") as fh:
                fh.write("x")
        except OSError:
            pass
    time.sleep(0.05)
'''
subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], start_new_session=True)  # holds stdout
while not os.path.exists(beat):
    time.sleep(0.02)
if HANG:
    time.sleep(3600)
"""


@pytest.mark.parametrize("hang", [False, True], ids=["test passes", "test hangs"])
def test_a_setsid_daemon_dies_with_the_test_run_and_the_time_out_holds(site: Site, mode: str, hang: bool) -> None:
    escape = site.outside / "daemon.txt"
    files = {"h.py": program(DAEMON, ESCAPE=str(escape), HANG=hang)}
    if mode == "no sandbox":
        expect_refusal(site, files)
        return
    timeout = 3.0
    sandbox.probe()  # found once per process: not part of the run's time
    start = time.monotonic()
    events = site.run(files, timeout_s=timeout if hang else 60)
    took = time.monotonic() - start
    ran = runs_of(events)
    if hang:
        assert [(r.passed, r.exit_code) for r in ran] == [(False, 124)] and "timed out" in ran[0].output
        assert took < timeout + 2, took
    else:
        assert [r.passed for r in ran] == [True]
        assert took < 30, took  # a daemon holding the test's stdout does not hold up the run
    beat = site.workspace / "heartbeat"
    size = beat.stat().st_size
    time.sleep(0.3)
    assert beat.stat().st_size == size, "the daemon is still writing"
    assert not escape.exists()


GAMES = {
    "sitecustomize.py": "import atexit, os\natexit.register(lambda: os._exit(0))\n",
    "usercustomize.py": "import atexit, os\natexit.register(lambda: os._exit(0))\n",
    "conftest.py": textwrap.dedent("""
        import pytest

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            outcome.get_result().outcome = "passed"
    """),
    "pytest.py": "import sys\nprint('1 passed')\nsys.exit(0)\n",
    "pytest.ini": "[pytest]\naddopts = --collect-only\n",
    "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--co'\n",
}


@pytest.mark.parametrize("trick", [*GAMES, "os._exit(0)", "skip"])
def test_files_in_the_workspace_cannot_make_a_wrong_solution_pass(site: Site, mode: str, trick: str) -> None:
    if trick == "os._exit(0)":
        files = {"h.py": "import os\nos._exit(0)\n"}
    elif trick == "skip":
        files = {"h.py": "import pytest\npytest.skip('nothing to see', allow_module_level=True)\n"}
    else:
        files = {trick: GAMES[trick], "h.py": WRONG}
    if mode == "no sandbox":
        expect_refusal(site, files)
        return
    events = site.run(files)
    ran = runs_of(events)
    assert len(ran) == 1 and not ran[0].passed, ran
    assert any(isinstance(e, ev.CompletionRejected) and e.reason == "tests fail" for e in events)


def test_on_the_host_by_consent_the_run_says_so_and_verification_still_holds(site: Site,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.DISABLE_ENV, "1")
    sandbox.probe.cache_clear()
    try:
        events = site.run({"conftest.py": GAMES["conftest.py"], "pytest.py": GAMES["pytest.py"], "h.py": WRONG},
                          unsafe=True)
        start = events[0]
        assert isinstance(start, ev.RunStarted) and start.sandbox == sandbox.HOST_UNSAFE.name
        assert [r.passed for r in runs_of(events)] == [False]
        assert [r.passed for r in runs_of(site.run({"h.py": RIGHT}, unsafe=True))] == [True]
    finally:
        sandbox.probe.cache_clear()


def test_the_sim_runs_its_reference_code_on_the_host_where_there_is_no_sandbox_and_says_so(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.DISABLE_ENV, "1")
    sandbox.probe.cache_clear()
    try:
        events = site.run({}, model="sim", verify="tests")
    finally:
        sandbox.probe.cache_clear()
    start = events[0]
    assert isinstance(start, ev.RunStarted) and start.sandbox == sandbox.HOST_SIM.name
    assert runs_of(events), "the sim ran no tests"


def test_a_sandboxed_run_names_its_sandbox_and_a_run_without_code_names_none(site: Site) -> None:
    found = sandbox.probe()
    if not found.ok:
        pytest.skip(found.reason)
    start = site.run({"h.py": RIGHT})[0]
    assert isinstance(start, ev.RunStarted) and start.sandbox == found.name and "landlock" in found.name
    start = site.run({}, model="sim")[0]
    assert isinstance(start, ev.RunStarted) and start.sandbox == ""


def real_scenario(tmp_path: Path, site: Site) -> Path:
    """A one-agent scenario with a real model (its key in TEAMTUI_TEST_KEY) on the site's pack."""
    scenario = tmp_path / "real.toml"
    scenario.write_text(textwrap.dedent(f"""
        [scenario]
        name = "real"
        [team]
        size = 1
        model = "openai/gpt-4o-mini"
        api_key_env = "TEAMTUI_TEST_KEY"
        [task]
        pack = "{site.pack}"
    """))
    return scenario


def test_the_cli_refuses_a_real_model_run_in_one_line(site: Site, tmp_path: Path) -> None:
    import subprocess

    from tests.conftest import ROOT

    scenario = real_scenario(tmp_path, site)
    env = {"PATH": "/usr/bin:/bin", "CI": "true", "TEAMTUI_TEST_KEY": "sk-x", sandbox.DISABLE_ENV: "1"}
    proc = subprocess.run([sys.executable, "-m", "teamtui", "run", str(scenario), "--headless", "--no-record"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--unsafe-host-exec" in lines[0], proc.stderr


TEAMTUI_STAND_IN = """
import sys
from pathlib import Path
from teamtui.runtime.workspace import Workspace
from teamtui.scenario.spec import TestLimits
ws = Workspace(Path(sys.argv[1]))
(ws.root / "h.py").write_text(sys.argv[3])
ws.run_pytest(Path(sys.argv[2]), TestLimits(timeout_s=120))
"""


def test_when_teamtui_is_killed_mid_test_nothing_it_started_lives_on(site: Site) -> None:
    import subprocess

    if not sandbox.probe().ok:
        pytest.skip(sandbox.probe().reason)
    escape = site.outside / "daemon.txt"
    teamtui = subprocess.Popen([sys.executable, "-c", TEAMTUI_STAND_IN, str(site.workspace), str(site.test),
                                program(DAEMON, ESCAPE=str(escape), HANG=True)])
    beat = site.workspace / "heartbeat"
    deadline = time.monotonic() + 60
    while not beat.exists() and teamtui.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert beat.exists(), "the daemon never started"
    teamtui.kill()
    teamtui.wait()
    deadline = time.monotonic() + 5
    while survivors(str(site.workspace)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert survivors(str(site.workspace)) == []
    size = beat.stat().st_size
    time.sleep(0.3)
    assert beat.stat().st_size == size and not escape.exists()


def test_unsafe_host_exec_on_the_command_line_lets_the_run_start(site: Site, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from teamtui.cli.common import load

    scenario = real_scenario(tmp_path, site)
    # the key check would import litellm into this worker, whose first use then warns (an error here)
    monkeypatch.setattr("teamtui.llm.preflight", lambda scenario: None)
    monkeypatch.setenv(sandbox.DISABLE_ENV, "1")
    sandbox.probe.cache_clear()
    try:
        with pytest.raises(RunError, match="--unsafe-host-exec"):
            load(scenario, None, None, None, None, None)
        assert load(scenario, None, None, None, None, None, unsafe_host_exec=True).unsafe_host_exec
    finally:
        sandbox.probe.cache_clear()
