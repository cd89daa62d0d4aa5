"""The shipped task packs: shape, p of each variant, references pass their tests, broken files fail them,
and a real `verify = "tests"` run of the engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.scenario.load import load_scenario
from teamtui.scenario.tasks import TaskGraph, find_pack, load_pack

from .conftest import ROOT, run_engine, scenario_from

PACKS = ["math_utils", "data_analysis", "svg_render"]
VARIANTS = {0.2: 16, 0.5: 10, 0.9: 2}


def materialise(graph: TaskGraph, into: Path, broken: bool = False) -> None:
    """Lay the variant's reference files out flat, as a team that got everything right would."""
    for st in graph.subtasks:
        assert st.reference is not None, f"{st.id} has no reference solution"
        code = st.reference.read_text(encoding="utf-8")
        if broken:
            code += f"\n\ndef {st.symbol}(*args, **kwargs):\n    return None\n"
        (into / st.file).write_text(code, encoding="utf-8")


def pytest_in(workdir: Path, tests: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "SYSTEMROOT")}
    env.update(PYTHONPATH=str(workdir), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--rootdir", str(workdir), str(tests)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("name", PACKS)
def test_pack_shape_and_the_papers_p(name: str) -> None:
    path = find_pack(name)
    for p, chain in VARIANTS.items():
        g = load_pack(path, p)
        assert len(g.subtasks) == 20
        assert len({st.file for st in g.subtasks}) == 20
        assert g.critical_path_len == chain
        assert g.p == pytest.approx(p)
        chained = [st.id for st in g.subtasks if st.depends_on]
        assert chained == [st.id for st in g.subtasks[1:chain]]
        for st in g.subtasks:
            assert st.spec and st.title and st.symbol, st.id
            assert st.tests is not None and st.tests.is_file(), st.id
            assert 0.5 <= st.work <= 2.0, st.id
            stem = Path(st.file).stem
            assert stem not in sys.stdlib_module_names, f"{st.file} would shadow the standard library"
        for st in g.subtasks[1:chain]:
            assert st.reference is not None and "chained" in st.reference.parts
            prev = g.by_id[st.depends_on[0]]
            assert re.search(rf"^from {Path(prev.file).stem} import ", st.reference.read_text(), re.M), st.id


@pytest.mark.slow
@pytest.mark.parametrize("p", sorted(VARIANTS))
@pytest.mark.parametrize("name", PACKS)
def test_the_reference_solutions_pass_every_test(name: str, p: float, tmp_path: Path) -> None:
    path = find_pack(name)
    materialise(load_pack(path, p), tmp_path)
    proc = pytest_in(tmp_path, path / "tests")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"\d+ passed", proc.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("name", PACKS)
def test_a_broken_file_fails_its_own_tests(name: str, tmp_path: Path) -> None:
    path = find_pack(name)
    g = load_pack(path, 0.9)  # standalone files: each failure is the subtask's own
    materialise(g, tmp_path, broken=True)
    proc = pytest_in(tmp_path, path / "tests")
    failed = set(re.findall(r"^FAILED \S*?test_(\w+)\.py::", proc.stdout, re.M))
    assert failed == {st.id for st in g.subtasks}, proc.stdout[-3000:]


@pytest.mark.slow
def test_verify_tests_runs_the_real_tests_and_buggy_code_is_reworked() -> None:
    s = scenario_from("""
        [scenario]
        name = "real tests"
        seed = 5
        [team]
        size = 3
        architecture = "decentralized"
        [team.sim]
        bug_rate = 0.3
        verify = "tests"
        [task]
        pack = "math_utils"
        p = 0.9
        [limits]
        max_rounds = 120
    """)
    _, events = run_engine(s)
    end = events[-1]
    assert isinstance(end, ev.RunFinished) and end.status == "completed", end
    ran = [e for e in events if isinstance(e, ev.TestsRan)]
    assert len({e.task for e in ran if e.passed}) == 20
    failed = {e.task for e in ran if not e.passed}
    assert failed, "a 30% bug rate produced no failing test run"
    # every subtask whose real tests failed was written again and then passed
    assert all(any(e.passed for e in ran if e.task == t) for t in failed)


def test_every_shipped_scenario_loads() -> None:
    shipped = sorted((ROOT / "scenarios").rglob("*.toml"))
    shipped = [p for p in shipped if "tasks" not in p.relative_to(ROOT / "scenarios").parts]
    assert len(shipped) >= 12
    for p in shipped:
        s = load_scenario(p)
        assert s.task.pack in PACKS, p
