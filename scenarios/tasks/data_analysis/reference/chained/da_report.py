"""Plain-text report (chained: built on da_format_summary.format_summary)."""

from __future__ import annotations

from da_format_summary import format_summary


def report(text: str, title: str, threshold: float = 1.5) -> str:
    return "\n".join([title, "=" * len(title), *format_summary(text, threshold)])
