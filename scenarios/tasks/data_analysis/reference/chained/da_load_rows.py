"""Typed rows (chained: built on da_parse_csv.parse_csv)."""

from __future__ import annotations

from da_parse_csv import parse_csv


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
