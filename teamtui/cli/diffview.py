"""`teamtui diff`'s work: two recorded runs read back, compared (`teamtui.experiments.rundiff`), printed with rich."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from teamtui.cli.headless import describe_event
from teamtui.core import events as ev
from teamtui.core.errors import RunError
from teamtui.core.printable import shown
from teamtui.experiments.rundiff import (
    TIMELINE_MARKS,
    Divergence,
    MetricRow,
    agents_of,
    first_divergence,
    metric_rows,
    timeline,
)
from teamtui.metrics.summary import summarize
from teamtui.store.reader import ForkLink, load_events, load_fork, load_metrics, resolve_run


@dataclass
class Comparison:
    a: str
    b: str
    link: ForkLink | None
    """B's fork link when B is a fork of A."""
    metrics: list[MetricRow]
    divergence: Divergence | None
    end: float
    timelines: dict[str, tuple[str, str]]

    def as_json(self) -> dict[str, Any]:
        d = self.divergence
        return {"a": self.a, "b": self.b,
                "fork": {"parent": self.link.parent, "at_seq": self.link.at_seq, "at_t": self.link.at_t,
                         "change": self.link.change} if self.link else None,
                "metrics": [{"name": m.name, "a": m.a, "b": m.b, "delta": m.delta} for m in self.metrics],
                "first_divergence": None if d is None else {
                    "seq": d.seq, "t": d.t, "a": json.loads(ev.encode(d.a)) if d.a else None,
                    "b": json.loads(ev.encode(d.b)) if d.b else None},
                "timeline": {"end": self.end, "marks": TIMELINE_MARKS,
                             "agents": {k: {"a": a, "b": b} for k, (a, b) in self.timelines.items()}}}


def _metrics(path: Path, run_id: str, events: list[ev.Event]) -> dict[str, Any] | None:
    stored = load_metrics(path, run_id)
    if stored is None and events and isinstance(events[0], ev.RunStarted):
        return summarize(events).to_dict()  # a run that did not finish: its figures so far, the same definitions
    return stored


def compare(path: Path, a_ref: str, b_ref: str | None, width: int) -> Comparison:
    if b_ref is None:
        b = resolve_run(path, a_ref)
        link = load_fork(path, b)
        if link is None:
            raise RunError(f"run {b} is not a fork, so it has no parent to compare with; give two runs: "
                           f"teamtui diff A {b}")
        a = link.parent
        resolve_run(path, a)  # a parent that is gone is one line
    else:
        a, b = resolve_run(path, a_ref), resolve_run(path, b_ref)
        link = load_fork(path, b)
        link = link if link is not None and link.parent == a else None
    ea, eb = load_events(path, a), load_events(path, b)
    end = max([e.t for e in (ea[-1:] + eb[-1:])] or [0.0])
    names = list(dict.fromkeys(agents_of(ea) + agents_of(eb)))
    return Comparison(a, b, link, metric_rows(_metrics(path, a, ea), _metrics(path, b, eb)),
                      first_divergence(ea, eb), end,
                      {n: (timeline(ea, n, end, width), timeline(eb, n, end, width)) for n in names})


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def render(c: Comparison, console: Console | None = None) -> None:
    if console is None:
        import os

        console = Console()
        if not console.is_terminal and not os.environ.get("COLUMNS"):
            console = Console(width=160)  # piped: do not fold the timelines into 80 columns
    head = f"A {c.a}  vs  B {c.b}"
    if c.link is not None:
        head += f"  (B is a fork of A after event {c.link.at_seq}, t = {c.link.at_t:.1f} s)"
    console.print(Text(shown(head), style="bold"), highlight=False)
    t = Table(box=None, pad_edge=False)
    for col, just in (("metric", "left"), ("A", "right"), ("B", "right"), ("Δ B−A", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for m in c.metrics:
        delta = m.delta
        t.add_row(m.name, escape(_fmt(m.a)), escape(_fmt(m.b)),
                  "" if delta is None else "=" if delta == 0 else f"{delta:+,.0f}" if abs(delta) >= 1000
                  else f"{delta:+.3g}")
    console.print(t)
    d = c.divergence
    if d is None:
        console.print("the two logs are the same, event for event")
    else:
        console.print(Text(f"first divergence: event {d.seq} at {d.t:.1f} s", style="bold"))
        for side, e in (("A", d.a), ("B", d.b)):
            console.print(Text(shown(f"  {side}: " + (describe_event(e) if e is not None else "(its log has ended)"))),
                          highlight=False)
    legend = "  ".join(f"{m} {k}" for k, m in TIMELINE_MARKS.items() if k != "WriteConflicted")
    console.print(Text(f"timelines, 0 to {c.end:.0f} s ({legend})", style="bold"))
    pad = max((len(n) for n in c.timelines), default=0)
    for name, (a, b) in c.timelines.items():
        console.print(Text(shown(f"  {name:<{pad}} A {a}")), highlight=False)
        console.print(Text(f"  {'':<{pad}} B {b}"), highlight=False)
