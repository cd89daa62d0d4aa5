"""A small TOML writer for scenario data (tables, arrays of tables, scalars, lists, inline tables).

A run (a sweep cell, or a run with command-line overrides) is recorded with the scenario exactly as it
ran, so `teamtui rerun` can run it again; the standard library reads TOML but does not write it, and
scenario files need only this much of it.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError(f"TOML cannot hold {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(data: dict[str, Any]) -> str:
    """TOML text that `tomllib.loads` reads back as `data`."""
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    plain = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_array(v)}
    for k, v in plain.items():
        lines.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in data.items():
        if isinstance(v, dict):
            sub = [*path, _key(k)]
            lines.extend(["", f"[{'.'.join(sub)}]"])
            _table(v, sub, lines)
        elif _is_table_array(v):
            sub = [*path, _key(k)]
            for item in v:
                lines.extend(["", f"[[{'.'.join(sub)}]]"])
                _table(item, sub, lines)
