"""Format the summary (chained: built on da_summary_rows.summary_rows)."""

from __future__ import annotations

from da_summary_rows import summary_rows


def format_summary(text: str, threshold: float = 1.5) -> list[str]:
    out = []
    for col, mean, clean, sd in summary_rows(text, threshold):
        c = "n/a" if clean is None else f"{clean:.2f}"
        out.append(f"{col}: mean={mean:.2f} clean={c} sd={sd:.2f}")
    return out
