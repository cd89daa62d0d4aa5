"""The paper harness's recorded runs in teamtui's terms: run metadata, its own per-run numbers, and events.

The harness (`emieczkowski/distributed-llm-teams`) writes one `events.jsonl` per run: records with a
`type` (`run_start`, `initialize`, `round_start`, `agent_reply`, `claim_task`, `claim_blocked`,
`lock_attempt`, `edit_file`, `run_tests`, `complete_task`, `assign_task`, `broadcast`, `synthesize`,
`run_end`), a Unix `ts` and the current `round`; its combined `events.parquet` keeps a subset of the
fields (no task ids, and no agent on the actions). The orchestrator logs an agent's actions right after
its `agent_reply`, so an action without an agent belongs to the agent of the last reply. `to_events`
maps one run onto teamtui's vocabulary; `harness_stats` computes the numbers the paper's notebook
derives from the events, its way (see DESIGN.md, "Metric definitions").
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from teamtui import events as ev

MODES = {"preassign_nolead": "preassigned", "preassign": "preassigned", "decentralized": "decentralized",
         "leadassign": "lead", "autonomous": "lead"}
"""The harness's mode (from its experiment directory name) -> teamtui's architecture."""
ACTIONS = {"claim_task", "claim_blocked", "lock_attempt", "edit_file", "run_tests", "complete_task"}
SPOKEN = {"broadcast", "synthesize"}
"""Messages: their sender is the agent of the last reply too, where the record does not name it."""
LATENCY_WINDOW = (0.0, 180.0)
"""The notebook keeps reply latencies strictly inside this window (seconds) for the straggler gap."""
TEST_FAILURES = {1, 2, 3}
_EXP_DIR = re.compile(r"^(?:amdahl_)?(?P<suite>.+?)_(?P<mode>" + "|".join(sorted(MODES, key=len, reverse=True))
                      + r")_\d{8}_\d{6}$")
_RUN_DIR = re.compile(r"^n(?P<n>\d+)_rep(?P<rep>\d+)(?:_|$)")


@dataclass
class RunMeta:
    """What is known about one recorded run besides its events (from its path, results.json, runs.parquet)."""

    key: str
    """The run's directory as the harness names it (`runs/<model>/<experiment>/<p>/<nN_repR_...>`)."""
    model_dir: str = "unknown"
    exp_dir: str = ""
    mode: str = "unknown"
    suite: str = "unknown"
    p_label: str = ""
    p_true: float | None = None
    n_teammates: int | None = None
    rep: int = 0
    success: bool | None = None
    wall_clock_seconds: float | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    """Any further per-run numbers the source gave (total_rounds, concurrent_writes, tokens, ...)."""

    @property
    def model(self) -> str:
        """`anthropic_claude-sonnet-4-6` -> `anthropic/claude-sonnet-4-6` (litellm's spelling)."""
        provider, sep, name = self.model_dir.partition("_")
        return f"{provider}/{name}" if sep else self.model_dir


def run_id(key: str) -> str:
    """A stable id for an imported run, derived from its harness directory name."""
    return "paper-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def canonical_key(parts: tuple[str, ...]) -> str:
    """A run directory's key from its path parts: the last four (model, experiment, p, run) under `runs/`."""
    tail = parts[-4:]
    return "runs/" + "/".join(tail) if len(tail) == 4 else "/".join(parts)


def meta_from_key(key: str) -> RunMeta:
    """What the harness's directory layout says about a run (model, mode, suite, p, n, rep)."""
    meta = RunMeta(key=key)
    parts = key.strip("/").split("/")
    m = _EXP_DIR.match(parts[-3]) if len(parts) >= 4 else None
    if m:  # the harness's layout: <model>/<suite>_<mode>_<date>_<time>/<pNN>/<nN_repR_...>
        meta.model_dir, meta.exp_dir, meta.suite, meta.mode = parts[-4], parts[-3], m["suite"], m["mode"]
        if re.fullmatch(r"p\d\d", parts[-2]):
            meta.p_label, meta.p_true = parts[-2], int(parts[-2][1:]) / 10
    m = _RUN_DIR.match(parts[-1])
    if m:
        meta.n_teammates, meta.rep = int(m["n"]), int(m["rep"])
    return meta


def architecture_of(mode: str, records: list[dict[str, Any]]) -> str:
    """teamtui's architecture for a harness mode; without a known mode, `lead` if a Lead agent spoke."""
    if mode in MODES:
        return MODES[mode]
    return "lead" if any(r.get("agent") == "Lead" for r in records) else "decentralized"


def teammates_of(records: list[dict[str, Any]]) -> int:
    """The team size a log states (`initialize`'s num_teammates), else its non-lead agents that replied."""
    init = next((r for r in records if r["type"] == "initialize"), {})
    if isinstance(init.get("num_teammates"), int | float):
        return int(init["num_teammates"])
    return len({r.get("agent") for r in records if r["type"] == "agent_reply" and r.get("agent") not in (None, "Lead")})


def fill_agents(records: list[dict[str, Any]]) -> None:
    """Give each action without an agent the agent of the last reply (in place)."""
    last = ""
    for r in records:
        if r["type"] == "agent_reply":
            last = str(r.get("agent") or "")
        elif r["type"] in ACTIONS | SPOKEN and not r.get("agent") and not r.get("sender"):
            r["agent"] = last


def _round(r: dict[str, Any]) -> int | None:
    value = r.get("round")
    return int(value) if isinstance(value, int | float) else None


def reply_latencies(records: list[dict[str, Any]]) -> list[tuple[int, str, float]]:
    """(round, agent, reply ts - round start ts) for each reply, as the notebook computes latency."""
    starts = {_round(r): float(r["ts"]) for r in records if r["type"] == "round_start" and r.get("ts") is not None}
    out = []
    for r in records:
        rnd = _round(r)
        if r["type"] == "agent_reply" and rnd in starts and r.get("ts") is not None and rnd is not None:
            out.append((rnd, str(r.get("agent") or ""), float(r["ts"]) - starts[rnd]))
    return out


def harness_stats(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The notebook's per-run numbers: messages, idle rounds, rewrites, test failures, straggler gaps by
    round, and the harness's own concurrent writes, claims blocked and lock conflicts."""
    replies = [r for r in records if r["type"] == "agent_reply"]
    reply_rounds = {_round(r) for r in replies} - {None}
    complete_rounds = {_round(r) for r in records if r["type"] == "complete_task"}
    edits = [(rnd, str(r["path"]), str(r.get("agent") or "")) for r in records
             if r["type"] == "edit_file" and r.get("path") is not None and (rnd := _round(r)) is not None]
    first: dict[str, int] = {}
    for rnd, path, _ in edits:
        first[path] = min(first.get(path, rnd), rnd)
    writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    for r in records:
        if r["type"] == "edit_file" and r.get("path") is not None:
            writers[(_round(r) or 0, str(r["path"]))].add(str(r.get("agent") or ""))
    by_round: dict[int, list[float]] = defaultdict(list)
    lo, hi = LATENCY_WINDOW
    for rnd, _, lat in reply_latencies(records):
        if lo < lat < hi:
            by_round[rnd].append(lat)
    gaps = [max(v) - sum(v) / len(v) for _, v in sorted(by_round.items()) if len(v) >= 2]
    return {
        "messages": len(replies),
        "idle_rounds": len(reply_rounds - complete_rounds),
        "rewrites": sum(1 for rnd, path, _ in edits if rnd > first[path]),
        "test_failures": sum(1 for r in records if r["type"] == "run_tests" and r.get("returncode") is not None
                             and int(r["returncode"]) in TEST_FAILURES),
        "round_gaps": gaps,
        "concurrent_writes_events": sum(1 for agents in writers.values() if len(agents) > 1),
        "claims_blocked_events": sum(1 for r in records if r["type"] == "claim_blocked"),
        "lock_conflicts_events": sum(1 for r in records if r["type"] == "lock_attempt" and r.get("ok") is False),
    }


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
        named = [str(a) for a in init.get("agents") or ()]
        seen = [str(r[k]) for r in records for k in ("agent", "sender", "assigner", "assignee") if r.get(k)]
        self.agents = tuple(dict.fromkeys([*named, *seen]))
        self.workers = tuple(a for a in self.agents if a != "Lead")
        self.versions: dict[str, int] = defaultdict(int)
        self.round = 0
        self.round_t = 0.0
        self.last_reply = ""
        self.pending: list[str] = []
        self.call_of: dict[str, tuple[int, float]] = {}
        self.calls = 0
        self.msgs = 0

    def emit(self, cls: type[ev.Event], **kw: Any) -> None:
        self.out.append(cls(seq=len(self.out), t=self.t, **kw))

    def clock(self, r: dict[str, Any]) -> None:
        if r.get("ts") is not None:
            self.t = max(self.t, float(r["ts"]) - self.t0)

    def run(self) -> list[ev.Event]:
        m = self.meta
        architecture = architecture_of(m.mode, self.records)
        self.emit(ev.RunStarted, scenario=f"paper {m.model} {m.suite} {m.p_label or '?'} {m.mode} "
                  f"n{m.n_teammates if m.n_teammates is not None else len(self.workers)} rep{m.rep}",
                  seed=0, architecture=architecture, execution="rounds", consistency="locking", model=m.model,
                  agents=self.agents, roles=tuple("lead" if a == "Lead" else "worker" for a in self.agents),
                  tasks=self.tasks, p=m.p_true, pack=m.suite)
        replies: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self.records:
            rnd = _round(r)
            if r["type"] == "agent_reply" and rnd is not None:
                replies[rnd].append(r)
        reason = ""
        for r in self.records:
            self.clock(r)
            kind = r["type"]
            if kind == "round_start" and _round(r) is not None:
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
        self.pending = [str(r.get("agent") or "") for r in replies]
        self.emit(ev.RoundStarted, round=rnd, waiting_on=self.workers)
        lead_first = "Lead" in self.pending
        self.start_calls([a for a in self.pending if a == "Lead"] if lead_first else self.pending)

    def start_calls(self, agents: list[str]) -> None:
        """LLM calls start together: all at the round's start, or the teammates' after the lead's reply."""
        for a in agents:
            self.calls += 1
            self.call_of[a] = (self.calls, self.t)
            self.emit(ev.LLMCallStarted, agent=a, call=self.calls, round=self.round, model=self.meta.model)

    def end_round(self) -> None:
        if self.round:
            for a, (call, _) in self.call_of.items():  # a call with no reply logged
                self.emit(ev.LLMCallAbandoned, agent=a, call=call, round=self.round, reason="no reply recorded")
            self.call_of.clear()
            self.emit(ev.RoundEnded, round=self.round, slowest=self.last_reply, duration=self.t - self.round_t)
            self.round = 0

    def action(self, kind: str, r: dict[str, Any]) -> None:
        agent = str(r.get("agent") or "")
        task = str(r.get("task") or "")
        if kind in ACTIONS and not agent:
            return  # an action logged before any reply: no agent to give it to
        if kind == "agent_reply":
            if agent not in self.call_of:  # the lead has replied: its teammates' calls start now
                self.start_calls([a for a in self.pending if a != "Lead" and a not in self.call_of])
            call, since = self.call_of.pop(agent, (0, self.round_t))
            self.last_reply = agent
            self.emit(ev.LLMCallCompleted, agent=agent, call=call, round=_round(r) or self.round,
                      latency=max(0.0, self.t - since), tokens_in=0, tokens_out=0, cost_usd=None,
                      text=str(r.get("text") or ""))
        elif kind == "claim_task":
            self.emit(ev.TaskClaimed, agent=agent, task=task)
        elif kind == "claim_blocked":
            self.emit(ev.ClaimBlocked, agent=agent, task=task, missing=())
        elif kind == "lock_attempt" and r.get("ok") is False:
            self.emit(ev.LockDenied, agent=agent, path=str(r.get("path") or ""), holder="")
        elif kind == "edit_file":
            path = str(r.get("path") or "")
            self.versions[path] += 1
            v = self.versions[path]
            self.emit(ev.FileWritten, agent=agent, path=path, task=self.task_of(path), version=v, base_version=v - 1,
                      size=int(r.get("n_chars") or 0))
        elif kind == "run_tests":
            code = int(r["returncode"]) if r.get("returncode") is not None else -1
            self.emit(ev.TestsRan, agent=agent, task="", passed=code == 0, exit_code=code,
                      duration=float(r.get("seconds") or 0.0), output=str(r.get("stdout") or "")[-2000:])
        elif kind == "complete_task":
            self.emit(ev.TaskCompleted, agent=agent, task=task)
        elif kind == "assign_task":
            self.emit(ev.TaskAssigned, agent=str(r.get("assigner") or ""), task=task, to=str(r.get("assignee") or ""))
        elif kind in ("broadcast", "synthesize"):
            sender = str(r.get("sender") or agent)
            self.msgs += 1
            self.emit(ev.MessageSent, agent=sender, msg=self.msgs, to=tuple(a for a in self.agents if a != sender),
                      topic="chat" if kind == "broadcast" else "report",
                      text=str(r.get("message") or r.get("summary") or ""))

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
        self.emit(ev.RunFinished, status=status, reason=why,
                  makespan=span, rounds=rounds, done=done, total=len(self.tasks) or done)


def gap_summary(gaps: list[float]) -> float | None:
    """The mean straggler gap over a run's rounds (None without a round of two or more replies)."""
    return statistics.fmean(gaps) if gaps else None
