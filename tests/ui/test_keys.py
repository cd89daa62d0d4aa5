"""Pilot tests of the monitor's keys and prompts on a live run whose virtual clock the test moves (`advance`):
fault keys while the team starts, the named fault target, prompts that pause the clock, clearing a delay,
agents 10-12, and quitting while the frame timer runs."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from teamtui.core import events as ev
from teamtui.scenario.load import with_overrides
from teamtui.ui.app import TeamApp
from teamtui.ui.screens.prompt import PromptScreen
from teamtui.ui.widgets.panes import AgentPane

from .conftest import advance, live_scenario, manual_app, notices, until
from .test_app import of, text_of

SMALL = (100, 30)


async def _type(pilot: object, app: TeamApp, text: str) -> None:
    """Replace what the open prompt holds with `text` and press Enter."""
    box = app.screen.query_one("#prompt-input", Input)
    box.value = ""
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def status(app: TeamApp) -> str:
    """The status line as shown."""
    return app.main.w_status.render().plain


def _hint(app: TeamApp) -> str:
    return text_of(app.screen.query_one("#prompt-hint", Static))


async def test_fault_keys_while_the_team_is_starting_name_the_missing_target(monkeypatch: pytest.MonkeyPatch) -> None:
    app = manual_app()
    run = app.run_handle
    assert run is not None
    real_start = type(run).start
    monkeypatch.setattr(run, "start", lambda: run)  # the run has not said who is in the team yet
    async with app.run_test(size=SMALL) as pilot:
        assert app.target == "" and not app.view.agents
        assert "target: none yet" in status(app)
        await pilot.press("k", "r", "s", "d", "x", "g", "p", "0", "f")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, PromptScreen)
        said = notices(app)
        assert sum("no agent to target yet" in m for m in said) == 6, said  # k r s d x g
        assert any("no agent to focus yet" in m for m in said), said  # 0 and f
        real_start(run)
        await advance(pilot, app, 0.0)
        assert app.panes and app.target == "ada"
        assert "target: ada (1)" in status(app)
        await pilot.press("k")
        await until(pilot, lambda: bool(of(app, ev.AgentKilled)))
        assert [e.agent for e in of(app, ev.AgentKilled)] == ["ada"]
        await pilot.press("q")


async def test_quitting_stops_the_frame_timer_before_the_event_log_goes(recorded: list[ev.Event]) -> None:
    app = TeamApp(events=recorded)
    seen: list[object] = []
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: bool(app.panes))
        assert app.frame_timer is not None and app.frame_timer.target is app.screen  # stopped with the screen
        log = app.main.w_log.query_one("#log")
        leave = log._message_loop_exit

        async def spy() -> None:
            seen.append(app.frame_timer is not None and app.frame_timer._task is None)
            await leave()
            app.pending.append(ev.RoundStarted(seq=len(recorded), t=recorded[-1].t, round=99, waiting_on=()))
            try:  # a frame that fires now (the old app-level timer did) must not meet a log without its #log
                app.frame()
            except Exception as exc:
                seen.append(exc)

        log._message_loop_exit = spy  # type: ignore[method-assign]
        await pilot.press("q")
    assert seen == [True], seen


async def test_the_target_is_named_and_k_hits_it_after_tab_leaves_the_panes() -> None:
    app = manual_app()
    async with app.run_test(size=SMALL) as pilot:
        await advance(pilot, app, 1.0)
        await pilot.press("4")
        assert app.target == "dee" and "target: dee (4)" in status(app)
        for _ in range(6):
            if not isinstance(app.focused, AgentPane | Input):
                break
            await pilot.press("tab")
        assert app.focused is not None and not isinstance(app.focused, AgentPane | Input), app.focused
        assert app.target == "dee" and "target: dee (4)" in status(app)
        await pilot.press("k")
        await until(pilot, lambda: bool(of(app, ev.AgentKilled)))
        assert [e.agent for e in of(app, ev.AgentKilled)] == ["dee"]
        await pilot.press("q")


async def test_a_prompt_pauses_the_clock_says_so_and_resumes_unless_the_user_had_paused() -> None:
    app = manual_app()
    async with app.run_test(size=SMALL) as pilot:
        await advance(pilot, app, 1.0)
        assert not app.clock.paused
        await pilot.press("2", "d")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert app.clock.paused and app.prompt_paused
        assert "paused while you type" in status(app)
        assert "paused while you type" in text_of(app.screen.query_one("#prompt-note", Static))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert not app.clock.paused and "paused" not in status(app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await _type(pilot, app, "20 s")
        await until(pilot, lambda: bool(of(app, ev.AgentDelayed)))
        assert not app.clock.paused
        assert [(e.agent, e.factor, e.duration) for e in of(app, ev.AgentDelayed)] == [("bob", 3.0, 20.0)]  # type: ignore[attr-defined]
        await pilot.press("space")  # the user pauses: a prompt must leave the clock paused when it closes
        assert app.clock.paused
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert not app.prompt_paused and "paused while you type" not in status(app)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert app.clock.paused
        await pilot.press("q")


async def test_the_delay_prompt_refuses_nan_inf_and_1x_takes_20_s_and_clear_ends_the_delay() -> None:
    app = manual_app()
    async with app.run_test(size=SMALL) as pilot:
        await advance(pilot, app, 1.0)
        await pilot.press("3", "d")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        for typed, why in (("nan", "not a delay"), ("inf", "not a delay"), ("1e999s", "too large"),
                           ("1x", "changes nothing"), ("0x", "from 1 to")):
            await _type(pilot, app, typed)
            assert isinstance(app.screen, PromptScreen), typed
            assert why in _hint(app), (typed, _hint(app))
        assert not of(app, ev.AgentDelayed) and not of(app, ev.FaultInjected)
        await _type(pilot, app, "4x 20 s")
        await until(pilot, lambda: bool(of(app, ev.AgentDelayed)))
        delayed = of(app, ev.AgentDelayed, "cy")
        assert [(e.factor, e.duration) for e in delayed] == [(4.0, 20.0)]  # type: ignore[attr-defined]
        app.frame()
        assert "delayed" in text_of(app.query_one("#agent-cy", AgentPane).title_line)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await _type(pilot, app, "clear")
        await until(pilot, lambda: bool(of(app, ev.AgentDelayEnded)))
        assert [e.agent for e in of(app, ev.AgentDelayEnded)] == ["cy"]
        assert [e.fault for e in of(app, ev.FaultInjected)] == ["delay", "undelay"]  # type: ignore[attr-defined]
        await advance(pilot, app, 2.0)
        assert "delayed" not in text_of(app.query_one("#agent-cy", AgentPane).title_line)
        await pilot.press("d")  # clearing again: said, not injected
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await _type(pilot, app, "clear")
        assert any("no delay to clear" in m for m in notices(app))
        assert len(of(app, ev.FaultInjected)) == 2
        await pilot.press("q")


async def test_agents_ten_to_twelve_can_be_focused_and_targeted() -> None:
    app = manual_app(with_overrides(live_scenario(), size=12))
    async with app.run_test(size=(160, 48)) as pilot:
        await advance(pilot, app, 0.5)
        names = [p.agent for p in app.panes]
        assert len(names) == 12
        await pilot.press("0")
        assert app.target == names[9] and isinstance(app.focused, AgentPane) and app.focused.agent == names[9]
        assert f"target: {names[9]} (10)" in status(app)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await _type(pilot, app, "13")
        assert "from 1 to 12" in _hint(app)
        await _type(pilot, app, "11")
        await until(pilot, lambda: app.target == names[10])
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await _type(pilot, app, names[11].upper())
        await until(pilot, lambda: app.target == names[11])
        assert f"target: {names[11]} (12)" in status(app)
        await pilot.press("k")
        await until(pilot, lambda: bool(of(app, ev.AgentKilled)))
        assert [e.agent for e in of(app, ev.AgentKilled)] == [names[11]]
        await pilot.press("q")
