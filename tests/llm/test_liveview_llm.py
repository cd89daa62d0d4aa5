"""The monitor's model for real models: streamed text in the agent's pane, retries, rejected replies, costs."""

from __future__ import annotations

import msgspec

from teamtui.core import events as ev
from teamtui.core.state import RunState
from teamtui.ui.render import agent_title, live_line
from teamtui.ui.view import LiveView
from tests.test_liveview import START


def test_streamed_text_shows_while_the_call_runs_then_gives_way_to_the_reply() -> None:
    v = LiveView()
    v.apply(msgspec.structs.replace(START, model="openai/gpt-4o-mini"))
    v.apply(ev.LLMCallStarted(seq=1, t=1.0, agent="ada", call=0, round=1, model="openai/gpt-4o-mini"))
    v.apply(ev.LLMTokensStreamed(seq=2, t=1.2, agent="ada", call=0, text="I will claim\n"))
    v.apply(ev.LLMTokensStreamed(seq=3, t=1.4, agent="ada", call=0, text="subtask a now"))
    assert v.lines["ada"].live == "I will claim\nsubtask a now"
    assert live_line(v.lines["ada"].live).plain == "▸ I will claim subtask a now"
    v.apply(ev.LLMCallRetried(seq=4, t=1.5, agent="bob", call=1, attempt=1, error="RateLimitError: 429", wait_s=2))
    v.apply(ev.ReplyRejected(seq=5, t=1.6, agent="cy", call=2, problem="unknown action zap"))
    v.apply(ev.LLMCallCompleted(seq=6, t=2.0, agent="ada", call=0, round=1, latency=1.0, tokens_in=100,
                                tokens_out=20, cost_usd=0.0002, text="I will claim subtask a now"))
    v.apply(ev.LLMCallCompleted(seq=7, t=2.0, agent="bob", call=1, round=1, latency=1.0, tokens_in=100,
                                tokens_out=20, cost_usd=None, text=""))
    assert v.lines["ada"].live == "" and v.agents["ada"].cost == 0.0002 and v.agents["bob"].cost is None
    assert v.state.unpriced == 1 and v.state.cost == 0.0002 and v.agents["bob"].unpriced == 1
    assert v.state.rejected_replies == 1
    assert "↻ retry 1" in v.lines["bob"].stream[-2] and "⚠ unknown action zap" in v.lines["cy"].stream[-1]
    assert "$0.0002" in agent_title(v, "ada", 1).plain and "$" not in agent_title(v, "bob", 2).plain
    back = RunState.restore(v.state.snapshot())  # replay checkpoints keep costs
    assert back is not None and back.agents["ada"].cost == 0.0002 and back.unpriced == 1 and back == v.state
