"""`teamtui runs`' list: which recorded runs it shows (hand-made ones unless asked), as a table that fits or JSON.

The run id is the one thing a reader copies from the list, so the table keeps it whole at any width: the
other columns give way first — `when` is left out (the id starts with the run's start time), then the
team's size, architecture and execution share one column, then the scenario and team texts are cut with
an ellipsis. JSON output is a list of objects with fixed keys (`FIELDS`), in the table's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from teamtui.core.printable import shown
from teamtui.store.reader import RunRow

FIELDS = ("id", "started", "scenario", "size", "architecture", "execution", "status", "makespan", "speedup",
          "faults", "sweep", "parent", "fork_at")
"""The keys of every object `teamtui runs --json` prints, in this order."""


@dataclass(frozen=True)
class Selection:
    """The runs to show, and what was left out: sweep cells (unless asked for) and runs past the limit."""

    runs: list[RunRow]
    hidden_cells: int
    cut: int


def select(rows: Sequence[RunRow], sweep: str | None, sweeps: bool, limit: int | None) -> Selection:
    """One sweep's cells (`sweep`), every run (`sweeps`), or the runs made by hand; then the newest `limit`."""
    if sweep is not None:
        kept = [r for r in rows if r.sweep == sweep]
        hidden = 0
    elif sweeps:
        kept, hidden = list(rows), 0
    else:
        kept = [r for r in rows if r.sweep is None]
        hidden = len(rows) - len(kept)
    cut = max(0, len(kept) - limit) if limit else 0
    return Selection(kept[:limit] if limit else kept, hidden, cut)


def status_of(r: RunRow, damaged: set[str]) -> str:
    return "damaged" if r.id in damaged else r.status


def as_json(runs: Sequence[RunRow], damaged: set[str]) -> list[dict[str, Any]]:
    """The runs as plain objects with the keys of `FIELDS` (None where a figure is not known)."""
    return [{"id": r.id, "started": r.started, "scenario": r.scenario, "size": r.size, "architecture": r.architecture,
             "execution": r.execution, "status": status_of(r, damaged), "makespan": r.makespan,
             "speedup": r.speedup, "faults": r.faults, "sweep": r.sweep, "parent": r.parent, "fork_at": r.fork_at}
            for r in runs]


FORK_MARK = "⑂ "
"""Marks a fork's scenario in the table; a line under the table names its parent."""


def fork_notes(runs: Sequence[RunRow]) -> list[str]:
    """One line per fork in the list: its parent and the last event it shares with it."""
    return [f"{FORK_MARK}{r.id} is a fork of {r.parent} after event {r.fork_at}" for r in runs if r.parent]


def _cells(r: RunRow, damaged: set[str]) -> dict[str, str]:
    return {"id": r.id, "when": r.started.replace("T", " ")[:16],
            "scenario": (FORK_MARK if r.parent else "") + r.scenario,
            "team": f"{r.size} · {r.execution}", "architecture": r.architecture,
            "status": status_of(r, damaged), "makespan": f"{r.makespan:.1f} s" if r.makespan is not None else "—",
            "speedup": f"{r.speedup:.2f}×" if r.speedup is not None else "—", "faults": str(r.faults),
            "team+arch": f"{r.size} {r.architecture} {r.execution}"}


RIGHT = ("makespan", "speedup", "faults")
FULL = ("id", "when", "scenario", "team", "architecture", "status", "makespan", "speedup", "faults")
COMPACT = ("id", "scenario", "team+arch", "status", "makespan", "speedup", "faults")
GAP = 2
"""Columns are separated by two spaces (no vertical lines: they would cost a column each)."""


def table(runs: Sequence[RunRow], damaged: set[str], width: int, title: str) -> Table:
    """The runs as a table at most `width` columns wide, the ids whole (see the module docstring)."""
    rows = [{k: shown(v) for k, v in _cells(r, damaged).items()} for r in runs]

    def natural(col: str) -> int:
        return max([cell_len(col.split("+")[0]), *(cell_len(row[col]) for row in rows)])

    widths = {c: natural(c) for c in FULL}
    widths["scenario"] = min(widths["scenario"], 36)
    cols: tuple[str, ...] = FULL
    if sum(widths[c] for c in cols) + GAP * (len(cols) - 1) > width:
        cols = COMPACT
        widths = {c: natural(c) for c in cols}
        widths["scenario"] = min(widths["scenario"], 36)
        excess = sum(widths.values()) + GAP * (len(cols) - 1) - width
        order = (("scenario", 20), ("team+arch", 10), ("scenario", 10), ("team+arch", 5), ("scenario", 5),
                 *((c, 1) for c in cols if c != "id"))  # then anything but the id, on a very narrow terminal
        for col, floor in order:
            cut = min(max(0, excess), widths[col] - floor)
            if cut > 0:
                widths[col] -= cut
                excess -= cut
    out = Table(title=escape(title), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                padding=(0, 0, 0, GAP - 1))  # the box's blank divider is the gap's other column
    for col in cols:
        out.add_column(col.split("+")[0], width=widths[col], no_wrap=True, overflow="ellipsis",
                       justify="right" if col in RIGHT else "left", min_width=widths[col] if col == "id" else None)
    for row in rows:  # every cell escaped: a name is neither markup nor a command to the terminal
        out.add_row(*(escape(row[c]) for c in cols))
    return out
