"""The paper's findings checked on a hand-built sweep: a claim holds only when significant in the paper's direction,
and a claim the sweep cannot test says so."""

from __future__ import annotations

from typing import Any

from teamtui.experiments.analysis import analyze
from teamtui.experiments.claims import claims, markdown
from teamtui.experiments.table import CellParams, CellRun


def row(size: int, arch: str, trial: int, **paper: Any) -> CellRun:
    return CellRun(CellParams("a", 0.9, size, arch, "rounds", "m", "none", trial, trial), f"{arch}{size}{trial}", "done",
                   {"makespan": 100.0 / size if arch == "preassigned" else 100.0, "success": True, "paper": paper})


def sweep() -> list[CellRun]:
    rows = []
    for t in range(12):
        for arch in ("preassigned", "decentralized"):
            more = 10 if arch == "decentralized" else 0
            rows.append(row(1, arch, t, messages=5))
            rows.append(row(3, arch, t, messages=20 + more + t, idle_rounds=t % 3 + more, concurrent_writes=1,
                            round_gaps=[2.0 + t / 10, 3.0] if arch == "decentralized" else [4.0 + t / 10, 5.0]))
    return rows


def test_claims_hold_only_when_significant_in_the_papers_direction() -> None:
    got = {c.claim: c for c in claims(analyze(sweep()))}
    assert got["decentralized: more replies"].holds is True
    assert got["decentralized: more idle rounds"].holds is True
    assert got["decentralized: lower speedup"].holds is True  # 3× vs 1×, each against its own 1-agent runs
    assert got["decentralized: smaller straggler gap"].holds is True
    assert "smaller at 1 of 1 sizes" in got["decentralized: smaller straggler gap"].evidence
    assert got["decentralized: more concurrent writes"].holds is False  # equal: no difference
    assert got["decentralized: more tokens"].holds is None  # the sweep records none
    assert got["speedup depends on p"].holds is None  # one p only


def test_two_sweeps_side_by_side_say_where_they_disagree() -> None:
    a = analyze(sweep())
    flipped = [r if r.params.size == 1 else CellRun(r.params, r.run_id, r.status, {
        **(r.metrics or {}), "paper": {**(r.metrics or {})["paper"], "messages": 100 - (r.metrics or {})["paper"][
            "messages"]}}) for r in sweep()]
    text = markdown(a, analyze(flipped), "A", "B")
    line = next(x for x in text.splitlines() if x.startswith("| decentralized: more replies"))
    assert "holds" in line and "does not hold" in line and line.endswith("| **no** |")
