"""`teamtui compare SWEEP_A SWEEP_B`: two sweeps' paper tables side by side, figure by figure.

For every figure of `teamtui.experiments.paper_table` that both sweeps have: A's and B's mean, 95 % CI and
runs, whether the two CIs overlap, and whether A's mean lies inside B's CI; then the count "k of N figures
of A inside B's CI". With B the paper's imported runs, that is how close A lands to the paper on the
paper's own metrics (44 figures for the paper's grid). A figure whose CI is missing (a single run) is not
comparable and is not counted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from teamtui.experiments.markdown_tables import label
from teamtui.experiments.paper_table import SECTIONS, Entry, paper_table
from teamtui.experiments.report import load, strict_json
from teamtui.experiments.speedup import rule_speedups
from teamtui.store.schema import RecorderError


def _inside(x: float, ci: list[float] | None) -> bool | None:
    return None if ci is None else ci[0] <= x <= ci[1]


def _overlap(a: list[float] | None, b: list[float] | None) -> bool | None:
    return None if a is None or b is None else a[0] <= b[1] and b[0] <= a[1]


def compare_tables(a: dict[str, dict[str, Entry]], b: dict[str, dict[str, Entry]]) -> dict[str, Any]:
    """Row by row comparison of two paper tables, and the counts."""
    rows = []
    for section in SECTIONS:
        sa, sb = a.get(section, {}), b.get(section, {})
        for key in sorted(set(sa) & set(sb), key=_order):
            ea, eb = sa[key], sb[key]
            rows.append({"figure": section, "key": key, "a": ea, "b": eb,
                         "ci_overlap": _overlap(ea["ci"], eb["ci"]), "a_mean_in_b_ci": _inside(ea["mean"], eb["ci"])})
    comparable = [r for r in rows if r["a_mean_in_b_ci"] is not None]
    inside = sum(1 for r in comparable if r["a_mean_in_b_ci"])
    overlap = sum(1 for r in rows if r["ci_overlap"])
    return {"rows": rows, "compared": len(comparable), "a_inside_b_ci": inside, "ci_overlap": overlap,
            "only_a": sum(len(set(a.get(s, {})) - set(b.get(s, {}))) for s in SECTIONS),
            "only_b": sum(len(set(b.get(s, {})) - set(a.get(s, {}))) for s in SECTIONS),
            "summary": f"{inside} of {len(comparable)} figures of A inside B's 95 % CI "
                       f"({overlap} of {len(rows)} CIs overlap)"}


def _order(key: str) -> tuple[str, float]:
    arch, _, x = key.partition("|")
    return arch, float(x)


def _cell(e: Entry, digits: int) -> str:
    ci = e["ci"]
    span = f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else ""
    return f"{e['mean']:.{digits}f}{span} ({e['runs']})"


def _yes(v: bool | None) -> str:
    return "—" if v is None else "yes" if v else "no"


def markdown(result: dict[str, Any], a_name: str, b_name: str) -> str:
    """The comparison as a Markdown table (as docs/sweeps.md shows it)."""
    out = [f"| figure | architecture, p or n | A: {a_name} mean [95 % CI] (runs) | B: {b_name} mean [95 % CI] (runs) "
           "| CIs overlap | A inside B's CI |", "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        d = 2 if r["figure"] in ("speedup", "straggler_gap_s") else 1
        axis = "p" if r["figure"] == "speedup" else "n"
        out.append(f"| {r['figure']} | {label(r['key'], axis)} | {_cell(r['a'], d)} | {_cell(r['b'], d)} | "
                   f"{_yes(r['ci_overlap'])} | {_yes(r['a_mean_in_b_ci'])} |")
    out += ["", f"**{result['summary']}.**"]
    return "\n".join(out)


def table_of(db: Path, ref: str) -> tuple[dict[str, Any], dict[str, dict[str, Entry]]]:
    meta, rows = load(db, ref)
    if not any(r.status == "done" for r in rows):
        raise RecorderError(f"sweep {meta['id']} has no finished runs yet; nothing to compare")
    return meta, paper_table(rule_speedups(rows))


def compare(db_a: Path, ref_a: str, db_b: Path, ref_b: str, fmt: str) -> dict[str, Any]:
    """Compare sweep `ref_a` (in `db_a`) with `ref_b` (in `db_b`) and print it as text, JSON or Markdown."""
    meta_a, ta = table_of(db_a, ref_a)
    meta_b, tb = table_of(db_b, ref_b)
    result = {"a": {**meta_a, "db": str(db_a), "paper_table": ta}, "b": {**meta_b, "db": str(db_b), "paper_table": tb},
              **compare_tables(ta, tb)}
    if fmt == "json":
        sys.stdout.write(json.dumps(strict_json(result), indent=1, allow_nan=False) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(markdown(result, meta_a["id"], meta_b["id"]) + "\n")
    else:
        _print(result, meta_a["id"], meta_b["id"])
    return result


def _print(result: dict[str, Any], a_name: str, b_name: str) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=160)
    table = Table(title=f"A = {a_name}   B = {b_name}: mean [95 % CI] (runs)", title_justify="left")
    for col in ("figure", "key", "A", "B", "CIs overlap", "A in B's CI"):
        table.add_column(col, no_wrap=True)
    for r in result["rows"]:
        d = 2 if r["figure"] in ("speedup", "straggler_gap_s") else 1
        table.add_row(r["figure"], r["key"], _cell(r["a"], d), _cell(r["b"], d), _yes(r["ci_overlap"]),
                      _yes(r["a_mean_in_b_ci"]))
    console.print(table)
    extra = [f"{result['only_a']} only in A" if result["only_a"] else "",
             f"{result['only_b']} only in B" if result["only_b"] else ""]
    console.print(result["summary"] + "".join(f"; {e}" for e in extra if e), highlight=False)
