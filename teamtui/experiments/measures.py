"""Per-run values of a sweep's rows by name, where a figure that a run's source does not measure is None, never 0.

A row's metrics are the JSON of `RunMetrics.to_dict()`. Imported runs (the paper harness's, with a
`paper_run` record) also carry what their source does not measure: `not_measured`, a list of the names
below, written by `teamtui import`; an import made before that list existed is read as the published
parquet data is (`PARQUET_NOT_MEASURED`). For them the paper's own per-run numbers stand in where the
events lack them: tokens are the run totals (`total_input_tokens` + `total_output_tokens`), replies,
idle rounds, concurrent writes, rewrites, claims blocked and test failures are the notebook's, and the
per-round straggler gaps are its (`round_gaps`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from teamtui.experiments.table import CellParams, CellRun

PARQUET_NOT_MEASURED = ("messages", "messages_per_subtask", "message_density", "conflicts")
"""What the harness's combined parquet cannot give: no broadcasts (agent-to-agent messages) and no lock
outcomes; and the harness has no claim or write conflicts in teamtui's sense at all."""
RUN_DIR_NOT_MEASURED = ("conflicts",)
"""A harness run directory keeps broadcasts and lock outcomes, but still no claim or write conflicts."""


def workers(params: CellParams) -> int:
    """Agents doing subtasks: all but a lead."""
    return max(1, params.size - 1) if params.architecture == "lead" else params.size


def amdahl(p: float, n: float) -> float:
    return 1.0 / ((1.0 - p) + p / n)


def get(m: Any, *path: str) -> Any:
    cur: Any = m
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _sum(*values: Any) -> float | None:
    known = [float(v) for v in values if v is not None]
    return sum(known) if known else None


def recovery_censored(m: dict[str, Any]) -> float | None:
    """The longest time until work a faulty agent held was claimed by a teammate: inf if some never was,
    None if the run has no fault that caught an agent holding work (nothing to recover)."""
    recs = [r for r in (get(m, "recoveries") or []) if r.get("held")]
    if not recs:
        return None
    times = [r.get("reclaim_s") for r in recs]
    return math.inf if any(t is None for t in times) else float(max(times))


def recovery_time(m: dict[str, Any]) -> float | None:
    """`recovery_censored` over runs whose held work was reclaimed (None otherwise)."""
    v = recovery_censored(m)
    return None if v is None or math.isinf(v) else v


def _unrecovered(m: dict[str, Any]) -> float | None:
    v = recovery_censored(m)
    return None if v is None else float(math.isinf(v))


def _tokens(m: dict[str, Any]) -> float | None:
    pr = m.get("paper_run")
    if isinstance(pr, dict):  # the run totals the harness kept; 0 means it recorded none (as the notebook reads it)
        total = _sum(pr.get("total_input_tokens"), pr.get("total_output_tokens"))
        return total if total else None
    return _sum(get(m, "paper", "tokens_in"), get(m, "paper", "tokens_out"))


def _cost_per_speedup(m: dict[str, Any]) -> float | None:
    tokens, s = _tokens(m), get(m, "speedup")
    return tokens / s if tokens is not None and s else None


def _paper(key: str, own: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    """The imported run's own number `key` where it has one, else the run's metric."""
    return lambda m: m["paper_run"].get(key) if isinstance(m.get("paper_run"), dict) else own(m)


def _gaps(m: dict[str, Any]) -> list[Any] | None:
    pr = m.get("paper_run")
    gaps = pr.get("round_gaps") if isinstance(pr, dict) else get(m, "paper", "round_gaps")
    return list(gaps) if isinstance(gaps, list | tuple) else None


def _gap_mean(m: dict[str, Any]) -> float | None:
    gaps = _gaps(m)
    return sum(gaps) / len(gaps) if gaps else None


def _density(m: dict[str, Any]) -> float | None:
    sent, turns = get(m, "messages_sent"), METRICS["replies"](m)
    return sent / turns if sent is not None and turns else None


METRICS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "makespan": lambda m: get(m, "makespan"),
    "speedup": lambda m: get(m, "speedup"),
    "efficiency": lambda m: get(m, "efficiency"),
    "amdahl_bound": lambda m: get(m, "amdahl_bound"),
    "replies": _paper("messages", lambda m: get(m, "paper", "messages")),
    "messages": lambda m: get(m, "messages_sent"),
    "messages_per_subtask": lambda m: get(m, "messages_per_subtask") if get(m, "subtasks") else None,
    "message_density": _density,
    "conflicts": lambda m: _sum(get(m, "claim_conflicts"), get(m, "write_conflicts"), get(m, "lock_denied")),
    "concurrent_writes": _paper("concurrent_writes", lambda m: get(m, "paper", "concurrent_writes")),
    "idle_rounds": _paper("idle_rounds", lambda m: get(m, "paper", "idle_rounds")),
    "rewrites": _paper("rewrites", lambda m: get(m, "paper", "rewrites")),
    "claims_blocked": _paper("claims_blocked", lambda m: get(m, "paper", "claims_blocked")),
    "test_failures": _paper("test_failures", lambda m: get(m, "paper", "test_failures")),
    "idle_fraction": lambda m: get(m, "idle_fraction"),
    "straggler_gap": _gap_mean,
    "tokens": _tokens,
    "cost_usd": lambda m: get(m, "cost_usd"),
    "cost_per_speedup": _cost_per_speedup,
    "recovery_s": recovery_time,
    "recovery_censored": recovery_censored,
    "unrecovered": _unrecovered,
    "fault_cost": lambda m: get(m, "fault_cost"),
}
"""Per-run values by name. `replies` = completed LLM calls (the paper's "messages"); `messages` = agent-to-agent
messages, per recipient; `message_density` = messages / replies (Kim et al.); `conflicts` = claim + write
conflicts + lock denials; `tokens` = in + out; `cost_per_speedup` = tokens per unit of speedup;
`straggler_gap` = the mean of a run's per-round gaps (the paper's window; None without a round of two replies);
`recovery_s` = time until a faulty agent's held work was reclaimed (runs where it was), `unrecovered` = 1
where it never was, `recovery_censored` = either (inf)."""


def not_measured(m: dict[str, Any]) -> tuple[str, ...]:
    """The names a run's source does not measure (see the module docstring)."""
    listed = m.get("not_measured")
    if isinstance(listed, list):
        return tuple(str(x) for x in listed)
    return PARQUET_NOT_MEASURED if isinstance(m.get("paper_run"), dict) else ()


def value(row: CellRun, name: str) -> float | None:
    """One run's value of a metric (None when the run, the metric, or its measurement is missing)."""
    m = row.metrics
    if m is None or name in not_measured(m):
        return None
    if name == "amdahl_bound" and get(m, "amdahl_bound") is None:
        return amdahl(row.params.p, workers(row.params))
    v = METRICS[name](m)
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def round_gaps(row: CellRun) -> list[float] | None:
    """The paper's per-round straggler gaps of a run (rounds with ≥ 2 replies in (0, 180) s; slowest − mean);
    None where not measured (async execution, or metrics stored before teamtui kept them)."""
    gaps = _gaps(row.metrics) if row.metrics is not None else None
    return [float(g) for g in gaps] if gaps is not None else None


def finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def succeeded(row: CellRun) -> bool:
    return row.status == "done" and row.metrics is not None and bool(row.metrics.get("success", True))
