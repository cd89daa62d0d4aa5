"""The paper harness's recorded runs in teamtui's terms: run metadata, its own per-run numbers, and events.

The harness (`emieczkowski/distributed-llm-teams`) writes one `events.jsonl` per run: records with a
`type` (`run_start`, `initialize`, `round_start`, `agent_reply`, `claim_task`, `claim_blocked`,
`lock_attempt`, `edit_file`, `run_tests`, `complete_task`, `assign_task`, `broadcast`, `synthesize`,
`run_end`), a Unix `ts` and the current `round`; its combined `events.parquet` keeps a subset of the
fields (no task ids, and no agent on the actions). The orchestrator logs an agent's actions right after
its `agent_reply`, so an action without an agent belongs to the agent of the last reply.
`paper_events.to_events` maps one run onto teamtui's vocabulary; `harness_stats` here computes the
numbers the paper's notebook derives from the events, its way (see DESIGN.md, "Metric definitions").
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

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


def number(value: Any) -> float:
    """A finite number of sane size (|x| < 1e15) from a record's field, else 0."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e15
    return float(value) if ok else 0.0


def record_round(r: dict[str, Any]) -> int | None:
    """A record's round as an int (None when it has none)."""
    value = r.get("round")
    return int(value) if isinstance(value, int | float) else None


def reply_latencies(records: list[dict[str, Any]]) -> list[tuple[int, str, float]]:
    """(round, agent, reply ts - round start ts) for each reply, as the notebook computes latency."""
    starts = {record_round(r): float(r["ts"]) for r in records
              if r["type"] == "round_start" and r.get("ts") is not None}
    out = []
    for r in records:
        rnd = record_round(r)
        if r["type"] == "agent_reply" and rnd in starts and r.get("ts") is not None and rnd is not None:
            out.append((rnd, str(r.get("agent") or ""), float(r["ts"]) - starts[rnd]))
    return out


def harness_stats(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The notebook's per-run numbers: messages, idle rounds, rewrites, test failures, straggler gaps by
    round, and the harness's own concurrent writes, claims blocked and lock conflicts."""
    replies = [r for r in records if r["type"] == "agent_reply"]
    reply_rounds = {record_round(r) for r in replies} - {None}
    complete_rounds = {record_round(r) for r in records if r["type"] == "complete_task"}
    edits = [(rnd, str(r["path"]), str(r.get("agent") or "")) for r in records
             if r["type"] == "edit_file" and r.get("path") is not None and (rnd := record_round(r)) is not None]
    first: dict[str, int] = {}
    for rnd, path, _ in edits:
        first[path] = min(first.get(path, rnd), rnd)
    writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    for r in records:
        if r["type"] == "edit_file" and r.get("path") is not None:
            writers[(record_round(r) or 0, str(r["path"]))].add(str(r.get("agent") or ""))
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
