"""The paper harness's rules, for a simulated team with `verify = "harness"`, and the end-of-run test verdict.

In the harness a subtask is complete when its owner says so: no test must pass, and a pre-assigned owner
need not claim it first (nor wait for its dependencies). A test run is advisory and runs the whole suite.
teamtui keeps its own rule (complete only on passing tests) everywhere else; whatever the rule, every run
ends saying whether every subtask's file passes its tests (`RunFinished.tests_pass`), so "every subtask
marked done" and "every test passes" are both on record.
"""

from __future__ import annotations

from teamtui.core import events as ev
from teamtui.runtime.context import AgentState, RunContext


def applies(engine: RunContext) -> bool:
    """Whether this run follows the harness's rules (the simulated team with verify = "harness")."""
    return engine.scenario.sim.verify == "harness" and not engine.real_models


def complete(engine: RunContext, st: AgentState, tid: str) -> bool:
    """The harness's completion: the subtask's holder, or its assignee if nobody holds it, marks it done."""
    t = engine.board.tasks[tid]
    if t.done:
        engine.emit(ev.CompletionRejected(agent=st.name, task=tid, reason="already done"))
        return False
    if t.holder != st.name and (t.holder or t.assigned_to != st.name):
        engine.emit(ev.CompletionRejected(agent=st.name, task=tid, reason=f"held by {t.holder or 'nobody'}"))
        return False
    engine.board.complete(st.name, tid)
    engine.wake_all()
    return True


async def run_suite(engine: RunContext, st: AgentState) -> bool:
    """The harness's `<run_tests/>`: the whole suite, advisory (nothing is decided by it)."""
    start = engine.clock.now()
    passed = _model_suite(engine)
    await engine.clock.sleep(engine.scenario.sim.test_time_s)
    engine.emit(ev.TestsRan(agent=st.name, task="", passed=passed, exit_code=0 if passed else 1,
                            duration=round(engine.clock.now() - start, 6),
                            output="passed (model)" if passed else "failed (model)"))
    return passed


def _model_suite(engine: RunContext) -> bool:
    ws, tasks = engine.workspace, engine.board.tasks
    return all(ws.model_verdict(t.file, [tasks[d].file for d in t.depends_on]) for t in tasks.values())


def suite_passes(engine: RunContext) -> bool | None:
    """At the end of a run: whether every subtask's file passes its tests. The sim's model knows it (its test
    verdicts are the model's); otherwise it is known when the current version of every file was tested."""
    if not engine.real_models and engine.scenario.sim.verify != "tests":
        return _model_suite(engine)
    verdicts = engine.workspace.verdicts()
    files = [t.file for t in engine.board.tasks.values()]
    if not all(f in verdicts for f in files):
        return None
    return all(verdicts[f] for f in files)
