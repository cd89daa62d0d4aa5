"""The end-of-run summary screen: the run's metrics, the per-agent table, and every fault with its recovery."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from teamtui.core.state import Agent, RunState
from teamtui.metrics import text
from teamtui.metrics.summary import RunMetrics


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
        from teamtui.metrics.tables import summary_table

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
        table.add_row(n, roles.get(n, a.role), str(a.calls),
                      text.token_total(a.tokens_in + a.tokens_out, a.est_tokens_in + a.est_tokens_out), *money,
                      str(a.done),
                      str(a.sent), text.pct(idle.get(n)), state.fate(n))
    return table


def _money(a: Agent) -> str:
    if a.cost is None:
        return f"unknown ({a.unpriced} unpriced)" if a.unpriced else "n/a"
    return f"${a.cost:.4f}" + (f" + {a.unpriced} unpriced" if a.unpriced else "")
