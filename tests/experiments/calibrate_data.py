"""A tiny run database for the `teamtui calibrate` tests: a sweep of the sim itself with known knobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teamtui.experiments.sweep import sweep

TRUTH = {"files_per_turn": 2.0, "idle_rate": 0.15}
"""The behavioural knobs the runs were made with (the others at their defaults)."""
LATENCY = {"intercept": 2.0, "files_slope": 0.5, "idle_intercept": 1.0, "sigma": 0.3, "round_sigma": 0.2,
           "agent_sigma": 0.0, "run_sigma": 0.0}
"""No run or agent effects: a sweep gives every cell the same seeds, so such effects would be shared across cells."""

SCENARIO = """
[scenario]
name = "calibrate truth"
seed = 500

[team]
size = 2
architecture = "decentralized"
execution = "rounds"
model = "sim"
consistency = "none"

[team.sim]
verify = "harness"
files_per_turn = {files_per_turn}
idle_rate = {idle_rate}
test_rate = 0.7
test_time_s = 2.0
bug_rate = 0.0

[team.sim.latency]
{latency}

[task]
pack = "math_utils"
p = 0.5

[limits]
max_rounds = 40
max_time_s = 1000000000.0
lease_s = 1000000000.0
stall_after_s = 1000000000.0
"""


def truth_db(tmp: Path, packs: str = "math_utils", trials: int = 8, sizes: str = "1-3") -> Path:
    """A database with one sweep: sizes × pre-assigned and decentralized × p 0.5 × `packs` × `trials` trials."""
    scenario = tmp / "truth.toml"
    latency = "\n".join(f"{k} = {v}" for k, v in LATENCY.items())
    scenario.write_text(SCENARIO.format(latency=latency, **TRUTH), encoding="utf-8")
    db = tmp / "runs.db"
    options: dict[str, Any] = {"sizes": sizes, "arch": "preassigned,decentralized", "execution": None, "p": "0.5",
                               "packs": packs, "models": None, "faults": None, "trials": trials}
    sweep(db, scenario, options, None, 1)
    return db
