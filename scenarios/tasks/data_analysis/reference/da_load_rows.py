"""Typed rows."""

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
