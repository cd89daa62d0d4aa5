"""teamtui's errors: one root, one subclass per area, each rendering as one sentence a person can act on.

    TeamtuiError
    ├── ScenarioError   a scenario file is unreadable or invalid (file, line, key path, value, fix)
    ├── TaskPackError   a task pack or task JSON file is missing or invalid
    ├── RunError        a run cannot start (e.g. a model backend that is not available)
    └── Interrupted     a run or sweep stopped by SIGINT or SIGTERM (exit code 130 or 143)

The CLI prints `str(error)` on one line and exits with code 2 (an `Interrupted`: 128 + the signal's number);
nothing else reaches the user.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path


class TeamtuiError(Exception):
    """The root of every error teamtui reports to a person."""


class ScenarioError(TeamtuiError):
    """A scenario file is invalid; the message names the file, line, key path, bad value and the fix."""

    def __init__(self, file: Path | str, message: str, key: str = "", line: int | None = None,
                 others: Sequence[ScenarioError] = ()) -> None:
        self.file = str(file)
        self.key = key
        self.line = line
        self.message = message
        self.others = tuple(others)
        """Further problems of the same file, found in the same pass (`teamtui validate` prints each)."""
        where = self.file if line is None else f"{self.file}:{line}"
        self.text = f"{where}: {key}: {message}" if key else f"{where}: {message}"
        """This one problem, on one line."""
        more = ""
        if self.others:
            n = len(self.others)
            more = f" (and {n} more problem{'s' if n > 1 else ''}: teamtui validate {self.file} lists every one)"
        super().__init__(self.text + more)

    @classmethod
    def of(cls, problems: Sequence[ScenarioError]) -> ScenarioError:
        """One error carrying several problems of a file: the first, with the rest as `others`."""
        first, *rest = problems
        return cls(first.file, first.message, first.key, first.line, others=[*first.others, *rest])

    @property
    def lines(self) -> list[str]:
        """Every problem, one line each."""
        return [self.text, *(o.text for o in self.others)]


class TaskPackError(TeamtuiError):
    """A task pack or a task JSON file is missing or invalid."""


class RunError(TeamtuiError):
    """A run cannot start or continue."""


class Interrupted(TeamtuiError):
    """A run or sweep ended by SIGINT or SIGTERM: one line, and exit code 128 + the signal's number (130, 143)."""

    def __init__(self, signum: int, message: str) -> None:
        self.exit_code = 128 + signum
        super().__init__(message)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def key_path(loc: Sequence[str | int]) -> str:
    """('faults', 1, 'agent') -> 'faults[1].agent' (0-based indices, as TOML arrays are read)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")


def locate(text: str, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of a key path in TOML text, best effort; None when it cannot be found.

    Tables and arrays of tables are followed by their headers (`[team.sim]`, the second `[[faults]]`),
    then the key is looked for inside that table, as `key =`, `key.sub =` or inside an inline table.
    """
    lines = text.splitlines()
    keys = [p for p in loc if isinstance(p, str)]
    if not keys:
        return None
    # Find the deepest table header that is a prefix of the path.
    best_line, best_depth = 0, 0
    counts: dict[str, int] = {}
    for i, raw in enumerate(lines):
        m = _HEADER.match(raw)
        if not m:
            continue
        name = m.group(2).replace('"', "").replace(" ", "")
        parts = name.split(".")
        if m.group(1) == "[[":
            counts[name] = counts.get(name, -1) + 1
        if not _matches(parts, loc, counts.get(name, 0) if m.group(1) == "[[" else None):
            continue
        if len(parts) > best_depth:
            best_line, best_depth = i + 1, len(parts)
    remaining = keys[best_depth:]
    start = best_line  # 0 when no header: search the top of the file
    if not remaining:
        return best_line or None
    key = remaining[0]
    pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*(=|\.)|[{{,]\s*\"?{re.escape(key)}\"?\s*=")
    for j in range(start, len(lines)):
        if _HEADER.match(lines[j]):
            break
        if pat.search(lines[j]):
            return j + 1
    return best_line or None


def _matches(parts: list[str], loc: Sequence[str | int], array_index: int | None) -> bool:
    """Whether header parts are a prefix of loc (for an array-of-tables header, at the right index)."""
    keys_only: list[str] = []
    idx_after: dict[int, int] = {}
    for p in loc:
        if isinstance(p, int):
            idx_after[len(keys_only) - 1] = p
        else:
            keys_only.append(p)
    if parts != keys_only[: len(parts)]:
        return False
    if array_index is not None:
        return idx_after.get(len(parts) - 1) == array_index
    return True
