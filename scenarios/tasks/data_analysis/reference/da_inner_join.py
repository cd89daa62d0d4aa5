"""Inner join."""

from __future__ import annotations

def inner_join(left: list[dict], right: list[dict], key: str) -> list[dict]:
    index: dict = {}
    for r in right:
        index.setdefault(r[key], []).append(r)
    return [{**l, **r} for l in left for r in index.get(l[key], [])]
