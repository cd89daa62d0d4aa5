"""The help screen: every key of the monitor, built from the app's own bindings so it can never drift from them."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from teamtui.ui.palette import palette_of


class HelpScreen(ModalScreen[None]):
    """The full key table, built from the app's bindings so it can never drift from them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    AUTO_FOCUS = "*"

    def __init__(self, bindings: list[BindingType]) -> None:
        super().__init__()
        self.bindings = [b for b in bindings if isinstance(b, Binding)]

    def compose(self) -> ComposeResult:
        table = Table(title="teamtui keys", expand=True, title_style="bold")
        table.add_column("key", style=f"bold {palette_of(self.app.get_css_variables()).primary}", no_wrap=True)
        table.add_column("action")
        table.add_column("what it does", style="dim")
        for b in self.bindings:
            keys = ", ".join(self.app.get_key_display(Binding(k, "")) for k in b.key.split(","))
            table.add_row(keys, b.description, b.tooltip)
        table.add_row("ctrl+p", "Palette", "search every action as 'category: action'")
        table.add_row("escape", "Back", "close this screen or prompt")
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Faults act on the target named in the status line over the footer: the last agent "
                              "focused (1–9, 0 for agent 10, f for any agent by number or name, tab), which stays "
                              "the target when tab moves on to other panes. A prompt (d, g, f, t) pauses the clock "
                              "while it is open and lets it go on when it closes, unless you had paused it. d then "
                              "clear ends an agent's delay. Select an entry in 'conflicts & faults' to jump the "
                              "event log to it. Filter the log with words, agent:NAME and kind:KIND.", style="dim"))
