"""Fault prompts: a one-line prompt screen that checks what is typed with one of `teamtui.ui.parsers`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from teamtui.ui.palette import palette_of
from teamtui.ui.parsers import DEFAULT_DELAY, parse_delay, parse_groups

__all__ = ["DEFAULT_DELAY", "PromptScreen", "parse_delay", "parse_groups"]


class PromptScreen(ModalScreen[str | None]):
    """A one-line prompt; returns the text on Enter, None on Escape; shows why a value is refused, inline.

    `note` is a line about the clock (the monitor pauses it while a prompt is open, and says so)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    AUTO_FOCUS = "Input"

    def __init__(self, title: str, hint: str, check: Callable[[str], Any], value: str = "", note: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.check, self.value, self.note = title, hint, check, value, note

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.title_text, style="bold"))
            yield Input(value=self.value, placeholder=self.hint, id="prompt-input")
            yield Static(Text(self.hint, style="dim"), id="prompt-hint")
            if self.note:
                yield Static(Text(self.note, style="italic"), id="prompt-note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.check(event.value)
        except ValueError as exc:
            error = palette_of(self.app.get_css_variables()).error
            self.query_one("#prompt-hint", Static).update(Text(str(exc), style=f"bold {error}"))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
