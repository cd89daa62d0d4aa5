"""Z-scores (chained: built on da_add_stdevs.add_stdevs)."""

from __future__ import annotations

from da_add_stdevs import add_stdevs


def standardize(text: str) -> dict:
    frame = add_stdevs(text)
    z = [{c: ((r[c] - frame["means"][c]) / frame["stdevs"][c] if frame["stdevs"][c] else 0.0)
          for c in frame["numeric"]} for r in frame["rows"]]
    return {**frame, "z": z}
