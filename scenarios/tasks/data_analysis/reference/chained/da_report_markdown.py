"""Markdown report (chained: built on da_report.report)."""

from __future__ import annotations

from da_report import report


def report_markdown(text: str, title: str, threshold: float = 1.5) -> str:
    lines = report(text, title, threshold).split("\n")[2:]
    return "\n".join([f"## {title}", "", *(f"- {line}" for line in lines)])
