"""Small files in the paper harness's formats (written here, not copied): one 2-agent decentralized run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MODEL = "anthropic_claude-sonnet-4-6"
EXP = "amdahl_mathutilities20_decentralized_20260301_120000"
RUN = "n2_rep0_120000_000001"
KEY = f"runs/{MODEL}/{EXP}/p05/{RUN}"

# Round 1 starts at 1000.5: Dev1 replies after 9.5 s, Dev2 after 19.5 s (gap 19.5 - 14.5 = 5.0); Dev2's lock
# on add.py is denied. Round 2 starts at 1021: Dev2 after 4 s, Dev1 after 10 s (gap 10 - 7 = 3.0); both
# write add.py (one concurrent write; two rewrites of a file first written in round 1); one test run fails.
RECORDS: list[dict[str, Any]] = [
    {"type": "run_start", "ts": 1000.0},
    {"type": "initialize", "project": "math", "agents": ["Dev1", "Dev2"], "num_teammates": 2, "ts": 1000.1},
    {"type": "round_start", "round": 1, "ts": 1000.5},
    {"type": "agent_reply", "agent": "Dev1", "round": 1, "text": "<claim_task id='task-1'/>", "ts": 1010.0},
    {"type": "claim_task", "agent": "Dev1", "task": "task-1", "round": 1, "ts": 1010.1},
    {"type": "lock_attempt", "agent": "Dev1", "path": "add.py", "ok": True, "round": 1, "ts": 1010.2},
    {"type": "edit_file", "agent": "Dev1", "path": "add.py", "n_chars": 40, "round": 1, "ts": 1010.3},
    {"type": "agent_reply", "agent": "Dev2", "round": 1, "text": "<claim_task id='task-2'/>", "ts": 1020.0},
    {"type": "claim_blocked", "agent": "Dev2", "task": "task-2", "reason": "dependencies_not_done", "round": 1,
     "ts": 1020.1},
    {"type": "lock_attempt", "agent": "Dev2", "path": "add.py", "ok": False, "round": 1, "ts": 1020.2},
    {"type": "round_start", "round": 2, "ts": 1021.0},
    {"type": "agent_reply", "agent": "Dev2", "round": 2, "text": "done", "ts": 1025.0},
    {"type": "lock_attempt", "agent": "Dev2", "path": "add.py", "ok": True, "round": 2, "ts": 1025.1},
    {"type": "edit_file", "agent": "Dev2", "path": "add.py", "n_chars": 50, "round": 2, "ts": 1025.2},
    {"type": "broadcast", "sender": "Dev2", "message": "add.py fixed", "round": 2, "ts": 1025.3},
    {"type": "agent_reply", "agent": "Dev1", "round": 2, "text": "tests", "ts": 1031.0},
    {"type": "lock_attempt", "agent": "Dev1", "path": "add.py", "ok": True, "round": 2, "ts": 1031.1},
    {"type": "edit_file", "agent": "Dev1", "path": "add.py", "n_chars": 60, "round": 2, "ts": 1031.2},
    {"type": "run_tests", "returncode": 1, "seconds": 0.5, "stdout": "1 failed", "stderr": "", "round": 2,
     "ts": 1031.8},
    {"type": "complete_task", "agent": "Dev1", "task": "task-1", "round": 2, "ts": 1031.9},
    {"type": "run_end", "reason": "all_tasks_done", "round": 2, "ts": 1032.0},
]
TASKS = {"project": "math", "description": "", "repository": "repo", "success_criteria": "",
         "tasks": [{"id": "task-1", "title": "add", "files": ["add.py"], "dependencies": []},
                   {"id": "task-2", "title": "safe add", "files": ["safe_add.py"], "dependencies": ["task-1"]}]}
RESULT = {"run_dir": KEY, "success": True, "tasks_done": 2, "total_tasks": 2, "wall_clock_seconds": 33.0,
          "total_rounds": 2, "n_teammates": 2, "lock_conflicts": 1, "pre_assign": False, "p_label": "p05",
          "p_true": 0.5, "rep": 0, "total_input_tokens": 1200, "total_output_tokens": 300}


def write_run_tree(root: Path, extra_lines: list[str] | None = None) -> Path:
    """`root/runs/<model>/<experiment>/` with results.json and one run directory; returns the experiment dir."""
    exp = root / "runs" / MODEL / EXP
    run = exp / "p05" / RUN
    run.mkdir(parents=True)
    lines = [json.dumps(r) for r in RECORDS]
    for i, line in enumerate(extra_lines or []):
        lines.insert(3 + i, line)
    (run / "events.jsonl").write_text("\n".join(lines) + "\n")
    (run / "tasks.json").write_text(json.dumps(TASKS))
    (exp / "results.json").write_text(json.dumps([RESULT]))
    return exp


EVENT_COLUMNS = ("type", "ts", "run_dir", "agents", "num_teammates", "round", "agent", "path", "returncode", "seconds")


def write_parquet(data: Path, bad_event_rows: int = 0, bad_run_rows: int = 0) -> None:
    """`data/runs.parquet` + `data/events.parquet` as the repo keeps them: a column subset, no task ids, and
    no agent on the actions (the orchestrator logs them right after the acting agent's reply)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data.mkdir(parents=True)
    rows = []
    for r in RECORDS:
        row: dict[str, Any] = {c: r.get(c) for c in EVENT_COLUMNS}
        row["run_dir"] = KEY
        if r["type"] not in ("agent_reply", "claim_task"):
            row["agent"] = None
        if r["type"] == "lock_attempt":
            row["ts"] = None
        rows.append(row)
    rows += [{"type": None, "run_dir": KEY}] * bad_event_rows
    schema = pa.schema([("type", pa.string()), ("ts", pa.float64()), ("run_dir", pa.string()),
                        ("agents", pa.list_(pa.string())), ("num_teammates", pa.float64()), ("round", pa.float64()),
                        ("agent", pa.string()), ("path", pa.string()), ("returncode", pa.float64()),
                        ("seconds", pa.float64())])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), data / "events.parquet")
    run = {"run_dir": KEY, "model_dir": MODEL, "exp_dir": EXP, "mode": "decentralized", "task_type": "mathutilities20",
           "p_label": "p05", "p_true": 0.5, "n_teammates": 2, "rep": 0, "success": True, "wall_clock_seconds": 33.0,
           "total_rounds": 2, "concurrent_writes": 1, "claims_blocked": 1, "total_input_tokens": 1200,
           "total_output_tokens": 300}
    bad = {**run, "run_dir": KEY + "x", "wall_clock_seconds": -5.0}
    pq.write_table(pa.Table.from_pylist([run] + [bad] * bad_run_rows), data / "runs.parquet")
