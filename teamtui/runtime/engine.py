"""The engine: runs one scenario to a final event, owning the log, the board, the workspace and the network.

`Engine(scenario, clock, backend).run()` emits `RunStarted`, drives the team with the scenario's
execution (`rounds` or `async`, see `teamtui.runtime.executions`), applies faults from the schedule and
from `inject()`, and always ends with exactly one `RunFinished`: completed, stranded (no living agent
can finish the rest), time or round limit, budget, cancelled (`cancel()`), or failed (an engine error).
The execution, the failure detector, the nemesis, the time limit and fault timers run in one task group
(`teamtui.runtime.supervisor`): an exception in any of them fails the run at once (`engine.error`).
Emitters build their events; only the engine assigns `seq` and `t`, so the log is totally ordered and replayable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from teamtui.core import events as ev
from teamtui.core.agent import InboxMessage, Observation
from teamtui.core.bus import EventBus
from teamtui.core.clock import Clock
from teamtui.core.faults import Fault
from teamtui.core.redact import scrub
from teamtui.llm.base import LLMBackend
from teamtui.runtime import architectures as archs
from teamtui.runtime import harness, sandbox
from teamtui.runtime.board import Board
from teamtui.runtime.context import AgentState, FaultInjector
from teamtui.runtime.detector import FailureDetector
from teamtui.runtime.executions import EXECUTIONS
from teamtui.runtime.network import Network
from teamtui.runtime.supervisor import Supervisor
from teamtui.runtime.turn import take_turn
from teamtui.runtime.workspace import Workspace
from teamtui.scenario.architectures import ARCHITECTURES
from teamtui.scenario.spec import Scenario


def _scratch() -> str | None:
    """Where a run's own workspace goes: RAM (/dev/shm) when there is one and TMPDIR does not say otherwise.
    The files are real either way; in RAM a write costs ~20 µs instead of ~200 µs on a disk-backed /tmp."""
    if os.environ.get("TMPDIR"):
        return None
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


E = TypeVar("E", bound=ev.Event)

OWN_WORKDIRS: set[Path] = set()
"""The workspaces this process's engines made and have not removed yet (see `remove_workdirs`)."""


def remove_workdirs() -> None:
    """Remove every workspace an engine of this process made: for a process that must exit at once (a signal)."""
    for path in list(OWN_WORKDIRS):
        shutil.rmtree(path, ignore_errors=True)
        OWN_WORKDIRS.discard(path)


class Engine:
    """See the module docstring."""

    def __init__(self, scenario: Scenario, clock: Clock, backend: LLMBackend | None = None,
                 workdir: Path | None = None, bus: EventBus | None = None,
                 nemesis: Callable[[Engine], FaultInjector] | None = None) -> None:
        if nemesis is None and scenario.faults:
            raise ValueError("a scenario with faults needs a nemesis: build the engine with teamtui.launch.new_engine")
        self.scenario = scenario
        self._make_nemesis = nemesis
        self.clock = clock
        self.real_models = any(a.model != "sim" for a in scenario.agents)
        """Real models write real code: their subtasks are always verified by really running the tests."""
        if backend is None:
            from teamtui.llm import make_backend
            backend = make_backend(scenario)
        self.backend = backend
        self.bus = bus or EventBus()
        self.events: list[ev.Event] = []
        self.arch = ARCHITECTURES[scenario.architecture]
        self.agents: dict[str, AgentState] = {a.name: AgentState(a, a.role) for a in scenario.agents}
        for st in self.agents.values():
            st.resumed.set()
        self.board = Board(scenario.task, self.emit, scenario.lease_s if self.arch.leases else None)
        self.sandbox = sandbox.for_run(self.real_models or scenario.sim.verify == "tests", self.real_models,
                                       scenario.unsafe_host_exec)  # refuses (RunError) before anything is made
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="teamtui-", dir=_scratch())) if workdir is None else workdir
        if self._own_workdir:
            OWN_WORKDIRS.add(self.workdir)
        self.workspace = Workspace(self.workdir / "workspace", self.sandbox)
        self.network = Network(clock, self.emit, self._deliver, scenario.latency_s, scenario.seed)
        self.round = 0
        self.calls = 0
        self.cost_usd = 0.0
        self.cost_estimated = False
        self.status = ""
        self.reason = ""
        self._done = asyncio.Event()
        self.supervisor = Supervisor(self._fail)
        """The run's task group: the execution, the detector, the nemesis, the time limit and fault timers."""
        self._stopped = False
        self.pending_restarts = 0
        self.error: BaseException | None = None
        """An exception that failed the run (an engine bug), kept for tests and the CLI."""
        self.lead = next((a.name for a in scenario.agents if a.role == "lead"), "")

    # -- the log -----------------------------------------------------------------------------------

    def emit(self, event: E) -> E:
        """Append an event built by its emitter to the log, stamped with its `seq` and run time `t`, and publish it.
        With real models, every string field but `agent` is scrubbed first (text a model wrote, or a provider
        said, may carry a key: never log one)."""
        seq, t = len(self.events), round(self.clock.now(), 6)
        if self.real_models:
            scrubbed = {k: scrub(v) for k in event.__struct_fields__
                        if k != "agent" and isinstance(v := getattr(event, k), str)}
            event = msgspec.structs.replace(event, seq=seq, t=t, **scrubbed)
        else:
            event = msgspec.structs.replace(event, seq=seq, t=t)
        self.events.append(event)
        self.bus.publish(event)
        return event

    # -- the run -----------------------------------------------------------------------------------

    async def run(self) -> list[ev.Event]:
        s = self.scenario
        g = s.task
        self.emit(ev.RunStarted(scenario=s.name, seed=s.seed, architecture=s.architecture,
                                execution=s.execution, consistency=s.consistency, model=s.model,
                                agents=tuple(self.agents), roles=tuple(a.role for a in self.agents.values()),
                                tasks=tuple(ev.TaskSpec(t.id, t.file, t.depends_on, t.work) for t in g.subtasks),
                                p=g.p_declared if g.p_declared is not None else g.p, pack=g.pack,
                                sandbox=self.sandbox.name if self.sandbox else ""))
        if self.arch.preassign:
            owner = archs.preassign(g.subtasks, [a for a in self.agents if self.agents[a].role != "lead"])
            for tid in g.topo_order():
                self.board.assign("", tid, owner[tid])
        self.nemesis: FaultInjector = self._make_nemesis(self) if self._make_nemesis else _NoFaults()
        self.detector = FailureDetector(self)
        try:
            async with self.supervisor as group:
                for coro in (self.nemesis.run(), self.detector.run(), self._time_limit()):
                    group.start(coro)
                execution = group.start(EXECUTIONS[s.execution](self))
                try:
                    await asyncio.wait({execution, group.start(self._done.wait())}, return_when=asyncio.FIRST_COMPLETED)
                except asyncio.CancelledError:  # from outside, or by the group when one of its tasks failed
                    self.finish("cancelled", "the run was cancelled")
                    raise
                if not self._done.is_set():
                    self.finish("failed", "the execution ended early")
                self._stop()
        except asyncio.CancelledError:
            self.finish("cancelled", "the run was cancelled")
        except Exception as exc:  # the group's errors (the first already failed the run)
            first: BaseException = exc
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            self._fail(first)
        finally:
            await self._shutdown()
        return self.events

    def _stop(self) -> None:
        """Cancel everything the run started (once): the execution and background tasks, the agents' turns and
        loops (in agent order, so their abandoned calls are logged in that order) and the messages in flight."""
        if self._stopped:
            return
        self._stopped = True
        self.supervisor.cancel()
        for st in self.agents.values():
            st.cancel_reason = st.cancel_reason or "run finished"
            for t in (st.turn, st.loop):
                if t is not None:
                    t.cancel()
        self.network.cancel()

    async def _shutdown(self) -> None:
        self._stop()
        for st in self.agents.values():
            for t in (st.turn, st.loop):
                if t is not None:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await t
        done = len(self.board.undone()) == 0
        total = len(self.board.tasks)
        if not self.status:
            self.status, self.reason = "cancelled", "the run was cancelled"
        if self.status == "stranded":
            self.emit(ev.WorkStranded(tasks=tuple(self.board.undone()), reason=self.reason))
        self.emit(ev.RunFinished(status=self.status, reason=self.reason, makespan=round(self.clock.now(), 6),
                                 rounds=self.round, done=total - len(self.board.undone()) if not done else total,
                                 total=total, tests_pass=harness.suite_passes(self)))
        self.discard()

    def discard(self) -> None:
        """Remove the run's own workspace: at the run's end, or instead of a run that never starts (idempotent)."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            OWN_WORKDIRS.discard(self.workdir)

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run background work of the run (a fault's timer, a probe) in its task group (`Supervisor`): if it raises,
        the run fails with that error. Given before the run, it starts with the run."""
        self.supervisor.spawn(coro)

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
        self.finish("failed", f"engine error: {exc!r}")

    async def _time_limit(self) -> None:
        await self.clock.sleep(self.scenario.max_time_s)
        self.finish("time_limit", f"the run hit limits.max_time_s = {self.scenario.max_time_s:g}")

    def finish(self, status: str, reason: str) -> None:
        if not self.status:
            self.status, self.reason = status, reason
            self._done.set()

    def cancel(self) -> None:
        self.finish("cancelled", "the run was cancelled")

    @property
    def finished(self) -> bool:
        return bool(self.status)

    def check_end(self) -> None:
        """Finish the run when all work is done, or when what is left can never be done."""
        if self.finished:
            return
        if self.board.all_done():
            self.finish("completed", "every subtask is done")
            return
        if self.pending_restarts:
            return
        alive = {n for n, st in self.agents.items() if st.alive}
        if len(alive) == len(self.agents):
            return  # work can only be stranded by a dead agent
        undone = self.board.undone()
        owner = {t: (self.board.tasks[t].holder or self.board.tasks[t].assigned_to) for t in undone}
        lead_alive = bool(self.lead) and self.agents[self.lead].alive
        stuck = archs.unreachable(self.arch, {t: self.board.tasks[t].depends_on for t in undone}, undone, owner,
                                  alive, lead_alive, self.scenario.lead_failover == "election")
        if stuck and len(stuck) == len(undone):
            who = "every agent is dead" if not alive else "the agents holding it are dead and nothing reclaims it"
            self.finish("stranded", f"{len(stuck)} subtask(s) can never be done: {who}")

    # -- agents ------------------------------------------------------------------------------------

    def alive(self) -> list[AgentState]:
        return [st for st in self.agents.values() if st.alive]

    def observe(self, name: str) -> Observation:
        st = self.agents[name]
        if self.board.lease_s is not None:
            self.board.expire(self.clock.now())
        inbox, st.inbox = tuple(st.inbox), []
        feedback, st.feedback = tuple(st.feedback), []
        reads, st.reads = tuple(st.reads), []
        by_file = self.board.by_file
        tests = {by_file[path]: ok for path, ok in self.workspace.verdicts().items() if path in by_file}
        return Observation(
            agent=name, role=st.role, architecture=self.scenario.architecture, execution=self.scenario.execution,
            round=self.round, now=self.clock.now(), team=tuple(self.agents), lead=self.lead, inbox=inbox,
            tasks=self.board.view(), files=self.workspace.versions(), tests=tests,
            last_seen={n: a.last_seen for n, a in self.agents.items() if n != name},
            suspect_after=self.scenario.stall_after_s, feedback=feedback, reads=reads)

    def _deliver(self, dst: str, item: InboxMessage) -> bool:
        st = self.agents.get(dst)
        if st is None or not st.alive:
            return False
        st.inbox.append(item)
        st.wake.set()
        return True

    def wake_all(self) -> None:
        for st in self.agents.values():
            st.wake.set()

    def start_turn(self, st: AgentState) -> asyncio.Task[bool]:
        task = asyncio.ensure_future(take_turn(self, st))
        st.turn = task

        def _clear(t: asyncio.Task[bool], st: AgentState = st) -> None:
            if st.turn is t:
                st.turn = None
            if not t.cancelled() and t.exception() is not None:
                self.error = t.exception()
                self.finish("failed", f"engine error in {st.name}'s turn: {t.exception()!r}")

        task.add_done_callback(_clear)
        return task

    def busy(self, st: AgentState) -> bool:
        return st.turn is not None and not st.turn.done()

    def inject(self, fault: Fault, source: str = "user") -> None:
        """Apply a fault now (from the schedule, a key press or the palette)."""
        self.nemesis.apply(fault, source)

    def on(self, callback: Callable[[ev.Event], None]) -> None:
        self.bus.add_listener(callback)


class _NoFaults:
    """The injector of an engine built without a nemesis: no schedule, and a fault cannot be injected."""

    async def run(self) -> None:
        return

    def at_round(self, rnd: int) -> None:
        return

    def apply(self, fault: Fault, source: str) -> None:
        raise RuntimeError("this engine was built without a nemesis: build it with teamtui.launch.new_engine")
