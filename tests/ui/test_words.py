"""The words the monitor and the headless ticker print: one line per event kind, no Python repr, groups as groups,
counts that agree with their nouns, "not measured" for what was not, and a dead lead still called the lead."""

from __future__ import annotations

import re

import msgspec
import pytest
from textual.widgets import Input, OptionList, RichLog

from teamtui.cli.headless import describe_event, ticker
from teamtui.core import events as ev
from teamtui.core.parts import Incident
from teamtui.core.state import RunState
from teamtui.metrics.summary import metrics_of
from teamtui.metrics.tables import summary_table
from teamtui.ui import render
from teamtui.ui.app import TeamApp
from teamtui.ui.view import LiveView
from teamtui.ui.widgets.panes import AgentPane
from teamtui.ui.words import event_words, incident_text

from .conftest import until
from .test_layout import _run, settle

REPR = re.compile(r"\('|\['|',\)|\{'|=\(|=\[|groups=")
"""What a Python repr of a tuple, list or dict (or the old `key=value` dump) looks like in a line of text."""

START = ev.RunStarted(seq=0, t=0.0, scenario="s", seed=1, architecture="lead", execution="rounds",
                      consistency="locking", model="sim", agents=("ana", "bo", "cy"), roles=("lead", "worker", "worker"),
                      tasks=(ev.TaskSpec("a", "a.py", (), 1.0),))


@pytest.fixture
def faulty() -> list[ev.Event]:
    return list(_run())


def test_partition_groups_read_as_groups_in_the_log_and_the_ticker() -> None:
    e = ev.NetworkPartitioned(seq=5, t=20.0, groups=(("ada", "bob"), ("cy", "dee")))
    assert event_words(e) == "ada,bob | cy,dee"
    assert "ada,bob | cy,dee" in render.event_line(e).plain and "ada,bob,cy,dee" not in render.event_line(e).plain
    assert describe_event(e) == "[   20.0s] NetworkPartitioned ada,bob | cy,dee"
    fault = ev.FaultInjected(seq=4, t=20.0, fault="partition", source="user",
                             params={"seconds": 10.0, "groups": [["ada", "bob"], ["cy", "dee"]]})
    assert event_words(fault) == "partition ada,bob | cy,dee for 10s (user)"


def test_no_event_kind_prints_a_python_repr(faulty: list[ev.Event]) -> None:
    kinds = {type(e) for e in faulty}
    assert {ev.NetworkPartitioned, ev.AgentKilled, ev.AgentDelayed, ev.FaultInjected, ev.RunStarted} <= kinds
    for e in faulty:
        for line in (event_words(e), render.event_line(e).plain, describe_event(e)):
            assert not REPR.search(line), line
    killed = next(e for e in faulty if isinstance(e, ev.AgentKilled))
    held = f"held {','.join(killed.held)}" if killed.held else "held nothing"
    assert describe_event(killed).endswith(f"bob AgentKilled {held}")


def test_every_event_kind_has_words_of_its_own() -> None:
    from teamtui.ui.words import _EVENT_WORDS

    kinds = {cls for cls in vars(ev).values() if isinstance(cls, type) and issubclass(cls, ev.Event)
             and cls is not ev.Event}
    assert kinds - set(_EVENT_WORDS) == set()


def test_incidents_have_no_repr_and_missing_times_read_not_measured(faulty: list[ev.Event]) -> None:
    lines = [incident_text(i) for i in RunState.of(faulty).incident_list()]
    assert any(line.startswith("partition ada,bob | cy,dee for 10s") for line in lines), lines
    assert any(line.startswith("delay dee ×3 for 30s") for line in lines), lines
    assert not [line for line in lines if REPR.search(line)]
    assert incident_text(Incident(1, 1.0, "stall", "bo")) == "bo stalled (silent since not measured)"
    assert incident_text(Incident(1, 1.0, "recovery", "bo", cause="reclaimed", other="kill")) == \
        "bo's work reclaimed after the kill (time not measured)"
    assert "0.0s" not in incident_text(Incident(1, 1.0, "recovery", "bo", cause="resumed"))


def test_fault_parameters_read_as_words() -> None:
    assert ev.params_text({}) == ""
    assert ev.params_text({"seconds": 20.0, "factor": 3.0}) == "×3 for 20s"
    assert ev.params_text({"latency_s": 5}) == "+5s per call"
    assert ev.params_text({"rate": 0.2, "seconds": 4}) == "rate 0.2 for 4s"
    assert ev.params_text({"groups": [["a"], ["b", "c"]]}) == "a | b,c"
    assert ev.params_text({"odd": (1, 2)}) == "odd (1, 2)" or "odd" in ev.params_text({"odd": (1, 2)})


def test_counts_agree_with_their_nouns() -> None:
    one = msgspec.structs.replace(START, agents=("ana",), roles=("worker",))
    view = LiveView()
    view.apply(one)
    head = render.header(view, 1.0, False, 200).plain
    assert "1 agent ·" in head and "1 agents" not in head
    assert "1 agent (ana)" in event_words(one)
    state = RunState.of([START, ev.ClaimConflicted(seq=1, t=1.0, agent="bo", task="a", holder="cy")])
    assert "1 conflict ·" in ticker(state) and "0 recoveries" in ticker(state)
    view = LiveView()
    for e in (START, ev.LLMCallStarted(seq=1, t=0.0, agent="bo", call=1, round=1, model="sim"),
              ev.LLMCallCompleted(seq=2, t=1.0, agent="bo", call=1, round=1, latency=1.0, tokens_in=1, tokens_out=1,
                                  cost_usd=None, text="ok")):
        view.apply(e)
    assert "1 call" in render.agent_title(view, "bo", 2).plain and "1 calls" not in render.agent_title(view, "bo", 2).plain


def test_a_killed_lead_keeps_its_label_and_comes_back_a_worker() -> None:
    events: list[ev.Event] = [
        START,
        ev.FaultInjected(seq=1, t=1.0, agent="ana", fault="kill", source="user"),
        ev.AgentKilled(seq=2, t=1.0, agent="ana", held=()),
        ev.LeaderElected(seq=3, t=5.0, agent="bo", previous="ana"),
    ]
    view = LiveView()
    for e in events:
        view.apply(e)
    assert view.agents["ana"].role == "lead" and view.agents["bo"].role == "lead"
    title = render.agent_title(view, "ana", 1).plain
    assert title.startswith("1 ana lead") and "killed" in title
    view.apply(ev.AgentRestarted(seq=4, t=9.0, agent="ana", incarnation=1))
    assert view.agents["ana"].role == "worker" and view.agents["bo"].role == "lead"


def test_the_summary_says_no_completion_followed_rather_than_n_a() -> None:
    events: list[ev.Event] = [
        START,
        ev.TaskClaimed(seq=1, t=0.5, agent="bo", task="a"),
        ev.FaultInjected(seq=2, t=1.0, agent="bo", fault="kill", source="user"),
        ev.AgentKilled(seq=3, t=1.0, agent="bo", held=("a",)),
        ev.RunFinished(seq=4, t=3.0, status="stranded", reason="nobody left", makespan=3.0, rounds=1, done=0,
                       total=1),
    ]
    from io import StringIO

    from rich.console import Console

    console = Console(width=200, file=StringIO(), record=True)
    console.print(summary_table(metrics_of(RunState.of(events), None, None)))
    text = console.export_text()
    line = next(x for x in text.splitlines() if "fault: kill bo" in x)
    assert "n/a" not in line and "no subtask completed after it" in line and "not all reclaimed" in line


async def test_the_log_shows_groups_and_the_incidents_no_repr_as_drawn(faulty: list[ev.Event]) -> None:
    app = TeamApp(events=faulty)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await until(pilot, lambda: isinstance(app.focused, AgentPane))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"kind:Partitioned")
        await until(pilot, lambda: app.main.w_log.words == ["kind:Partitioned"])
        await pilot.pause()
        lines = [s.text for s in app.query_one("#log", RichLog).lines]
        assert len(lines) == 1 and "NetworkPartitioned   ada,bob | cy,dee" in lines[0], lines
        prompts = [str(o.prompt) for o in app.query_one("#incidents", OptionList).options]
        assert prompts and not [p for p in prompts if REPR.search(p)], prompts
        assert any("partition ada,bob | cy,dee for 10s" in p for p in prompts)
