"""A hypothesis strategy for valid event histories: a small run played step by step against a model of the board.

`histories()` draws a team of 1–5 agents (sometimes with a lead), a small DAG, rounds or async execution,
the sim or a priced real model, then up to `steps` moves — rounds, calls started/completed/failed/
abandoned, claims (blocked, conflicting, reclaimed), releases, lease expiries, writes (denied, conflicting),
test runs, completions, messages (delivered or dropped), kills, restarts, delays, stalls, detector flags,
partitions — each emitted only when the modelled run allows it, with time never going back, and a
RunFinished at the end (completed when every subtask is done).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from teamtui.core import events as ev

NAMES = ("ada", "bob", "cy", "dee", "eve")
MOVES = ("round", "call", "call", "reply", "reply", "fail", "claim", "claim", "release", "lease", "write", "write",
         "tests", "complete", "complete", "message", "kill", "restart", "delay", "stall", "detector", "partition",
         "reject", "assign", "elect")


@dataclass
class Run:
    """The modelled run: what is allowed next."""

    agents: tuple[str, ...]
    tasks: tuple[ev.TaskSpec, ...]
    rounds: bool
    priced: bool
    out: list[ev.Event] = field(default_factory=list)
    t: float = 0.0
    round: int = 0
    calls: int = 0
    msgs: int = 0
    alive: set[str] = field(default_factory=set)
    in_call: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    holder: dict[str, str] = field(default_factory=dict)
    lost: dict[str, str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)
    incarnation: dict[str, int] = field(default_factory=dict)
    delayed: set[str] = field(default_factory=set)
    stalled: set[str] = field(default_factory=set)
    flagged: set[str] = field(default_factory=set)
    stragglers: set[str] = field(default_factory=set)
    partitioned: bool = False

    def emit(self, kind: type[ev.Event], **fields: object) -> None:
        self.out.append(kind(seq=len(self.out), t=self.t, **fields))  # type: ignore[arg-type]

    def ready(self, tid: str) -> bool:
        spec = next(s for s in self.tasks if s.id == tid)
        return all(d in self.done for d in spec.depends_on)


def _move(draw: st.DrawFn, run: Run, move: str) -> None:
    alive = sorted(run.alive)
    who = draw(st.sampled_from(alive)) if alive else ""
    tid = draw(st.sampled_from([t.id for t in run.tasks]))
    if move == "round" and run.rounds:  # a round: every free living agent starts its turn
        run.round += 1
        run.emit(ev.RoundStarted, round=run.round, waiting_on=tuple(alive))
        for agent in alive:
            if agent not in run.in_call:
                run.in_call[agent] = (run.calls, run.round, run.t)
                run.emit(ev.LLMCallStarted, agent=agent, call=run.calls, round=run.round, model="m")
                run.calls += 1
    elif move == "call" and who and who not in run.in_call:
        run.in_call[who] = (run.calls, run.round, run.t)
        run.emit(ev.LLMCallStarted, agent=who, call=run.calls, round=run.round, model="m")
        run.calls += 1
    elif move in ("reply", "fail") and run.in_call:
        agent = draw(st.sampled_from(sorted(run.in_call)))
        call, rnd, since = run.in_call.pop(agent)
        if move == "fail":
            run.emit(ev.LLMCallFailed, agent=agent, call=call, round=rnd, error="RateLimitError")
        else:
            cost = draw(st.sampled_from([None, 0.001, 0.25])) if run.priced else None
            run.emit(ev.LLMCallCompleted, agent=agent, call=call, round=rnd, latency=round(run.t - since, 6),
                     tokens_in=draw(st.integers(0, 50)), tokens_out=draw(st.integers(0, 50)), cost_usd=cost, text="")
    elif move == "claim" and who:
        _claim(run, who, tid)
    elif move == "release" and run.holder.get(tid) == who and who:
        del run.holder[tid]
        run.emit(ev.TaskReleased, agent=who, task=tid, reason="voluntary")
    elif move == "lease" and tid in run.holder and run.holder[tid] not in run.alive:
        run.lost[tid] = run.holder.pop(tid)
        run.emit(ev.LeaseExpired, agent=run.lost[tid], task=tid, holder=run.lost[tid])
    elif move == "write" and who:
        _write(draw, run, who, tid)
    elif move == "tests" and who:
        code = draw(st.sampled_from([0, 1, 2, 5]))
        run.emit(ev.TestsRan, agent=who, task=tid, passed=code == 0, exit_code=code, duration=0.1)
    elif move == "complete" and run.holder.get(tid) == who and who:
        del run.holder[tid]
        run.done.add(tid)
        run.emit(ev.TaskCompleted, agent=who, task=tid)
    elif move == "message" and who and len(run.agents) > 1:
        to = tuple(draw(st.lists(st.sampled_from([a for a in run.agents if a != who]), min_size=1, unique=True)))
        run.emit(ev.MessageSent, agent=who, msg=run.msgs, to=to, topic=draw(st.sampled_from(["claim", "chat"])),
                 text="")
        for dst in to:
            if run.partitioned or dst not in run.alive:
                run.emit(ev.MessageDropped, agent=dst, msg=run.msgs, sender=who, reason="partition")
            else:
                run.emit(ev.MessageDelivered, agent=dst, msg=run.msgs, sender=who)
        run.msgs += 1
    elif move == "reject" and who and tid not in run.done:
        run.emit(ev.CompletionRejected, agent=who, task=tid, reason="tests fail")
    elif move == "assign" and who:
        run.emit(ev.TaskAssigned, agent="", task=tid, to=who)
    elif move == "elect" and who:
        run.emit(ev.LeaderElected, agent=who, previous="")
    else:
        _fault_move(draw, run, move, who)


def _claim(run: Run, who: str, tid: str) -> None:
    if tid in run.done or (tid in run.holder and run.holder[tid] != who):
        run.emit(ev.ClaimConflicted, agent=who, task=tid, holder=run.holder.get(tid, ""))
    elif not run.ready(tid):
        spec = next(s for s in run.tasks if s.id == tid)
        run.emit(ev.ClaimBlocked, agent=who, task=tid, missing=tuple(d for d in spec.depends_on if d not in run.done))
    elif tid not in run.holder:
        run.holder[tid] = who
        run.emit(ev.TaskClaimed, agent=who, task=tid, reclaimed_from=run.lost.pop(tid, ""))


def _write(draw: st.DrawFn, run: Run, who: str, tid: str) -> None:
    path = f"{tid}.py"
    version = run.versions.get(path, 0)
    other = run.holder.get(tid, who)
    outcome = draw(st.sampled_from(["ok", "ok", "locked", "stale"]))
    if outcome == "locked" and other != who:
        run.emit(ev.LockDenied, agent=who, path=path, holder=other)
    elif outcome == "stale" and version > 0:
        how = draw(st.sampled_from(["overwrote", "rejected"]))
        run.emit(ev.WriteConflicted, agent=who, path=path, base_version=version - 1, current_version=version,
                 last_writer=other, outcome=how)
        if how == "overwrote":
            run.versions[path] = version + 1
            run.emit(ev.FileWritten, agent=who, path=path, task=tid, version=version + 1, base_version=version - 1,
                     size=10)
    else:
        run.versions[path] = version + 1
        run.emit(ev.FileWritten, agent=who, path=path, task=tid, version=version + 1, base_version=version, size=10)


def _fault_move(draw: st.DrawFn, run: Run, move: str, who: str) -> None:
    dead = sorted(set(run.agents) - run.alive)
    if move == "kill" and who:
        run.emit(ev.FaultInjected, agent=who, fault="kill", source="user")
        if who in run.in_call:
            call, rnd, _ = run.in_call.pop(who)
            run.emit(ev.LLMCallAbandoned, agent=who, call=call, round=rnd, reason="killed")
        run.alive.discard(who)
        run.delayed.discard(who)
        run.stalled.discard(who)
        run.emit(ev.AgentKilled, agent=who, held=tuple(t for t, a in run.holder.items() if a == who))
    elif move == "restart" and dead:
        back = draw(st.sampled_from(dead))
        run.incarnation[back] = run.incarnation.get(back, 0) + 1
        run.alive.add(back)
        run.emit(ev.FaultInjected, agent=back, fault="restart", source="schedule")
        run.emit(ev.AgentRestarted, agent=back, incarnation=run.incarnation[back])
    elif move == "delay" and who:
        if who in run.delayed:
            run.delayed.discard(who)
            run.emit(ev.AgentDelayEnded, agent=who)
        else:
            run.delayed.add(who)
            run.emit(ev.FaultInjected, agent=who, fault="delay", source="user", params={"factor": 3.0})
            run.emit(ev.AgentDelayed, agent=who, factor=3.0, extra_s=0.0, duration=draw(st.sampled_from([None, 20.0])))
    elif move == "stall" and who:
        if who in run.stalled:
            run.stalled.discard(who)
            run.emit(ev.FaultInjected, agent=who, fault="resume", source="user")
            run.emit(ev.AgentResumed, agent=who)
        else:
            run.stalled.add(who)
            run.emit(ev.FaultInjected, agent=who, fault="stall", source="user")
            run.emit(ev.AgentStallInjected, agent=who, duration=None)
    elif move == "detector" and who:
        _detector(draw, run, who)
    elif move == "partition" and len(run.agents) > 1:
        if run.partitioned:
            run.emit(ev.NetworkHealed)
        else:
            run.emit(ev.NetworkPartitioned, groups=(run.agents[:1], run.agents[1:]))
        run.partitioned = not run.partitioned


def _detector(draw: st.DrawFn, run: Run, who: str) -> None:
    if draw(st.booleans()):
        if who in run.flagged:
            run.flagged.discard(who)
            run.emit(ev.AgentRecovered, agent=who, stalled_for=5.0)
        else:
            run.flagged.add(who)
            run.emit(ev.AgentStalled, agent=who, since=max(0.0, run.t - 5.0))
    elif who in run.stragglers:
        run.stragglers.discard(who)
        run.emit(ev.StragglerCleared, agent=who, latency=1.0)
    else:
        run.stragglers.add(who)
        run.emit(ev.StragglerDetected, agent=who, latency=9.0, team_median=2.0)


@st.composite
def histories(draw: st.DrawFn, steps: int = 80) -> list[ev.Event]:
    n = draw(st.integers(1, 5))
    agents = NAMES[:n]
    lead = n > 1 and draw(st.booleans())
    roles = tuple("lead" if lead and i == 0 else "worker" for i in range(n))
    k = draw(st.integers(1, 6))
    tasks = []
    for i in range(k):
        deps = draw(st.lists(st.sampled_from([f"t{j}" for j in range(i)]), unique=True, max_size=2)) if i else []
        tasks.append(ev.TaskSpec(f"t{i}", f"t{i}.py", tuple(deps), draw(st.sampled_from([0.5, 1.0, 2.0]))))
    run = Run(agents, tuple(tasks), rounds=draw(st.booleans()), priced=draw(st.booleans()))
    run.alive = set(agents)
    run.emit(ev.RunStarted, scenario="h", seed=0, architecture="decentralized",
             execution="rounds" if run.rounds else "async", consistency="locking",
             model="openai/gpt-4o-mini" if run.priced else "sim", agents=agents, roles=roles, tasks=tuple(tasks),
             p=draw(st.sampled_from([None, 0.5])))
    for _ in range(draw(st.integers(0, steps))):
        run.t = round(run.t + draw(st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0])), 6)
        _move(draw, run, draw(st.sampled_from(MOVES)))
    if draw(st.booleans()) and run.alive:  # often, someone finishes the work: completed runs have a speedup
        who = sorted(run.alive)[0]
        for t in tasks:
            if t.id not in run.done:
                run.t = round(run.t + 1.0, 6)
                if run.holder.get(t.id) not in (None, who):
                    run.emit(ev.TaskReleased, agent=run.holder.pop(t.id), task=t.id, reason="voluntary")
                _claim(run, who, t.id)
                del run.holder[t.id]
                run.done.add(t.id)
                run.emit(ev.TaskCompleted, agent=who, task=t.id)
    status = "completed" if len(run.done) == len(tasks) else draw(st.sampled_from(["stranded", "cancelled"]))
    if status == "stranded":
        run.emit(ev.WorkStranded, tasks=tuple(t.id for t in tasks if t.id not in run.done), reason="dead")
    run.emit(ev.RunFinished, status=status, reason="", makespan=run.t, rounds=run.round, done=len(run.done),
             total=len(tasks))
    return run.out
