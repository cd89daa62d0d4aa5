"""The monitor's other screens: help (every key), fault prompts (delay, partition) and the end-of-run summary."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from teamtui.core.state import Agent, RunState
from teamtui.metrics import text
from teamtui.metrics.summary import RunMetrics

DEFAULT_DELAY = "3x 20s"


class HelpScreen(ModalScreen[None]):
    """The full key table, built from the app's bindings so it can never drift from them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    AUTO_FOCUS = "*"

    def compose(self) -> ComposeResult:
        table = Table(title="teamtui keys", expand=True, title_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("what it does", style="dim")
        for b in self.app.BINDINGS:
            assert isinstance(b, Binding)
            keys = ", ".join(self.app.get_key_display(Binding(k, "")) for k in b.key.split(","))
            table.add_row(keys, b.description, b.tooltip)
        table.add_row("ctrl+p", "Palette", "search every action as 'category: action'")
        table.add_row("escape", "Back", "close this screen or prompt")
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Faults act on the focused agent (highlighted border). Select an entry in "
                              "'conflicts & faults' to jump the event log to it. Filter the log with words, "
                              "agent:NAME and kind:KIND.", style="dim"))


def parse_delay(text: str) -> dict[str, float]:
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
    return out


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


class SummaryScreen(ModalScreen[None]):
    """The end of the run: metrics, speedup against the bound, per-agent breakdown, faults and recovery."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,m", "dismiss", "Back to the run", id="summary.close"),
        Binding("q", "app.quit_run", "Quit", id="summary.quit", tooltip="Quit teamtui (the run is recorded)"),
    ]
    AUTO_FOCUS = "*"

    def __init__(self, state: RunState, metrics: RunMetrics) -> None:
        super().__init__()
        self.state, self.metrics = state, metrics

    def compose(self) -> ComposeResult:
        from teamtui.cli.headless import summary_table

        with VerticalScroll(id="summary-body"):
            yield Static(summary_table(self.metrics))
            yield Static(per_agent(self.state))
            yield Static(Text("escape: back to the run · q: quit", style="dim"))


def per_agent(state: RunState) -> Table:
    """Calls, tokens, subtasks completed, messages sent, idle fraction and fate of each agent, and for real
    models what each cost (a call whose price is unknown is counted apart, never as zero)."""
    priced = state.started is not None and state.started.model != "sim"
    idle = state.idle_by_agent()
    table = Table(title="per agent", title_justify="left", expand=False)
    cols = ["agent", "role", "calls", "tokens", *(["cost"] if priced else []), "subtasks done", "messages sent",
            "idle", "fate"]
    for col in cols:
        table.add_column(col, justify="left" if col in ("agent", "role", "fate") else "right")
    roles = dict(zip(state.started.agents, state.started.roles, strict=True)) if state.started else {}
    for n, a in state.agents.items():
        money = [_money(a)] if priced else []
        table.add_row(n, roles.get(n, a.role), str(a.calls), f"{a.tokens_in + a.tokens_out:,}", *money, str(a.done),
                      str(a.sent), text.pct(idle.get(n)), state.fate(n))
    return table


def _money(a: Agent) -> str:
    if a.cost is None:
        return f"unknown ({a.unpriced} unpriced)" if a.unpriced else "n/a"
    return f"${a.cost:.4f}" + (f" + {a.unpriced} unpriced" if a.unpriced else "")
