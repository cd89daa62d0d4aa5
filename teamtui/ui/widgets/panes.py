"""The monitor's panes: one per agent, the incidents list, and the filterable, searchable event log."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, OptionList, RichLog, Static
from textual.widgets.option_list import Option

from teamtui.core import events as ev
from teamtui.core.printable import shown
from teamtui.core.state import Incident
from teamtui.ui import redraw, render
from teamtui.ui.palette import DEFAULT, Palette
from teamtui.ui.view import LiveView
from teamtui.ui.words import incident_text

PANE_LINES = 200
LOG_LINES = 2_000
PER_FRAME = 300


class QuietLog(RichLog):
    """A `RichLog` that grows without laying the whole screen out again.

    Textual lays the screen out whenever a widget's virtual size changes, which a log's does with every line
    until it holds `max_lines`; but the monitor's logs are sized by the CSS, not by their lines, so a new
    line only has to move the scrollbar. (Its first appearance still lays the screen out: the scrollbar
    takes a column.)"""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    _batch = False

    def watch_virtual_size(self, size: Size) -> None:
        if not self._batch:
            self._scroll_update(size)  # what a layout would do for this widget alone: the scrollbars

    def write_lines(self, lines: Iterable[Text]) -> None:
        """Append lines, then follow the end once, in this frame (`write` scrolls after the next refresh, for
        each line: a second screen update)."""
        if not self.size:  # not laid out yet: the log keeps the lines until it is, and follows the end then
            for line in lines:
                self.write(line)
            return
        self._batch = True  # the scrollbars once for the batch, not once a line
        try:
            for line in lines:
                self.write(line, scroll_end=False)
        finally:
            self._batch = False
        self._scroll_update(self.virtual_size)
        if self.auto_scroll:
            self.scroll_end(animate=False, immediate=True, x_axis=False)


CONDITIONS = ("stalled", "straggler", "killed", "restarting")
"""The badges an agent pane also carries as a state class (`-killed`...), for the CSS to style the pane. The
activity badges (thinking, acting, waiting, idle) change with every call, and are shown by the title alone:
a class change restyles the pane's whole subtree, which at each call would cost more than the rest of a frame."""


class AgentGrid(VerticalScroll, can_focus=False, inherit_bindings=False):
    """The agent panes in a grid that scrolls when a big team's panes do not fit; it takes no keys (arrows step a
    replay, digits focus a pane, and focus scrolls a pane into view)."""


class AgentPane(Vertical, can_focus=True):
    """One agent: a title line (name, role, state badge, subtask, delay) over a stream of what it does."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__(id=f"agent-{name}", classes="agent")
        self.agent, self.index = name, index
        self.shown_seq = 0
        self.state = ""
        self.title_line = Static(id=f"title-{name}", classes="agent-title")
        self.stream = QuietLog(max_lines=PANE_LINES, wrap=False, markup=False, auto_scroll=True,
                              classes="agent-stream")
        self.stream.can_focus = False
        self.live = Static(id=f"live-{name}", classes="agent-live")
        self.live.display = False
        self.shown_live = ""
        self.shown_title: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield self.title_line
        yield self.live
        yield self.stream

    class Targeted(Message):
        """The pane got the focus: its agent is now the target of the next fault. Handled by the screen
        (`on_agent_pane_targeted`)."""

        def __init__(self, agent: str) -> None:
            super().__init__()
            self.agent = agent

    def on_focus(self) -> None:
        self.post_message(self.Targeted(self.agent))

    def sync(self, view: LiveView, pal: Palette = DEFAULT) -> None:
        a = view.lines_of(self.agent)
        state = view.agent_state(self.agent)
        styled = state if state in CONDITIONS else "none"  # ("": not known, after replay reinstalls a view)
        if styled != self.state:  # one restyle of the pane, not one per class (each restyles its whole subtree)
            self.remove_class(*(f"-{b}" for b in CONDITIONS if b != styled), update=False)
            if styled in CONDITIONS:
                self.add_class(f"-{styled}", update=False)
            self.update_node_styles()
            self.state = styled
        title = render.agent_title(view, self.agent, self.index, pal)
        if redraw.text_key(title) != self.shown_title:  # most frames change only the clock, not the title
            self.shown_title = redraw.text_key(title)
            self.title_line.update(title, layout=False)
        if a.live != self.shown_live:  # a real model's reply as it streams in; gone when the call ends
            self.shown_live = a.live
            self.live.display = bool(a.live)
            if a.live:
                self.live.update(render.live_line(a.live), layout=False)
        new = a.seq - self.shown_seq
        if new > 0:
            self.stream.write_lines(Text(shown(line)) for line in list(a.stream)[-min(new, PANE_LINES):])
            self.shown_seq = a.seq


class Incidents(OptionList):
    """The state's incidents (conflicts, stalls, stragglers, faults, recoveries...) with their times; Enter jumps
    the log there. Sized by the CSS, so a new incident does not lay the screen out (see `QuietLog`)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    class Jump(Message):
        """An incident was chosen: show the event log at its event. Handled by the screen (`on_incidents_jump`)."""

        def __init__(self, seq: int) -> None:
            super().__init__()
            self.seq = seq

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.seqs):
            self.post_message(self.Jump(self.seqs[event.option_index]))

    def __init__(self) -> None:
        super().__init__(id="incidents")
        self.rev = -1
        self.seqs: list[int] = []
        self.keys: list[tuple[str, tuple[object, ...], str]] = []

    def sync(self, view: LiveView, pal: Palette = DEFAULT) -> None:
        if view.state.incidents_rev == self.rev:
            return
        self.rev = view.state.incidents_rev
        items = view.state.incident_list()
        at_end = self.highlighted is None or self.highlighted >= self.option_count - 1
        prompts = [self._prompt(i, pal) for i in items]
        keys = [redraw.text_key(p) for p in prompts]
        seqs = [i.seq for i in items]
        common = min(len(seqs), len(self.seqs))
        if seqs[:common] == self.seqs[:common] and len(seqs) >= len(self.seqs):
            # The usual change: incidents added at the end, maybe one earlier entry updated (a recovery time).
            # Emptying the list first would hide its scrollbar, then show it again: two layouts of the screen.
            for i in range(common):
                if keys[i] != self.keys[i]:
                    self.replace_option_prompt_at_index(i, prompts[i])
            self.add_options([Option(p) for p in prompts[common:]])
        else:
            self.clear_options()
            self.add_options([Option(p) for p in prompts])
        self.seqs, self.keys = seqs, keys
        if at_end and items:
            self.highlighted = len(items) - 1

    @staticmethod
    def _prompt(i: Incident, pal: Palette) -> Text:
        out = Text(f"{i.t:6.1f}s ", "dim")
        out.append(f"{render.KIND_MARK.get(i.kind, '·')} ", pal.kind(i.kind))
        out.append(shown(incident_text(i)))
        return out


def matches(e: ev.Event, words: list[str]) -> bool:
    """The log filter: `agent:NAME`, `kind:TEXT` (substring of the event kind) and free words."""
    line = None
    for w in words:
        if w.startswith("agent:"):
            if e.agent != w[6:]:
                return False
        elif w.startswith("kind:"):
            if w[5:].lower() not in e.kind.lower():
                return False
        else:
            line = line if line is not None else render.event_line(e).plain.lower()
            if w.lower() not in line:
                return False
    return True


class EventLog(Vertical):
    """Every event, newest last, with a filter line; `jump_to(seq)` shows and highlights one event."""

    def __init__(self) -> None:
        super().__init__(id="eventlog")
        self.words: list[str] = []
        self.shown_seq = -1
        self.mark: int | None = None
        self.palette = DEFAULT
        """The colours of the lines it writes (the screen sets it from the app's theme)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter the log: words, agent:NAME, kind:Conflict  (press / to focus)",
                    id="log-filter")
        log = QuietLog(max_lines=LOG_LINES, wrap=False, markup=False, auto_scroll=True, id="log")
        log.can_focus = False
        yield log

    class FilterChanged(Message):
        """The filter's words changed (`mark`: the event to highlight, after a jump): the screen, which has the
        events, rebuilds the log with them (`on_event_log_filter_changed`)."""

        def __init__(self, words: list[str], mark: int | None) -> None:
            super().__init__()
            self.words, self.mark = words, mark

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.words = event.value.split()
        mark, self.mark = self.mark, None
        self.post_message(self.FilterChanged(self.words, mark))

    def rebuild(self, events: Iterable[ev.Event], mark: int | None = None) -> None:
        log = self.query_one("#log", RichLog)
        log.clear()
        kept = [e for e in events if matches(e, self.words)][-LOG_LINES:]
        target = None
        for i, e in enumerate(kept):
            if e.seq == mark:
                target = i
            log.write(render.event_line(e, mark=e.seq == mark, pal=self.palette))
        self.shown_seq = kept[-1].seq if kept else self.shown_seq
        if target is not None:
            log.auto_scroll = False
            log.scroll_to(y=max(0, target - 3), animate=False)
        else:
            log.auto_scroll = True

    def reset(self) -> None:
        """Empty the log (a replay shows another point of the run: it is drawn again from there)."""
        self.query_one("#log", QuietLog).clear()
        self.shown_seq = -1

    def sync(self, view: LiveView) -> None:
        if view.seq <= self.shown_seq:
            return
        fresh = list(itertools.takewhile(lambda e: e.seq > self.shown_seq, reversed(view.log)))[::-1]
        log = self.query_one("#log", QuietLog)
        log.write_lines(render.event_line(e, pal=self.palette)
                        for e in [e for e in fresh if matches(e, self.words)][-PER_FRAME:])
        self.shown_seq = view.seq

    def jump_to(self, seq: int, view: LiveView) -> None:
        """Clear the filter and show the log around event `seq`, highlighted."""
        box = self.query_one("#log-filter", Input)
        if box.value:
            self.mark = seq
            box.value = ""  # the Changed handler rebuilds with the mark
        else:
            self.rebuild(view.log, mark=seq)
