"""Parse CSV text."""

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
