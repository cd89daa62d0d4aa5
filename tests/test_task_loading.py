"""Loading tasks: the paper harness's JSON format, inline subtasks, and CLI overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teamtui.core.errors import ScenarioError
from teamtui.core.faults import Kill
from teamtui.scenario.load import load_scenario, with_overrides

PAPER_TASKS = {
    "project": "Tiny Lib",
    "description": "Two chained functions and one independent.",
    "repository": "repo",
    "tasks": [
        {"id": "task-1", "title": "add", "description": "Create add.py", "status": "pending", "owner": None,
         "assigned_by": None, "priority": 1, "dependencies": [], "files": ["add.py"]},
        {"id": "task-2", "title": "safe_add", "description": "Create safe_add.py", "status": "pending",
         "owner": None, "assigned_by": None, "priority": 2, "dependencies": ["task-1"], "files": ["safe_add.py"]},
        {"id": "task-3", "title": "sign", "description": "Create sign.py", "status": "pending", "owner": None,
         "assigned_by": None, "priority": 3, "dependencies": [], "files": ["sign.py"]},
    ],
}


def test_paper_harness_task_json_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "p05.json").write_text(json.dumps(PAPER_TASKS))
    (tmp_path / "s.toml").write_text('[scenario]\nname = "paper"\n[task]\npath = "p05.json"\n')
    s = load_scenario(tmp_path / "s.toml")
    assert [t.id for t in s.task.subtasks] == ["task-1", "task-2", "task-3"]
    assert s.task.by_id["task-2"].depends_on == ("task-1",)
    assert s.task.by_id["task-2"].file == "safe_add.py"
    assert s.task.critical_path_len == 2
    assert s.task.p == pytest.approx(1 / 3)


def test_a_broken_task_json_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"project": "x"}')
    (tmp_path / "s.toml").write_text('[scenario]\nname = "paper"\n[task]\npath = "p.json"\n')
    with pytest.raises(ScenarioError, match=r"task\.path: .*paper harness's format"):
        load_scenario(tmp_path / "s.toml")


def test_overrides_revalidate_and_drop_faults_of_removed_agents(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        '[scenario]\nname = "o"\n[team]\nsize = 4\n[task]\n[[task.subtasks]]\nid = "a"\n'
        '[[faults]]\nat = 1\naction = "kill"\nagent = 4\n[[faults]]\nat = 2\naction = "kill"\nagent = "bob"\n')
    s = load_scenario(tmp_path / "s.toml")
    small = with_overrides(s, size=2, arch="preassigned", seed=9, execution="async")
    assert (small.size, small.architecture, small.seed, small.execution) == (2, "preassigned", 9, "async")
    assert [f.fault for f in small.faults] == [Kill("bob")]
    with pytest.raises(ScenarioError, match=r"team\.architecture"):
        with_overrides(s, arch="nope")
