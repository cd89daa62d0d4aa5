"""The summary's per-agent table on literal event lists: a cost column for real models, none for the sim."""

from __future__ import annotations

import io

from rich.console import Console

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.ui.screens.summary import per_agent


def _events(model: str, costs: list[float | None]) -> list[ev.Event]:
    out: list[ev.Event] = [ev.RunStarted(seq=0, scenario="s", seed=1, architecture="preassigned", execution="rounds",
                                         consistency="locking", model=model, agents=("ada", "bob"),
                                         roles=("worker", "worker"), tasks=())]
    for i, cost in enumerate(costs):
        out.append(ev.LLMCallCompleted(seq=len(out), t=float(i), agent="ada" if i % 2 == 0 else "bob", call=i,
                                       round=1, latency=1.0, tokens_in=100, tokens_out=10, cost_usd=cost, text=""))
    return out


def text_of(events: list[ev.Event]) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(per_agent(RunState.of(events)))
    return console.export_text()


def test_real_models_get_a_cost_per_agent_and_unknown_prices_stay_unknown() -> None:
    out = text_of(_events("openai/gpt-4o-mini", [0.25, None, 0.5, 0.125]))
    assert "cost" in out
    ada = next(line for line in out.splitlines() if "ada" in line)
    bob = next(line for line in out.splitlines() if "bob" in line)
    assert "$0.7500" in ada and "unpriced" not in ada
    assert "$0.1250 + 1 unpriced" in bob


def test_the_sim_has_no_cost_column() -> None:
    out = text_of(_events("sim", [None, None]))
    assert "cost" not in out and "unpriced" not in out and "110" in out  # tokens are still counted
