"""The status line over the footer: which agent the next fault key hits, and what the clock does while you type."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from teamtui.core.printable import shown


class StatusLine(Static):
    """`target: bob (2)` and the fault keys, or why there is no target yet; a note (paused while you type) on the
    right. The app sets `target`, `index` and `note`; the line redraws itself when one changes."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    target: reactive[str] = reactive("")
    """The agent the next fault key acts on ("" while the team is starting)."""
    index: reactive[int] = reactive(0)
    """Its position from 1 (its digit key), 0 when unknown."""
    note: reactive[str] = reactive("")
    """What the clock is doing while a prompt is open ("" otherwise)."""
    over: reactive[bool] = reactive(False)
    """Whether the run has ended (fault keys then do nothing, so the line does not offer them)."""

    def render(self) -> Text:
        out = Text()
        if self.over:
            out.append("the run has ended: faults no longer apply · m summary · 1–9 0 f: focus a pane", "dim")
        elif self.target:
            out.append("target: ", "dim")
            out.append(shown(self.target), "bold")
            if self.index:
                out.append(f" ({self.index})", "dim")
            if not self.note:
                out.append(" · k kill  r restart  d delay/clear  s stall  x isolate · 1–9 0 f: focus", "dim")
        else:
            out.append("target: none yet (no agent to target until the team has started)", "dim")
        if self.note:
            out.append("   ")
            out.append(f"⏸ {self.note}", "bold")
        return out
