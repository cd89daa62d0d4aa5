"""Column means."""

from __future__ import annotations


def parse_csv(text: str) -> list[dict[str, str]]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return []
    header = [h.strip() for h in lines[0][1].split(",")]
    rows = []
    for n, line in lines[1:]:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != len(header):
            raise ValueError(f"line {n}: expected {len(header)} fields, got {len(fields)}")
        rows.append(dict(zip(header, fields)))
    return rows


def _convert(value: str) -> object:
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def load_rows(text: str) -> list[dict]:
    return [{k: _convert(v) for k, v in row.items()} for row in parse_csv(text)]


def load_frame(text: str) -> dict:
    header = next((line for line in text.splitlines() if line.strip()), "")
    columns = [h.strip() for h in header.split(",")] if header else []
    return {"columns": columns, "rows": load_rows(text)}


def drop_incomplete(text: str) -> dict:
    frame = load_frame(text)
    kept = [r for r in frame["rows"] if all(v is not None for v in r.values())]
    return {**frame, "rows": kept, "dropped": len(frame["rows"]) - len(kept)}


def numeric_columns(text: str) -> dict:
    frame = drop_incomplete(text)
    rows = frame["rows"]
    numeric = [c for c in frame["columns"]
               if rows and all(isinstance(r[c], (int, float)) and not isinstance(r[c], bool) for r in rows)]
    return {**frame, "numeric": numeric}


def add_totals(text: str) -> dict:
    frame = numeric_columns(text)
    return {**frame, "totals": {c: sum(r[c] for r in frame["rows"]) for c in frame["numeric"]}}


def add_means(text: str) -> dict:
    frame = add_totals(text)
    n = len(frame["rows"])
    return {**frame, "means": {c: t / n for c, t in frame["totals"].items()}}
