"""One paper harness run mapped onto teamtui's event vocabulary (see `paper_format` for the harness's records).

Times are seconds since the run's `run_start`; every round becomes RoundStarted ... RoundEnded, each reply an
LLM call (started together at the round's start, or, with a lead, the teammates' after the lead's reply),
and the run ends with RunFinished whose makespan is the run's wall-clock duration when the results give it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec

from teamtui.core import events as ev
from teamtui.experiments.paper.format import ACTIONS, RunMeta, architecture_of, number, record_round


def to_events(records: list[dict[str, Any]], meta: RunMeta, tasks: tuple[ev.TaskSpec, ...]) -> list[ev.Event]:
    """One harness run as teamtui events: RunStarted ... RunFinished, times relative to `run_start`."""
    return _Mapper(records, meta, tasks).run()


class _Mapper:
    def __init__(self, records: list[dict[str, Any]], meta: RunMeta, tasks: tuple[ev.TaskSpec, ...]) -> None:
        self.records, self.meta, self.tasks = records, meta, tasks
        stamps = [float(r["ts"]) for r in records if r.get("ts") is not None]
        self.t0 = stamps[0] if stamps else 0.0
        self.t = 0.0
        self.out: list[ev.Event] = []
        init = next((r for r in records if r["type"] == "initialize"), {})
        named = [str(a) for a in init["agents"]] if isinstance(init.get("agents"), list | tuple) else []
        seen = [str(r[k]) for r in records for k in ("agent", "sender", "assigner", "assignee") if r.get(k)]
        self.agents = tuple(dict.fromkeys([*named, *seen]))
        self.workers = tuple(a for a in self.agents if a != "Lead")
        self.versions: dict[str, int] = defaultdict(int)
        self.round = 0
        self.round_t = 0.0
        self.last_reply = ""
        self.pending: list[str] = []
        self.replied: set[str] = set()
        self.call_of: dict[str, tuple[int, float]] = {}
        self.calls = 0
        self.msgs = 0

    def emit(self, event: ev.Event) -> None:
        self.out.append(msgspec.structs.replace(event, seq=len(self.out), t=self.t))

    def clock(self, r: dict[str, Any]) -> None:
        if r.get("ts") is not None:
            self.t = max(self.t, float(r["ts"]) - self.t0)

    def run(self) -> list[ev.Event]:
        m = self.meta
        architecture = architecture_of(m.mode, self.records)
        n = m.n_teammates if m.n_teammates is not None else len(self.workers)
        self.emit(ev.RunStarted(scenario=f"paper {m.model} {m.suite} {m.p_label or '?'} {m.mode} n{n} rep{m.rep}",
                                seed=0, architecture=architecture, execution="rounds", consistency="locking",
                                model=m.model, agents=self.agents,
                                roles=tuple("lead" if a == "Lead" else "worker" for a in self.agents),
                                tasks=self.tasks, p=m.p_true, pack=m.suite))
        replies: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self.records:
            rnd = record_round(r)
            if r["type"] == "agent_reply" and rnd is not None:
                replies[rnd].append(r)
        reason = ""
        for r in self.records:
            self.clock(r)
            kind = r["type"]
            if kind == "round_start" and record_round(r) is not None:
                self.end_round()
                self.start_round(int(r["round"]), replies.get(int(r["round"]), []))
            elif kind == "run_end":
                reason = str(r.get("reason") or "")
            else:
                self.action(kind, r)
        self.end_round()
        self.finish(reason)
        return self.out

    def start_round(self, rnd: int, replies: list[dict[str, Any]]) -> None:
        self.round, self.round_t = rnd, self.t
        self.pending = [str(r["agent"]) for r in replies if r.get("agent")]
        self.replied = set()
        self.emit(ev.RoundStarted(round=rnd, waiting_on=self.workers))
        lead_first = "Lead" in self.pending
        self.start_calls([a for a in self.pending if a == "Lead"] if lead_first else self.pending)

    def start_calls(self, agents: list[str]) -> None:
        """LLM calls start together: all at the round's start, or the teammates' after the lead's reply."""
        for a in agents:
            self.calls += 1
            self.call_of[a] = (self.calls, self.t)
            self.emit(ev.LLMCallStarted(agent=a, call=self.calls, round=self.round, model=self.meta.model))

    def end_round(self) -> None:
        if self.round:
            for a, (call, _) in self.call_of.items():  # a call with no reply logged
                self.emit(ev.LLMCallAbandoned(agent=a, call=call, round=self.round, reason="no reply recorded"))
            self.call_of.clear()
            self.emit(ev.RoundEnded(round=self.round, slowest=self.last_reply, duration=self.t - self.round_t))
            self.round = 0

    def action(self, kind: str, r: dict[str, Any]) -> None:
        agent = str(r.get("agent") or "")
        task = str(r.get("task") or "")
        if (kind in ACTIONS or kind == "agent_reply") and not agent:
            return  # an action logged before any reply, or a reply by nobody: no agent to give it to
        if kind == "agent_reply":
            if agent not in self.call_of:  # the lead has replied: its teammates' calls start now
                self.start_calls([a for a in dict.fromkeys(self.pending)
                                  if a != "Lead" and a not in self.call_of and a not in self.replied])
            call, since = self.call_of.pop(agent, (0, self.round_t))
            self.replied.add(agent)
            self.last_reply = agent
            self.emit(ev.LLMCallCompleted(agent=agent, call=call, round=record_round(r) or self.round,
                                          latency=max(0.0, self.t - since), tokens_in=0, tokens_out=0,
                                          cost_usd=None, text=str(r.get("text") or "")))
        elif kind == "claim_task":
            self.emit(ev.TaskClaimed(agent=agent, task=task))
        elif kind == "claim_blocked":
            self.emit(ev.ClaimBlocked(agent=agent, task=task, missing=()))
        elif kind == "lock_attempt" and r.get("ok") is False:
            self.emit(ev.LockDenied(agent=agent, path=str(r.get("path") or ""), holder=""))
        elif kind == "edit_file":
            path = str(r.get("path") or "")
            self.versions[path] += 1
            v = self.versions[path]
            self.emit(ev.FileWritten(agent=agent, path=path, task=self.task_of(path), version=v,
                                     base_version=v - 1, size=int(number(r.get("n_chars")))))
        elif kind == "run_tests":
            code = int(r["returncode"]) if r.get("returncode") is not None else -1
            self.emit(ev.TestsRan(agent=agent, task="", passed=code == 0, exit_code=code,
                                  duration=number(r.get("seconds")), output=str(r.get("stdout") or "")[-2000:]))
        elif kind == "complete_task":
            self.emit(ev.TaskCompleted(agent=agent, task=task))
        elif kind == "assign_task":
            self.emit(ev.TaskAssigned(agent=str(r.get("assigner") or ""), task=task,
                                      to=str(r.get("assignee") or "")))
        elif kind in ("broadcast", "synthesize"):
            sender = str(r.get("sender") or agent)
            self.msgs += 1
            self.emit(ev.MessageSent(agent=sender, msg=self.msgs,
                                     to=tuple(a for a in self.agents if a != sender),
                                     topic="chat" if kind == "broadcast" else "report",
                                     text=str(r.get("message") or r.get("summary") or "")))

    def task_of(self, path: str) -> str:
        return next((t.id for t in self.tasks if t.file == path), "")

    def finish(self, reason: str) -> None:
        m = self.meta
        ids = [e.task for e in self.out if isinstance(e, ev.TaskCompleted)]
        done = len(set(ids)) if all(ids) else len(ids)
        success = m.success if m.success is not None else reason == "all_tasks_done"
        status = "completed" if success else "round_limit" if reason == "max_rounds" or m.success is False else "failed"
        span = m.wall_clock_seconds if m.wall_clock_seconds is not None else self.t
        self.t = max(self.t, span)
        rounds = max((e.round for e in self.out if isinstance(e, ev.RoundStarted)), default=0)
        why = reason or {"completed": "all_tasks_done", "round_limit": "max_rounds"}.get(
            status, "the log ends without run_end")
        self.emit(ev.RunFinished(status=status, reason=why,
                                 makespan=span, rounds=rounds, done=done, total=len(self.tasks) or done))
