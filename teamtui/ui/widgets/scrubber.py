"""The replay's timeline: how far the replay is, a mark where each fault or conflict happened; a click seeks there."""

from __future__ import annotations

from rich.text import Text
from textual import events as tev
from textual.message import Message
from textual.widgets import Static


class Scrubber(Static):
    """See the module docstring; it posts `Scrubber.Seek` when clicked."""

    DEFAULT_CSS = "Scrubber { height: 1; width: 1fr; }"

    class Seek(Message):
        """Seek to `fraction` (0 to 1) of the recording. Handled by the replay screen (`on_scrubber_seek`)."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def on_click(self, event: tev.Click) -> None:
        if self.size.width > 0:
            self.post_message(self.Seek(min(1.0, max(0.0, event.x / max(1, self.size.width - 1)))))


def timeline(pos: int, total: int, mark_cols: frozenset[int], width: int, played: str, rest: str, mark: str) -> Text:
    """A one-line bar: played part, the rest, and a ◆ in the columns where a fault or conflict happened."""
    cells = ["━" if total and i < width * pos / total else "─" for i in range(width)]
    styles = [played if c == "━" else rest for c in cells]
    for i in mark_cols:
        cells[i], styles[i] = "◆", mark
    out = Text()
    for c, st in zip(cells, styles, strict=True):
        out.append(c, st)
    return out
