"""Format the summary."""

from __future__ import annotations

import math


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


def add_stdevs(text: str) -> dict:
    frame = add_means(text)
    n = len(frame["rows"])
    sd = {c: math.sqrt(sum((r[c] - m) ** 2 for r in frame["rows"]) / n) for c, m in frame["means"].items()}
    return {**frame, "stdevs": sd}


def standardize(text: str) -> dict:
    frame = add_stdevs(text)
    z = [{c: ((r[c] - frame["means"][c]) / frame["stdevs"][c] if frame["stdevs"][c] else 0.0)
          for c in frame["numeric"]} for r in frame["rows"]]
    return {**frame, "z": z}


def flag_outliers(text: str, threshold: float = 1.5) -> dict:
    frame = standardize(text)
    out = [i for i, z in enumerate(frame["z"]) if any(abs(v) > threshold for v in z.values())]
    return {**frame, "outliers": out}


def clean_frame(text: str, threshold: float = 1.5) -> dict:
    frame = flag_outliers(text, threshold)
    bad = set(frame["outliers"])
    return {**frame, "clean": [r for i, r in enumerate(frame["rows"]) if i not in bad]}


def clean_means(text: str, threshold: float = 1.5) -> dict:
    frame = clean_frame(text, threshold)
    rows = frame["clean"]
    means = {c: sum(r[c] for r in rows) / len(rows) for c in frame["numeric"]} if rows else {}
    return {**frame, "clean_means": means}


def summary_rows(text: str, threshold: float = 1.5) -> list[tuple]:
    f = clean_means(text, threshold)
    return [(c, f["means"][c], f["clean_means"].get(c), f["stdevs"][c]) for c in sorted(f["numeric"])]


def format_summary(text: str, threshold: float = 1.5) -> list[str]:
    out = []
    for col, mean, clean, sd in summary_rows(text, threshold):
        c = "n/a" if clean is None else f"{clean:.2f}"
        out.append(f"{col}: mean={mean:.2f} clean={c} sd={sd:.2f}")
    return out
