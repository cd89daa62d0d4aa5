"""Properties of the one reducer on random valid histories (hypothesis): the monitor's panel at the end of a run
says what the summary says, the incremental figures equal the whole-list definitions (tests/metrics/oracle.py),
and a snapshot restored anywhere then folded on is the state folded straight through."""

from __future__ import annotations

import io
import math
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.metrics import text
from teamtui.metrics.summary import RunMetrics, metrics_of, summarize
from teamtui.metrics.tables import summary_table
from teamtui.ui import render
from teamtui.ui.view import LiveView
from tests.metrics import oracle

from .histories import histories

T1 = st.one_of(st.none(), st.floats(0.5, 500.0))


def plain(renderable: object) -> str:
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def close(a: float | None, b: float | None) -> bool:
    return a is b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))


@settings(max_examples=150, deadline=None)
@given(histories(), T1)
def test_the_panel_at_the_end_says_what_the_summary_says(events: list[ev.Event], t1: float | None) -> None:
    view = LiveView()
    for e in events:
        view.apply(e)
    view.baseline_makespan = t1
    m: RunMetrics = metrics_of(RunState.of(events), t1)
    assert summarize(events) == metrics_of(RunState.of(events))
    st_ = view.state
    assert st_.idle_fraction() == m.idle_fraction and st_.idle_by_agent() == m.idle_by_agent
    assert st_.straggler_gap() == m.paper.straggler_gap
    sp, estimated = view.t1()
    assert st_.speedup_estimate(sp) == m.speedup and not estimated
    assert [(r.held, r.reclaim_s, r.next_completion_s) for r in st_.recoveries] == [
        (r.held, r.reclaim_s, r.next_completion_s) for r in m.recoveries]
    assert st_.matrix == m.message_matrix
    assert (st_.conflicts, st_.claim_conflicts, st_.write_conflicts, st_.lock_denied) == (
        m.claim_conflicts + m.write_conflicts + m.lock_denied, m.claim_conflicts, m.write_conflicts, m.lock_denied)
    panel, summary = plain(render.metrics(view, 44)), plain(summary_table(m))
    for figure in (text.pct(m.idle_fraction), text.secs(m.paper.straggler_gap), text.times(m.speedup)):
        assert figure in panel and figure in summary
    assert " est." not in panel  # the run is over: final figures only
    for r in [r for r in m.recoveries if r.held][-1:]:
        line = f"{text.fault_label(r.fault, r.agent, r.at)} {text.reclaim(r.held, r.reclaim_s)}"
        assert line in " ".join(panel.split()) and text.reclaim(r.held, r.reclaim_s) in summary


@settings(max_examples=150, deadline=None)
@given(histories())
def test_the_reducer_agrees_with_the_whole_list_definitions(events: list[ev.Event]) -> None:
    state = RunState.of(events)
    m = summarize(events)
    paper = oracle.paper(events)
    assert m.paper.rounds == paper["rounds"] and m.paper.messages == paper["messages"]
    assert m.paper.idle_rounds == paper["idle_rounds"]
    assert close(m.paper.straggler_gap, paper["straggler_gap"])  # type: ignore[arg-type]
    for key in ("concurrent_writes", "rewrites", "claims_blocked", "test_failures", "tokens_in", "tokens_out"):
        assert getattr(m.paper, key) == paper[key], key
    assert state.matrix == oracle.message_matrix(events)
    assert state.work_waste() == oracle.work_waste(events)
    idle = oracle.idle_fractions(events)
    assert state.idle_by_agent().keys() == idle.keys()
    assert all(close(state.idle_by_agent()[a], idle[a]) for a in idle)
    assert [(r.fault, r.agent, r.at, frozenset(r.held), r.reclaim_s, r.next_completion_s)
            for r in state.recoveries] == oracle.recoveries(events)


@settings(max_examples=150, deadline=None)
@given(histories(), st.data())
def test_a_snapshot_restored_anywhere_then_folded_on_is_the_straight_fold(events: list[ev.Event],
                                                                           data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(events)))
    straight = RunState.of(events)
    back = RunState.restore(RunState.of(events[:pos]).snapshot())
    assert back is not None
    for e in events[pos:]:
        back.apply(e)
    assert back == straight
    assert back.snapshot() == straight.snapshot()


def test_the_strategy_plays_runs_with_work_faults_and_conflicts() -> None:
    """The generator is not vacuous: among a fixed set of draws are completed runs, conflicts, recovered faults,
    rounds with a straggler gap and async runs with concurrent writes."""
    seen: Counter[str] = Counter()

    @settings(max_examples=200, database=None, derandomize=True)
    @given(histories())
    def count(events: list[ev.Event]) -> None:
        s = RunState.of(events)
        seen.update(k for k, hit in {
            "completed": s.status == "completed", "conflicts": s.conflicts > 0,
            "reclaimed": any(r.held and r.reclaim_s for r in s.recoveries),
            "straggler gap": s.straggler_gap() is not None,
            "async concurrent writes": not s.rounds_mode and s.concurrent_writes() > 0}.items() if hit)

    count()
    assert set(seen) == {"completed", "conflicts", "reclaimed", "straggler gap", "async concurrent writes"}, seen
