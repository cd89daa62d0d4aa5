"""A long, realistic event stream for benchmarks: one recorded sim run repeated with fresh seq numbers and times.

The run is a 4-agent decentralized team with a kill on the virtual clock; its body (everything between
RunStarted and RunFinished) is repeated, shifted in time, until the stream has `n` events.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent

SCENARIO = """
[scenario]
name = "ui bench team"
seed = 4
[team]
size = 4
architecture = "decentralized"
[task]
{subtasks}
[[faults]]
at = 9
action = "kill"
agent = "bob"
[limits]
lease_s = 8
"""


def stream(n: int) -> list:
    from teamtui.core import events as ev
    from teamtui.launch import run_events
    from teamtui.scenario.load import parse_scenario

    subtasks = "\n".join(f'[[task.subtasks]]\nid = "t{i:02d}"' for i in range(20))
    run = run_events(parse_scenario(SCENARIO.format(subtasks=subtasks), ROOT / "bench" / "inline.toml"))
    body = [e for e in run if not isinstance(e, ev.RunStarted | ev.RunFinished)]
    out = [run[0]]
    span = run[-1].t + 1.0
    k = 0
    while len(out) < n:
        for e in body:
            out.append(msgspec.structs.replace(e, seq=len(out), t=round(e.t + k * span, 6)))
            if len(out) >= n:
                break
        k += 1
    return out


