"""Structure rules as tests (imports deferred, no cycles, one writer, docstrings); ruff, mypy and import-linter run
in `scripts/check`, the test command, not here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """The static checks run in `scripts/check`, outside pytest; CI and the README name one and the same command,
    then the same real-model command and the same extras command."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("Install what the tests need", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    real = readme.split("Then the real-model tests", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    extras = readme.split("And the opt-in integrations' tests", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert ci == [block, real, extras]
    check = (ROOT / "scripts" / "check").read_text()
    assert all(tool in check for tool in ("ruff check", "lint-imports", "mypy", "python -m pytest"))


HEADLESS = ["teamtui.cli", "teamtui.cli.common", "teamtui.cli.run", "teamtui.scenario.load", "teamtui.runtime.engine", "teamtui.launch", "teamtui.cli.headless",
            "teamtui.metrics.summary", "teamtui.llm.sim", "teamtui.faults.nemesis", "teamtui.experiments.sweep",
            "teamtui.experiments.report", "teamtui.llm", "teamtui.llm.cassette", "teamtui.llm.chat",
            "teamtui.cli.runs", "teamtui.cli.experiments", "teamtui.store.recorder", "teamtui.store.recording",
            "teamtui.core.state", "teamtui.ui.view", "teamtui.ui.render", "teamtui.core.aim", "teamtui.core.breakpoints",
            "teamtui.cli.breakstop"]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_imports_neither_textual_nor_litellm(module: str) -> None:
    """The only way to prove a deferral actually defers: import in a fresh interpreter, inspect sys.modules."""
    code = (f"import sys, {module}; bad = [m for m in ('textual', 'litellm') if m in sys.modules]; "
            "print(','.join(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout.strip() == ""


def test_only_the_litellm_backend_mentions_litellm_imports() -> None:
    offenders = []
    for path in (ROOT / "teamtui").rglob("*.py"):
        if path.name == "litellm_backend.py":
            continue
        for line in path.read_text().splitlines():
            s = line.strip()
            if s.startswith(("import litellm", "from litellm")):
                offenders.append(str(path))
    assert offenders == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [str(p.relative_to(ROOT)) for p in (ROOT / "teamtui").rglob("*.py")
               if not p.read_text().lstrip().startswith('"""')]
    assert missing == []


def _import_graph() -> dict[str, set[str]]:
    """Every import between teamtui's modules, function-level and TYPE_CHECKING imports included (grimp)."""
    import grimp

    graph = grimp.build_graph("teamtui", include_external_packages=False)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), i.e. the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_teamtui_packages_or_modules() -> None:
    modules = _import_graph()

    def package(m: str) -> str:
        return ".".join(m.split(".")[:2])

    packages: dict[str, set[str]] = {}
    for m, deps in modules.items():
        packages.setdefault(package(m), set()).update(package(d) for d in deps if package(d) != package(m))
    assert _cycles(packages) == []
    assert _cycles(modules) == []


def test_only_the_store_writer_inserts_runs_and_events() -> None:
    import re

    pattern = re.compile(r"INSERT\b[^\"']*\bINTO\s+(runs|events)\b", re.IGNORECASE)
    writers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "teamtui").rglob("*.py") if pattern.search(p.read_text()))
    assert writers == ["teamtui/store/writer.py"]
