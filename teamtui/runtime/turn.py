"""One agent turn: observe, call the LLM (invoke -> ok / fail / abandoned), then apply its actions in order.

The engine applies every action, so each is an event and each obeys the same rules whatever the
backend: claims go through the board, writes through the workspace's consistency mode, completions
need a passing test run on the file's current version. A turn returns whether it did anything
productive (an idle turn lets the async execution wait for something to change).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from teamtui.core import events as ev
from teamtui.core.agent import (
    Action,
    Assign,
    Broadcast,
    Claim,
    Complete,
    ReadFile,
    Release,
    RequestStatus,
    RunTests,
    Send,
    Wait,
    WriteFile,
)
from teamtui.core.clock import VirtualClock
from teamtui.core.redact import scrub
from teamtui.llm.base import Completion, LLMRequest
from teamtui.runtime import harness
from teamtui.runtime.context import AgentState, RunContext
from teamtui.runtime.workspace import PathRefused

MAX_PROBLEM_EVENTS = 12
"""Problems recorded one by one per reply; the rest are counted in one more event."""



async def take_turn(engine: RunContext, st: AgentState) -> bool:
    clock = engine.clock
    name = st.name
    obs = engine.observe(name)
    call = engine.calls
    engine.calls += 1
    rnd = engine.round
    engine.emit(ev.LLMCallStarted(agent=name, call=call, round=rnd, model=st.spec.model))
    start = clock.now()
    st.in_call_since = start
    try:
        sink = _Sink(engine, name, call)
        request = LLMRequest(name, st.spec.model, st.incarnation, call, obs, sink)
        completion = await engine.backend.complete(request, clock)
        factor = st.spec.slowdown * st.delay_factor
        extra = (factor - 1.0) * (clock.now() - start) + st.delay_extra
        if extra > 0:
            await clock.sleep(extra)
        await st.resumed.wait()
    except asyncio.CancelledError:
        engine.emit(ev.LLMCallAbandoned(agent=name, call=call, round=rnd, reason=st.cancel_reason or "cancelled"))
        raise
    except Exception as exc:  # a backend failure is an event, never a crash
        error = scrub(f"{type(exc).__name__}: {exc}")[:300]
        engine.emit(ev.LLMCallFailed(agent=name, call=call, round=rnd, error=error))
        return False
    finally:
        st.in_call_since = None
    now = clock.now()
    latency = now - start
    st.last_seen = now
    st.last_latency = latency
    if completion.cost_usd:
        engine.cost_usd += completion.cost_usd
    engine.emit(ev.LLMCallCompleted(agent=name, call=call, round=rnd, latency=round(latency, 6),
                                    tokens_in=completion.tokens_in, tokens_out=completion.tokens_out,
                                    cost_usd=completion.cost_usd,
                                    text=scrub(completion.text) if engine.real_models else completion.text,
                                    tokens_estimated=completion.tokens_estimated))
    if completion.tokens_estimated and completion.cost_usd:
        engine.cost_estimated = True
    if completion.problems:
        _problems(engine, st, call, completion)
    engine.detector.after_call(st, latency)
    engine.board.renew(name, now)
    productive = False
    for action in completion.actions:
        if engine.finished or not st.alive:
            break
        productive = await apply(engine, st, action) or productive
    budget = engine.scenario.budget_usd
    if budget is not None and engine.cost_usd >= budget:
        engine.finish("budget", f"spent ${engine.cost_usd:.4f} of limits.budget_usd = {budget:g}"
                      + (" (an estimate: the server sent no usage, so tokens were counted by teamtui)"
                         if engine.cost_estimated else ""))
    engine.check_end()
    return productive


class _Sink:
    """Turns a backend's reports during one call into events (the engine's side of `CallSink`)."""

    def __init__(self, engine: RunContext, agent: str, call: int) -> None:
        self.engine, self.agent, self.call = engine, agent, call

    def streamed(self, text: str) -> None:
        if text and not self.engine.finished:
            self.engine.emit(ev.LLMTokensStreamed(agent=self.agent, call=self.call, text=scrub(text)))

    def retried(self, attempt: int, error: str, wait_s: float) -> None:
        if not self.engine.finished:
            self.engine.emit(ev.LLMCallRetried(agent=self.agent, call=self.call, attempt=attempt,
                                               error=scrub(error)[:300], wait_s=round(wait_s, 6)))


def _problems(engine: RunContext, st: AgentState, call: int, completion: Completion) -> None:
    """Each malformed part of a reply is an event and a line of feedback for the agent's next turn."""
    problems = completion.problems
    for problem in problems[:MAX_PROBLEM_EVENTS]:
        text = scrub(problem)[:500]
        engine.emit(ev.ReplyRejected(agent=st.name, call=call, problem=text))
        st.feedback.append(text)
    if len(problems) > MAX_PROBLEM_EVENTS:
        more = f"... and {len(problems) - MAX_PROBLEM_EVENTS} more problems in the same reply"
        engine.emit(ev.ReplyRejected(agent=st.name, call=call, problem=more))
        st.feedback.append(more)


def _refuse(engine: RunContext, st: AgentState, action: Action, reason: str) -> bool:
    engine.emit(ev.ActionRejected(agent=st.name, action=type(action).__name__.lower(), reason=reason))
    st.feedback.append(f"{type(action).__name__.lower()} refused: {reason}")
    return False


async def apply(engine: RunContext, st: AgentState, action: Action) -> bool:
    """Apply one action for an agent; returns whether it was productive."""
    board = engine.board
    name = st.name
    team = tuple(a for a in engine.agents if a != name)
    task = getattr(action, "task", "")
    if task and task not in board.tasks:
        return _refuse(engine, st, action, f'unknown subtask "{task}"')
    if not task and isinstance(action, Claim | Release | Assign | Complete):
        return _refuse(engine, st, action, "no subtask id given")
    match action:
        case Send(to=to, text=text, topic=topic, task=t):
            if to not in engine.agents or to == name:
                return _refuse(engine, st, action, f'unknown recipient "{to}"')
            engine.network.send(name, (to,), topic, text, t)
            return False
        case Broadcast(text=text, topic=topic, task=t):
            if team:
                engine.network.send(name, team, topic, text, t)
            return False
        case RequestStatus():
            if team:
                engine.network.send(name, team, "status_request", "status?", "")
            return False
        case Claim(task=t):
            ok = board.claim(name, t, engine.clock.now())
            if not ok:
                holder = board.tasks[t].holder
                st.feedback.append(f"claim of {t} refused: " + (f"held by {holder}" if holder and holder != name
                                                                 else "dependencies not done"
                                                                 if not board.deps_done(t) else "already done"))
            return ok
        case Release(task=t):
            holder = board.tasks[t].holder
            if holder != name and name != engine.lead:
                return _refuse(engine, st, action, f"{t} is not yours to release")
            board.release(name, t, "voluntary" if holder == name else "reassigned")
            engine.wake_all()
            return True
        case Assign(task=t, to=to):
            if name != engine.lead:
                return _refuse(engine, st, action, "only the lead assigns subtasks")
            if to not in engine.agents:
                return _refuse(engine, st, action, f'unknown agent "{to}"')
            board.assign(name, t, to)
            engine.network.send(name, (to,), "assign", f"please do {t}", t)
            return True
        case ReadFile():
            return _read(engine, st, action)
        case WriteFile():
            return _write(engine, st, action)
        case RunTests(task="") if harness.applies(engine):
            await harness.run_suite(engine, st)
            return True
        case RunTests(task=""):
            held = [tid for tid, ts in board.tasks.items() if ts.holder == name and not ts.done]
            if not held:
                return _refuse(engine, st, action, "you hold no subtask; name one: run_tests(task=ID)")
            for tid in held:
                await _run_tests(engine, st, tid)
            return True
        case RunTests(task=t):
            await _run_tests(engine, st, t)
            return True
        case Complete(task=t) if harness.applies(engine):
            return harness.complete(engine, st, t)
        case Complete(task=t):
            return await _complete(engine, st, t)
        case Wait():
            return False
    return _refuse(engine, st, action, "unknown action")


def _read(engine: RunContext, st: AgentState, action: ReadFile) -> bool:
    try:
        rel, real = engine.workspace.resolve(action.path)
    except PathRefused as exc:
        return _refuse(engine, st, action, str(exc))
    try:
        content = engine.workspace.read(rel, real)
    except (OSError, UnicodeDecodeError) as exc:
        return _refuse(engine, st, action, f"cannot read {rel}: {type(exc).__name__}")
    if content is None:
        return _refuse(engine, st, action, f"no file {rel} in the workspace")
    version = engine.workspace.version(rel)
    engine.emit(ev.FileRead(agent=st.name, path=rel, version=version, size=len(content)))
    st.reads.append((rel, version, content))
    return False


def _write(engine: RunContext, st: AgentState, action: WriteFile) -> bool:
    try:
        rel, real = engine.workspace.resolve(action.path)
    except PathRefused as exc:
        return _refuse(engine, st, action, str(exc))
    ws, board, name = engine.workspace, engine.board, st.name
    owner_task = board.by_file.get(rel, action.task)
    mode = engine.scenario.consistency
    if mode == "locking" and owner_task in board.tasks:
        holder = board.tasks[owner_task].holder
        if holder != name or board.tasks[owner_task].done:
            engine.emit(ev.LockDenied(agent=name, path=rel, holder=holder))
            st.feedback.append(f"write of {rel} denied: the lock is held by {holder or 'nobody'}")
            return False
    current = ws.version(rel)
    base = current if action.base_version is None else action.base_version
    if base != current:
        last = ws.files[rel].last_writer if rel in ws.files else ""
        outcome = "rejected" if mode == "optimistic" else "overwrote"
        engine.emit(ev.WriteConflicted(agent=name, path=rel, base_version=base, current_version=current,
                                       last_writer=last, outcome=outcome))
        if outcome == "rejected":
            st.feedback.append(f"write of {rel} rejected: based on version {base}, current is {current}")
            return False
    try:
        version = ws.write(rel, real, action.content, name, owner_task, action.intended_ok)
    except (OSError, ValueError) as exc:  # a directory in the way, a file where a folder should be...
        return _refuse(engine, st, action, f"cannot write {rel}: {type(exc).__name__}: {exc.strerror or exc}"
                       if isinstance(exc, OSError) else f"cannot write {rel}: {exc}")
    engine.emit(ev.FileWritten(agent=name, path=rel, task=owner_task, version=version, base_version=base,
                               size=len(action.content)))
    return True


async def _run_tests(engine: RunContext, st: AgentState, tid: str) -> bool:
    t = engine.board.tasks[tid]
    sub = engine.scenario.task.by_id[tid]
    cfg = engine.scenario.sim
    start = engine.clock.now()
    if (cfg.verify == "tests" or engine.real_models) and (sub.tests is not None or engine.real_models):
        limits = engine.scenario.test_limits
        if sub.tests is not None:
            code, output = await _blocking(engine, engine.workspace.run_pytest, sub.tests, limits)
        else:
            code, output = await _blocking(engine, engine.workspace.run_check, t.file, limits)
        passed = code == 0
    else:
        deps = [engine.board.tasks[d].file for d in t.depends_on]
        passed = engine.workspace.model_verdict(t.file, deps)
        code, output = (0, "passed (model)") if passed else (1, "failed (model)")
    await engine.clock.sleep(cfg.test_time_s)
    engine.workspace.record_test(t.file, passed)
    engine.emit(ev.TestsRan(agent=st.name, task=tid, passed=passed, exit_code=code,
                            duration=round(engine.clock.now() - start, 6), output=output))
    if engine.real_models:  # a real model needs the test output to fix its code
        st.feedback.append(f"tests of {tid} {'passed' if passed else 'FAILED'}: {output[:1500]}")
    return passed


async def _blocking(engine: RunContext, fn: Callable[..., tuple[int, str]], *args: Any) -> tuple[int, str]:
    """Run real work (a test subprocess). On the virtual clock it runs inline: time stands still either way,
    and two agents' test runs can then never finish in a racing order, so the log stays reproducible. On
    the wall clock it runs in a thread, so the loop (and the monitor) go on meanwhile."""
    if isinstance(engine.clock, VirtualClock):
        return fn(*args)
    async with engine.clock.hold():
        return await asyncio.to_thread(fn, *args)


async def _complete(engine: RunContext, st: AgentState, tid: str) -> bool:
    board = engine.board
    t = board.tasks[tid]
    if t.done:
        engine.emit(ev.CompletionRejected(agent=st.name, task=tid, reason="already done"))
        return False
    if t.holder != st.name:
        engine.emit(ev.CompletionRejected(agent=st.name, task=tid, reason=f"held by {t.holder or 'nobody'}"))
        return False
    verdict = engine.workspace.tested_ok(t.file)
    if verdict is None:
        verdict = await _run_tests(engine, st, tid)
    if not verdict:
        engine.emit(ev.CompletionRejected(agent=st.name, task=tid, reason="tests fail"))
        st.feedback.append(f"completion of {tid} refused: its tests fail")
        return False
    board.complete(st.name, tid)
    engine.wake_all()
    return True
