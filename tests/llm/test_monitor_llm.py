"""The live monitor with a real model: the reply streams into the agent's pane while the call runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from teamtui.core import events as ev
from teamtui.ui.app import TeamApp
from teamtui.ui.widgets.panes import AgentPane
from tests.conftest import scenario_from
from tests.ui.conftest import until
from tests.ui.test_app import SIZE, text_of

from .conftest import scenario_text
from .fake_openai import FakeOpenAI, Reply, agent_of


async def test_a_streaming_reply_shows_in_the_agents_pane_as_it_arrives(mini_pack: Path, fake_key: str,
                                                                        tmp_path: Path) -> None:
    def handler(body: dict[str, Any]) -> Reply:
        if agent_of(body) == "ada":
            return Reply(text="Let me look at the board first and think it over carefully.", tool_calls=[("wait", {})])
        return Reply(tool_calls=[("wait", {})])

    with FakeOpenAI(handler, piece=4, chunk_delay=0.1) as server:
        text = scenario_text(mini_pack, server.url, size=2).replace("max_rounds = 8", "max_rounds = 2")
        app = TeamApp(scenario_from(text, tmp_path / "s.toml"), speed=1, summary_at_end=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: bool(app.query("#agent-ada")), timeout=60)
            pane = app.query_one("#agent-ada", AgentPane)
            await until(pilot, lambda: pane.live.display and "Let me look" in text_of(pane.live), timeout=60)
            await until(pilot, lambda: app.engine is not None and app.engine.finished, timeout=60)
            assert app.engine is not None
            await until(pilot, lambda: not pane.live.display, timeout=30)  # the finished reply moved into the stream
            assert any(isinstance(e, ev.LLMTokensStreamed) for e in app.engine.events)
