"""The coordination figures of Kim et al. 2025 (arXiv 2512.08296) that an event log supports, per architecture and
team size of a sweep, against the report's one 1-agent baseline (`teamtui.experiments.speedup`).

Per stratum (pack × p × execution × model), over the finished fault-free runs of a team and of its
baseline (the 1-agent runs of the same architecture, else of any; failed runs included, since failure
rates need them), with turns = replies (completed LLM calls):

* coordination overhead O = mean turns / mean baseline turns − 1 (0.5 is Kim's 50 %);
* coordination efficiency E_c = success rate / (mean turns / mean baseline turns);
* error amplification A_e = failure rate / baseline failure rate;
* message density c = agent-to-agent messages (per recipient) / turns, pooled over the runs (a ratio of
  sums; None where the source does not record messages).

O and E_c are then averaged over strata; A_e is the ratio of the failure rates averaged over strata (None
when the baselines never failed: the ratio is undefined; with a handful of baseline failures it is noisy,
so the entry counts them). Kim's redundancy (similarity of agents' outputs)
needs reply texts the sim does not write, and is not computed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from teamtui.experiments.measures import succeeded, value
from teamtui.experiments.speedup import Baselines
from teamtui.experiments.table import CellRun


def _turns(runs: Sequence[CellRun]) -> list[float]:
    return [v for r in runs if (v := value(r, "replies")) is not None]


def _rate(runs: Sequence[CellRun], ok: bool) -> float:
    return sum(1 for r in runs if succeeded(r) == ok) / len(runs)


def kim_table(rows: Sequence[CellRun]) -> dict[str, dict[str, Any]]:
    """`"<arch>|<n>"` -> overhead, efficiency, error amplification, message density, runs and strata."""
    rows = [r for r in rows if r.params.fault == "none" and r.status == "done" and r.metrics is not None]
    base = Baselines(rows)
    groups: dict[tuple[str, int], dict[tuple[Any, ...], list[CellRun]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        c = r.params
        groups[(c.architecture, c.size)][(c.pack, c.p, c.execution, c.model)].append(r)
    out = {}
    for (arch, n), strata in sorted(groups.items()):
        overhead, efficiency, fail, fail1 = [], [], [], []
        sent = turns = 0.0
        density_known = True
        runs = 0
        solos: dict[int, CellRun] = {}
        for runs_here in strata.values():
            solo = base.of(runs_here[0].params, successful=False)
            t, t1 = _turns(runs_here), _turns(solo)
            runs += len(runs_here)
            if t and t1 and statistics.fmean(t1) > 0:
                ratio = statistics.fmean(t) / statistics.fmean(t1)
                overhead.append(ratio - 1.0)
                efficiency.append(_rate(runs_here, True) / ratio if ratio > 0 else 0.0)
            if solo:
                fail.append(_rate(runs_here, False))
                fail1.append(_rate(solo, False))
                solos.update((id(r), r) for r in solo)
            for r in runs_here:
                m, k = value(r, "messages"), value(r, "replies")
                if m is None or k is None:
                    density_known = False
                else:
                    sent, turns = sent + m, turns + k
        f1 = statistics.fmean(fail1) if fail1 else None
        out[f"{arch}|{n}"] = {
            "coordination_overhead": statistics.fmean(overhead) if overhead else None,
            "coordination_efficiency": statistics.fmean(efficiency) if efficiency else None,
            "failure_rate": statistics.fmean(fail) if fail else None, "baseline_failure_rate": f1,
            "error_amplification": statistics.fmean(fail) / f1 if fail and f1 else None,
            "message_density": sent / turns if density_known and turns else None,
            "runs": runs, "strata": len(strata), "baseline_runs": len(solos),
            "baseline_failures": sum(1 for r in solos.values() if not succeeded(r))}
    return out
