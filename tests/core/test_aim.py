"""Selectors resolved on literal team snapshots: `teamtui.core.aim.resolve` is a pure function."""

from __future__ import annotations

import pytest

from teamtui.core.aim import SELECTORS, Member, resolve, seeded_draw, static_problem

TEAM = (
    Member("ada", "lead", held=(), completed=1, mean_latency=2.0),
    Member("bob", "worker", held=("a", "b"), held_work=1.5, completed=3, mean_latency=1.0),
    Member("cy", "worker", held=("c",), held_work=2.0, completed=3, mean_latency=6.0),
    Member("dee", "worker", alive=False, held=("d",), held_work=9.0, completed=9, mean_latency=20.0),
)


@pytest.mark.parametrize(("target", "holding", "picked", "words"), [
    ("holder", False, "cy", "holds c, the most work (2)"),     # most work, not most subtasks; dead dee is skipped
    ("lead", False, "ada", "is the lead"),
    ("busiest", False, "cy", "completed 3 subtasks"),          # tie with bob on completions: more work held wins
    ("slowest", False, "cy", "6.0s per call"),                 # dee is slower but dead
    ("bob", False, "bob", "named"),
    ("lead", True, "", "no living lead that holds a subtask"),
    ("busiest", True, "cy", "the most"),
    ("ada", True, "", "ada holds no subtask"),
    ("dee", False, "", "dee is dead"),
    ("zed", False, "", "no agent named zed"),
])
def test_resolve_picks_by_role_and_state(target: str, holding: bool, picked: str, words: str) -> None:
    aimed = resolve(target, TEAM, holding=holding)
    assert aimed.agent == picked
    assert words in aimed.why


def test_ties_go_to_the_first_in_team_order() -> None:
    team = [Member("ada", held=("x",), held_work=1.0), Member("bob", held=("y",), held_work=1.0)]
    assert resolve("holder", team).agent == "ada"
    assert resolve("holder", list(reversed(team))).agent == "bob"


def test_nobody_to_pick_says_why() -> None:
    idle = [Member("ada"), Member("bob")]
    assert resolve("holder", idle).agent == ""
    assert "no living agent holds a subtask" in resolve("holder", idle).why
    assert "no lead" in resolve("lead", idle).why
    assert "no living agent" in resolve("random", [Member("ada", alive=False)]).why
    assert "has completed a call" in resolve("slowest", idle).why
    assert resolve("lead", [Member("ada", "lead", alive=False), Member("bob")]).why == "lead: the lead is dead"


def test_random_is_seeded_and_covers_the_living() -> None:
    living = [m for m in TEAM if m.alive]
    picks = [resolve("random", TEAM, draw=seeded_draw(7, n)).agent for n in range(40)]
    assert picks == [resolve("random", TEAM, draw=seeded_draw(7, n)).agent for n in range(40)]  # a rerun: the same
    assert set(picks) == {m.name for m in living}
    assert picks != [resolve("random", TEAM, draw=seeded_draw(8, n)).agent for n in range(40)]
    assert resolve("random", TEAM, holding=True, draw=0.99).agent == "cy"  # only bob and cy hold work


def test_static_problem_only_for_a_lead_the_team_cannot_have() -> None:
    assert "has none" in static_problem("lead", ["peer", "peer"])
    assert static_problem("lead", ["lead", "worker"]) == ""
    assert all(static_problem(s, ["peer"]) == "" for s in SELECTORS if s != "lead")
