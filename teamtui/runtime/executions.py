"""The two ways a team's turns are scheduled: synchronous `rounds` (the paper's) and independent `async` loops.

* `rounds`: each round the lead (if any) takes its turn first, then every other living, free agent takes
  one turn in parallel; the round ends when the slowest has replied (the barrier, where stragglers hurt)
  or when `stall_after_s` has passed since the round began, in which case the late agents are left to
  finish in the background and skip rounds until they do.
* `async`: every agent loops on its own: take a turn; after an idle turn, wait until something that
  concerns it changes (a message, a completion, a release) or a poll interval passes. No barrier.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from teamtui.core import events as ev
from teamtui.core.clock import wait_for
from teamtui.runtime.context import AgentState, RunContext


async def run_rounds(engine: RunContext) -> None:
    s = engine.scenario
    while not engine.finished:
        if await _all_busy(engine):
            continue
        if engine.round >= s.max_rounds:
            engine.finish("round_limit", f"the run hit limits.max_rounds = {s.max_rounds}")
            return
        engine.round += 1
        engine.nemesis.at_round(engine.round)
        if engine.board.lease_s is not None:
            engine.board.expire(engine.clock.now())
        participants = [st for st in engine.alive() if not engine.busy(st)]
        engine.emit(ev.RoundStarted(round=engine.round, waiting_on=tuple(st.name for st in participants)))
        t0 = engine.clock.now()
        deadline = t0 + s.stall_after_s
        finished_order: list[str] = []
        lead = next((st for st in participants if st.name == engine.lead), None)
        if lead is not None:
            await _bounded(engine, [lead], deadline, finished_order)
        others = [st for st in participants if st is not lead and st.alive]
        if others and not engine.finished:
            await _bounded(engine, others, deadline, finished_order)
        late = [st.name for st in participants if engine.busy(st)]
        slowest = late[0] if late else (finished_order[-1] if finished_order else "")
        if not engine.finished:
            engine.emit(ev.RoundEnded(round=engine.round, slowest=slowest,
                                      duration=round(engine.clock.now() - t0, 6)))
        engine.check_end()
        if not participants and not engine.finished:
            # Everyone is dead or still busy from an earlier round: let time pass instead of spinning.
            await engine.clock.sleep(min(1.0, s.stall_after_s / 10))


async def _all_busy(engine: RunContext) -> bool:
    """When every living agent is still in a call from an earlier round, wait (without a round) until one returns
    or a poll interval passes (a restarted agent may be free meanwhile); returns whether it waited."""
    alive = engine.alive()
    turns = [st.turn for st in alive if st.turn is not None and not st.turn.done()]
    if not alive or len(turns) < len(alive):
        return False
    await wait_for(engine.clock, asyncio.wait(turns, return_when=asyncio.FIRST_COMPLETED),
                   min(30.0, engine.scenario.stall_after_s))
    return True


async def _bounded(engine: RunContext, agents: list[AgentState], deadline: float, order: list[str]) -> None:
    """Start the agents' turns and wait until all are done or the deadline passes (late ones go on)."""
    all_done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    left = len(agents)

    def one_done(name: str) -> Callable[[asyncio.Task[bool]], None]:
        def done(_task: asyncio.Task[bool]) -> None:
            nonlocal left
            order.append(name)
            left -= 1
            if left == 0 and not all_done.done():
                all_done.set_result(None)

        return done

    for st in agents:
        engine.start_turn(st).add_done_callback(one_done(st.name))
    remaining = deadline - engine.clock.now()
    if remaining > 0:
        await wait_for(engine.clock, all_done, remaining)


async def run_async(engine: RunContext) -> None:
    for st in engine.agents.values():
        start_loop(engine, st)
    await asyncio.Event().wait()  # the engine finishes the run; this task is cancelled then


def start_loop(engine: RunContext, st: AgentState) -> None:
    st.loop = asyncio.ensure_future(_agent_loop(engine, st))


async def _agent_loop(engine: RunContext, st: AgentState) -> None:
    poll = min(30.0, engine.scenario.stall_after_s / 3)
    while st.alive and not engine.finished:
        st.wake.clear()
        turn = engine.start_turn(st)
        productive = await turn
        if not productive and not engine.finished:
            await wait_for(engine.clock, st.wake.wait(), poll)


EXECUTIONS: dict[str, Callable[[RunContext], Coroutine[Any, Any, None]]] = {"rounds": run_rounds, "async": run_async}
