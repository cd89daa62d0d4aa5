"""Fault classes: what `[[faults]]` resolves into, what `FaultInjected` records of each, and stray settings."""

from __future__ import annotations

import tomllib
import typing

import pytest

from teamtui.core import events as ev
from teamtui.core.errors import ScenarioError
from teamtui.core.faults import (
    FAULTS,
    Delay,
    Drop,
    Duplicate,
    Heal,
    Kill,
    Partition,
    Restart,
    Resume,
    Scheduled,
    SlowNetwork,
    Stall,
    Undelay,
)
from teamtui.scenario.load import with_overrides
from teamtui.scenario.model import FaultDef
from teamtui.scenario.tomlw import dumps

from ..conftest import CHAIN5, run_engine, scenario_from

EVERY_FAULT = """
[[faults]]
at = 1
action = "kill"
agent = 2
[[faults]]
at = 2
action = "restart"
agent = "bob"
[[faults]]
at = 3
action = "delay"
agent = "cy"
factor = 4
seconds = 20
[[faults]]
at = 3.5
action = "delay"
agent = "ada"
latency_s = 2
[[faults]]
round = 2
action = "stall"
agent = "cy"
seconds = 5
[[faults]]
at = 4
action = "resume"
agent = "cy"
[[faults]]
at = 5
action = "partition"
agent = "ada"
seconds = 3
[[faults]]
at = 6
action = "partition"
groups = [["ada", 2], ["cy"]]
[[faults]]
at = 7
action = "heal"
[[faults]]
at = 8
action = "drop"
rate = 0.25
seconds = 9
[[faults]]
at = 9
action = "duplicate"
rate = 0.5
[[faults]]
at = 10
action = "slow_network"
latency_s = 1.5
seconds = 4
"""

HEAD = '[scenario]\nname = "f"\n[team]\nsize = 3\narchitecture = "decentralized"\n' + CHAIN5


def test_every_fault_entry_resolves_to_its_class_and_schedule() -> None:
    s = scenario_from(HEAD + EVERY_FAULT)
    assert s.faults == (
        Scheduled(Kill("bob"), at=1.0), Scheduled(Restart("bob"), at=2.0),
        Scheduled(Delay("cy", factor=4.0, seconds=20.0), at=3.0), Scheduled(Delay("ada", latency_s=2.0), at=3.5),
        Scheduled(Stall("cy", seconds=5.0), round=2), Scheduled(Resume("cy"), at=4.0),
        Scheduled(Partition(seconds=3.0, agent="ada"), at=5.0),
        Scheduled(Partition((("ada", "bob"), ("cy",))), at=6.0), Scheduled(Heal(), at=7.0),
        Scheduled(Drop(0.25, seconds=9.0), at=8.0), Scheduled(Duplicate(0.5), at=9.0),
        Scheduled(SlowNetwork(1.5, seconds=4.0), at=10.0),
    )
    again = with_overrides(s, seed=4)  # a rerun goes through the TOML written anew
    assert again.faults == s.faults and again.text != s.text
    assert scenario_from(dumps(tomllib.loads(s.text))).faults == s.faults


def test_fault_injected_records_the_action_target_and_given_settings_in_a_fixed_order() -> None:
    s = scenario_from(HEAD + EVERY_FAULT)
    _, events = run_engine(s)
    recorded = [(e.fault, e.agent, list(e.params.items())) for e in events if isinstance(e, ev.FaultInjected)]
    assert sorted(recorded, key=repr) == sorted(((f.fault.action, f.fault.target, list(f.fault.params.items()))
                                                 for f in s.faults), key=repr)
    assert [(f.fault.action, f.fault.target, f.fault.params) for f in s.faults] == [
        ("kill", "bob", {}), ("restart", "bob", {}), ("delay", "cy", {"seconds": 20.0, "factor": 4.0}),
        ("delay", "ada", {"latency_s": 2.0}), ("stall", "cy", {"seconds": 5.0}), ("resume", "cy", {}),
        ("partition", "ada", {"seconds": 3.0}), ("partition", "", {"groups": [["ada", "bob"], ["cy"]]}),
        ("heal", "", {}), ("drop", "", {"seconds": 9.0, "rate": 0.25}), ("duplicate", "", {"rate": 0.5}),
        ("slow_network", "", {"seconds": 4.0, "latency_s": 1.5}),
    ]
    assert list(Delay("x", factor=2.0, seconds=1.0, latency_s=3.0).params) == ["seconds", "factor", "latency_s"]


def test_the_file_format_and_the_classes_name_the_same_actions() -> None:
    literal = typing.get_args(FaultDef.model_fields["action"].annotation)
    assert sorted(literal) == sorted(FAULTS)
    assert all(cls.action == name for name, cls in FAULTS.items())


@pytest.mark.parametrize(("entry", "message"), [
    ('action = "kill"\nagent = 1\nseconds = 5', "kill does not take seconds; remove it (kill takes agent)"),
    ('action = "heal"\nagent = "ada"', "heal does not take agent; remove it (heal takes only at or round)"),
    ('action = "stall"\nagent = 1\nfactor = 2\nrate = 0.5',
     "stall does not take factor or rate; remove it (stall takes agent, seconds)"),
    ('action = "drop"\nrate = 0.1\nlatency_s = 1', "drop does not take latency_s; remove it (drop takes rate, seconds)"),
])
def test_a_setting_the_action_does_not_take_is_refused(entry: str, message: str) -> None:
    with pytest.raises(ScenarioError, match="faults") as err:
        scenario_from(HEAD + f"[[faults]]\nat = 1\n{entry}\n")
    assert message in str(err.value)


def test_undelay_in_a_file_ends_the_delay_at_its_time() -> None:
    s = scenario_from(HEAD + '[[faults]]\nat = 1\naction = "delay"\nagent = "cy"\nfactor = 5\n'
                      '[[faults]]\nat = 4\naction = "undelay"\nagent = "cy"\n'
                      '[[faults]]\nat = 5\naction = "undelay"\nagent = "bob"\n')
    assert [f.fault for f in s.faults] == [Delay("cy", factor=5.0), Undelay("cy"), Undelay("bob")]
    _, events = run_engine(s)
    ended = [e for e in events if isinstance(e, ev.AgentDelayEnded)]
    assert [(e.agent, e.t) for e in ended] == [("cy", 4.0)]  # bob had no delay: recorded, nothing ends
    assert [e.fault for e in events if isinstance(e, ev.FaultInjected)] == ["delay", "undelay", "undelay"]
