"""Fault prompts: a one-line prompt screen, and the parsers of what is typed into it (a delay, partition groups)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from teamtui.core.faults import Delay

DEFAULT_DELAY = "3x 20s"


def parse_delay(text: str, agent: str = "") -> Delay:
    """'3x 20s' -> factor 3 for 20 s; '+5s' -> 5 s extra latency per call; empty -> the default."""
    out: dict[str, float] = {}
    for tok in (text.strip() or DEFAULT_DELAY).replace(",", " ").split():
        tok = tok.lower()
        try:
            if tok.endswith("x"):
                out["factor"] = float(tok[:-1])
            elif tok.startswith("+") and tok.endswith("s"):
                out["latency_s"] = float(tok[1:-1])
            elif tok.endswith("s"):
                out["seconds"] = float(tok[:-1])
            else:
                out["factor"] = float(tok)
        except ValueError:
            raise ValueError(f"'{tok}' is not a delay; write e.g. 3x, 20s or +5s") from None
    if any(v <= 0 for v in out.values()):
        raise ValueError("delay values must be positive")
    if out.get("factor", 2.0) < 1:
        raise ValueError("a delay factor must be at least 1 (3x = three times slower)")
    return Delay(agent, factor=out.get("factor"), seconds=out.get("seconds"), latency_s=out.get("latency_s"))


def parse_groups(text: str, agents: list[str], focused: str) -> tuple[tuple[str, ...], ...]:
    """'ada,bob | cy' -> the groups (the rest form a last group); empty -> isolate the focused agent."""
    if not text.strip():
        return ((focused,), tuple(a for a in agents if a != focused))
    groups = [tuple(n.strip() for n in part.split(",") if n.strip()) for part in text.split("|")]
    named = [n for g in groups for n in g]
    unknown = [n for n in named if n not in agents]
    if unknown:
        raise ValueError(f"no agent named {unknown[0]!r}; agents are {', '.join(agents)}")
    if len(set(named)) != len(named):
        raise ValueError("an agent may be in only one group")
    rest = tuple(a for a in agents if a not in named)
    if rest:
        groups.append(rest)
    groups = [g for g in groups if g]
    if len(groups) < 2:
        raise ValueError("a partition needs at least two groups, e.g. ada,bob | cy,dee")
    return tuple(groups)


class PromptScreen(ModalScreen[str | None]):
    """A one-line prompt; returns the text on Enter, None on Escape; shows parse errors inline."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    AUTO_FOCUS = "Input"

    def __init__(self, title: str, hint: str, check: Any, value: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.check, self.value = title, hint, check, value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Static(Text(self.title_text, style="bold"))
            yield Input(value=self.value, placeholder=self.hint, id="prompt-input")
            yield Static(Text(self.hint, style="dim"), id="prompt-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.check(event.value)
        except ValueError as exc:
            self.query_one("#prompt-hint", Static).update(Text(str(exc), style="bold red"))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
