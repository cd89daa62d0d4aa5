"""The monitor redraws only what changed: a clock tick redraws the clock, an event the widgets it touches, and
neither lays the screen out again when no widget's height can have changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.table import Table
from rich.text import Text

from teamtui.core import events as ev
from teamtui.ui import redraw
from teamtui.ui.app import TeamApp

from .conftest import until

SIZE = (140, 44)


def _spy(monkeypatch: pytest.MonkeyPatch, widget: Any, name: str, calls: list[tuple[str, bool]]) -> None:
    real: Callable[..., Any] = widget.update

    def update(content: Any = "", *, layout: bool = True) -> None:
        calls.append((name, layout))
        real(content, layout=layout)

    monkeypatch.setattr(widget, "update", update)


async def test_a_clock_tick_redraws_the_clock_and_an_event_what_it_changed(
        recorded: list[ev.Event], monkeypatch: pytest.MonkeyPatch) -> None:
    start = next(i for i, e in enumerate(recorded) if e.t >= 5.0)
    cut = next(i for i, e in enumerate(recorded) if e.t >= 6.0)
    app = TeamApp(events=recorded[:start])  # a run still going: its clock moves between events
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.panes) and app.view.seq == recorded[start - 1].seq)
        await pilot.pause()
        app.pending.extend(recorded[start:cut])  # a first redraw once laid out (the widgets' sizes are known)
        app.frame()
        calls: list[tuple[str, bool]] = []
        for name, widget in (("header", app.main.w_header), ("board", app.main.w_board), ("metrics", app.main.w_metrics),
                             *((f"title-{p.agent}", p.title_line) for p in app.panes)):
            _spy(monkeypatch, widget, name, calls)
        log_lines = len(app.main.w_log.query_one("#log").lines)  # type: ignore[attr-defined]
        layouts = app.screen._layout_updates if hasattr(app.screen, "_layout_updates") else None
        t = app.view.now

        app.frame()
        assert calls == []  # nothing new: nothing drawn

        app.view.state.advance(t + 0.3 if int(t + 0.3) == int(t) else t + 0.05)
        app.frame()
        assert calls == [("header", False)]  # within the same run second, only the clock moved

        app.view.state.advance(int(t) + 1.5)
        app.frame()
        drawn = dict(calls[1:])
        assert drawn.get("header") is False and drawn.get("metrics") is False  # elapsed time: no layout
        assert "board" not in drawn  # the task board does not depend on the clock
        assert len(app.main.w_log.query_one("#log").lines) == log_lines  # type: ignore[attr-defined]

        calls.clear()
        nxt = recorded[cut]
        app.pending.extend(recorded[cut:cut + 40])
        app.frame()
        changed = {name for name, _ in calls}
        assert "header" in changed and "metrics" in changed
        if any(isinstance(e, ev.TaskClaimed | ev.TaskCompleted) for e in recorded[cut:cut + 40]):
            assert ("board", False) in calls  # the board's rows did not change in number: no layout
        assert len(app.main.w_log.query_one("#log").lines) > log_lines  # type: ignore[attr-defined]
        assert nxt.seq <= app.view.seq
        if layouts is not None:
            assert app.screen._layout_updates == layouts


def test_fingerprints_tell_what_a_renderable_shows() -> None:
    def board(state: str, style: str = "cyan") -> Table:
        t = Table()
        t.add_column("subtask")
        t.add_column("state")
        t.add_row("t01", Text(state, style))
        return t

    assert redraw.fingerprint(board("claimed")) == redraw.fingerprint(board("claimed"))
    assert redraw.fingerprint(board("claimed")) != redraw.fingerprint(board("done"))
    assert redraw.fingerprint(board("done", "cyan")) != redraw.fingerprint(board("done", "green"))
    assert redraw.fingerprint(object()) != redraw.fingerprint(object())  # unknown renderables: always redrawn


def test_put_draws_when_the_content_changes_and_lays_out_when_its_rows_do() -> None:
    class Widget:
        def __init__(self) -> None:
            self.calls: list[tuple[str, bool]] = []

        def update(self, content: Any, *, layout: bool = True) -> None:
            self.calls.append((str(content), layout))

    w, drawn = Widget(), redraw.Drawn()
    put = redraw.put
    assert put(w, drawn, "x", 1, lambda: "a", rows=1)  # type: ignore[arg-type]
    assert not put(w, drawn, "x", 1, lambda: "b", rows=1)  # type: ignore[arg-type]  # same key: not even built
    assert not put(w, drawn, "x", 2, lambda: "a", rows=1)  # type: ignore[arg-type]  # new key, same content
    assert put(w, drawn, "x", 3, lambda: "c", rows=1)  # type: ignore[arg-type]
    assert put(w, drawn, "x", 4, lambda: "d", rows=2)  # type: ignore[arg-type]
    assert w.calls == [("a", True), ("c", False), ("d", True)]
