"""Any records that pass the reader's checks map, summarize, encode and replay without error (hypothesis)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from teamtui.core import events as ev
from teamtui.experiments.paper.events import to_events
from teamtui.experiments.paper.format import RunMeta, fill_agents, harness_stats
from teamtui.experiments.paper.sources import check_record
from teamtui.metrics.summary import summarize
from teamtui.ui.view import LiveView

TYPES = ["run_start", "initialize", "round_start", "agent_reply", "claim_task", "claim_blocked", "lock_attempt",
         "edit_file", "run_tests", "complete_task", "assign_task", "broadcast", "synthesize", "run_end", "other"]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 8), st.integers(), st.floats(),
                   st.sampled_from(["Dev1", "Dev2", "Lead", "", "task-1", "add.py"]),
                   st.lists(st.sampled_from(["Dev1", "Lead", ""]), max_size=3))
FIELDS = ("ts", "round", "agent", "task", "path", "ok", "returncode", "seconds", "n_chars", "agents",
          "num_teammates", "sender", "assigner", "assignee", "message", "reason", "text")
RECORD = st.fixed_dictionaries({"type": st.sampled_from(TYPES)}, optional=dict.fromkeys(FIELDS, VALUES))
TASKS = (ev.TaskSpec("task-1", "add.py", (), 1.0), ev.TaskSpec("task-2", "b.py", ("task-1",), 1.0))


@settings(max_examples=50, deadline=None)
@given(st.lists(RECORD, max_size=25), st.sampled_from([None, True, False]))
def test_any_checked_records_become_a_replayable_run(records: list[dict[str, Any]], success: bool | None) -> None:
    usable = [dict(r) for r in records if not check_record(r)]
    fill_agents(usable)
    meta = RunMeta(key="runs/m_x/amdahl_s_decentralized_20260101_000000/p05/n2_rep0", success=success,
                   wall_clock_seconds=None if success is None else 5.0)
    events = to_events(usable, meta, TASKS)
    assert isinstance(events[0], ev.RunStarted) and isinstance(events[-1], ev.RunFinished)
    assert [e.seq for e in events] == list(range(len(events)))
    assert all(a.t <= b.t for a, b in itertools.pairwise(events))
    summarize(events)
    harness_stats(usable)
    view = LiveView()
    for e in events:
        view.apply(ev.decode(ev.encode(e)))
    assert view.finished is not None
