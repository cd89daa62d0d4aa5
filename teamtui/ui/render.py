"""Rich renderables for the monitor, drawn from a `LiveView`: header, task board, metrics, event lines.

Pure functions of the view (and the clock's state), coloured by a `Palette` of the app's theme (`pal`, by
default Textual's default theme's), with no Textual import, so they are cheap to test
and reused by the summary screen and the screenshots script. Every figure is read from the view's
`RunState` and written by `teamtui.metrics.text`, as the summary writes it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from teamtui.core import events as ev
from teamtui.core.printable import shown
from teamtui.metrics import text
from teamtui.ui.palette import DEFAULT, Palette
from teamtui.ui.view import LiveView
from teamtui.ui.words import delay_text, event_words, plural

SPARK = "▁▂▃▄▅▆▇█"
KIND_MARK = {
    "fault": "↯", "conflict": "⚠", "stall": "‖", "straggler": "»", "recovery": "✓", "lease": "◷",
    "partition": "✂", "stranded": "✗", "end": "■",
}
"""The incidents list marks each line's kind with one glyph in its colour (the words say the rest)."""


class ReplayPosition(NamedTuple):
    """Where a replay stands, for its header: the run, playing or not, the event shown, and the run's length."""

    run_id: str
    playing: bool
    pos: int
    total: int
    end_t: float


NAME_MIN = 12
"""The header cuts the scenario's name (or the replay's run id) to no fewer columns than this."""


def header(view: LiveView, speed: float, paused: bool, width: int = 200,
           replay: ReplayPosition | None = None, pal: Palette = DEFAULT) -> Text:
    """The header line fitted to `width` columns. The clock, the round, the speed and the run state always show;
    then, as room allows: who the barrier waits on, the straggler gap, the team; the name takes what is left."""
    s = view.started
    if s is None:
        return Text(" replay: before the first event" if replay else " starting…", no_wrap=True)
    must = Text()
    if replay is not None:
        must.append(f" event {replay.pos}/{replay.total}")
        must.append(f"  t = {view.now:.1f}s/{replay.end_t:.1f}s", "bold")
    else:
        must.append(f" t = {view.now:.1f}s", "bold")
    if s.execution == "rounds":
        must.append(f"  round {view.state.round}")
    must.append(f"  speed ×{speed:g} ")
    if view.finished:
        must.append(f" {view.finished.status} ", f"bold {pal.background} on {pal.primary}")
    elif paused:
        must.append(" PAUSED ", f"bold {pal.background} on {pal.warning}")
    else:
        must.append(" playing " if replay else " running ", f"bold {pal.background} on {pal.success}")
    extras: list[Text] = []
    if s.execution == "rounds" and not view.finished:
        waiting = [a for a in view.state.waiting_on if a in view.agents and view.agent_state(a) == "thinking"]
        if waiting:
            extras.append(Text(f"  barrier waits on {_names(waiting, 4)}", pal.warning))
        gap = view.state.straggler_gap()
        if gap is not None:
            extras.append(Text(f"  straggler gap {text.secs(gap)}", pal.warning if gap > 2 else ""))
    team = f"{s.architecture} · {s.execution} · {plural(len(s.agents), 'agent')} · seed {s.seed}"
    if replay is not None:
        name, team = Text(f" replay {shown(replay.run_id)} ", "bold reverse"), f"{shown(s.scenario)} · {team}"
    else:
        name = Text(f" {shown(s.scenario)} ", "bold reverse")
    room = width - must.cell_len - min(name.cell_len, NAME_MIN)
    shown_extras = []
    for x in extras:
        if x.cell_len <= room:
            shown_extras.append(x)
            room -= x.cell_len
    room += min(name.cell_len, NAME_MIN)
    out = Text(no_wrap=True, overflow="ellipsis")
    team_text = Text(f" {team} ", "dim")
    if name.cell_len + team_text.cell_len <= room:
        out.append_text(name)
        out.append_text(team_text)
    else:
        name.truncate(max(1, room), overflow="ellipsis")
        out.append_text(name)
    out.append_text(must)
    for x in shown_extras:
        out.append_text(x)
    return out


def _names(names: list[str], most: int) -> str:
    """`ada, bob`; past `most` names, `ada, bob, cy, dee +2`."""
    kept = ", ".join(shown(n) for n in names[:most])
    return kept + (f" +{len(names) - most}" if len(names) > most else "")


def agent_title(view: LiveView, name: str, index: int, pal: Palette = DEFAULT) -> Text:
    """A pane's title: index, name, role, state badge, then the markers (delayed, cut off), then the subtask and
    the calls; cut at the right edge, so what matters most comes first."""
    a = view.agents[name]
    state = view.agent_state(name)
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"{index} ", "dim")
    out.append(shown(name), "bold")
    if a.role == "lead":  # peers and workers are the rule: only the lead is named
        out.append(" lead", "bold dim")
    out.append(" ")
    out.append(f" {state} ", f"reverse {pal.badge(state)}")
    if a.delay is not None:
        out.append(f" delayed {delay_text(a.delay.factor, a.delay.extra_s, a.delay.duration)}", pal.warning)
    if any(name in g for g in view.state.partitioned) and len(view.state.partitioned) > 1:
        group = next(g for g in view.state.partitioned if name in g)
        out.append(f" cut off: {{{','.join(shown(n) for n in group)}}}", pal.error)
    if a.task:
        out.append(f" ▸ {shown(a.task)}", pal.primary)
    out.append(f"  {plural(a.calls, 'call')}", "dim")
    if a.cost is not None:
        out.append(f"  ${a.cost:.4f}", "dim")
    return out


def live_line(text: str, width: int = 56) -> Text:
    """The tail of a reply streaming in, on one line."""
    flat = " ".join(text.split())
    return Text("▸ " + flat[-width:], style="italic", no_wrap=True, overflow="crop")


BOARD_AFTER = 40
"""The task board shows what each subtask waits for (its "after" column) from this width on."""


def task_board(view: LiveView, width: int = 80, pal: Palette = DEFAULT) -> Table:
    """Every subtask in dependency order: its state, who holds it or is meant to, and (when wide) what it waits for."""
    after = width >= BOARD_AFTER
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False)
    table.add_column("subtask", no_wrap=True, ratio=3)
    table.add_column("state", no_wrap=True, ratio=3)
    if after:
        table.add_column("after", no_wrap=True, ratio=2, style="dim")
    for tid in _dependency_order(view):
        t = view.state.tasks[tid]
        if t.state == "claimed":
            label, style = f"claimed by {t.holder}", pal.task("claimed")
        elif t.assigned and t.state in ("ready", "blocked"):
            label, style = f"{t.state}, for {t.assigned}", pal.task(t.state)
        else:
            label, style = t.state, pal.task(t.state)
        if t.state != "done" and t.failed:
            label, style = label + " · failed", f"bold {pal.error}"
        if t.reclaimed and t.state != "done":
            label += " · reclaimed"
        name = tid or "(unnamed: the recording has no subtask ids)"
        cells = [Text(shown(name), style), Text(shown(label), style)]
        table.add_row(*cells, *([",".join(t.depends_on) or "—"] if after else []))
    return table


def _dependency_order(view: LiveView) -> list[str]:
    tasks = view.state.tasks
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(tasks):
        for tid, t in tasks.items():
            if tid not in placed and all(d in placed or d not in tasks for d in t.depends_on):
                placed.add(tid)
                order.append(tid)
    return order


def metrics(view: LiveView, width: int = 40, pal: Palette = DEFAULT) -> RenderableType:
    st = view.state
    b = view.bounds()
    fig = Table.grid(padding=(0, 1, 0, 0))
    fig.add_column(style="dim")
    fig.add_column()
    t1, estimated = view.t1()
    pred = t1 / b.amdahl if t1 and b.amdahl else None
    fig.add_row("elapsed/bound", f"{st.now:.1f}s / " + (f"{pred:.1f}s" if pred else "—"))
    running = st.finished is None
    sp = st.speedup_estimate(t1)
    est = " est." if (running or estimated) and sp is not None else ""
    fig.add_row("speedup/bound", f"{text.times(sp)}{est} / {text.times(b.amdahl)}")
    fig.add_row("subtasks done", f"{st.done}/{st.subtasks}")
    per = st.messages_per_subtask
    fig.add_row("messages", f"{st.sent}" + (f" ({per:.1f}/subtask)" if per is not None else ""))
    kinds = [f"{n} {kind}" for n, kind in ((st.claim_conflicts, "claim"), (st.write_conflicts, "write"),
                                           (st.lock_denied, "lock")) if n]
    fig.add_row("conflicts", f"{st.conflicts}" + (f" ({', '.join(kinds)})" if kinds else ""))
    fig.add_row("idle fraction", text.pct(st.idle_fraction()))
    fig.add_row("straggler gap", text.secs(st.straggler_gap()))
    held = [r for r in st.recoveries if r.held]
    if held:  # the latest fault that hit an agent holding work (the summary lists every fault)
        fig.add_row(text.fault_label(held[-1].fault, held[-1].agent, held[-1].at),
                    text.reclaim(held[-1].held, held[-1].reclaim_s))
    sim = st.started is not None and st.started.model == "sim"
    cost = "n/a (sim)" if sim else ("n/a" if st.cost is None else f"${st.cost:.4f}")
    fig.add_row("tokens/cost", f"{text.token_total(st.tokens_in + st.tokens_out, st.est_tokens_in + st.est_tokens_out)}"
                f" / {cost}"
                + (f" + {st.unpriced} unpriced calls" if st.unpriced else ""))
    return Group(fig, message_matrix(view, width, pal), throughput(view, width, pal))


def metrics_title(view: LiveView) -> str:
    """The metrics pane's title: what the Amdahl bound in it is computed from."""
    b = view.bounds()
    return f"metrics · p={round(b.p, 2):g}, n={view.state.workers}" if view.started is not None else "metrics"


SHADES = "░▒▓█"


def message_matrix(view: LiveView, width: int = 44, pal: Palette = DEFAULT) -> Table:
    """Messages from each agent (rows) to each (columns). When the counts do not fit `width` columns (many
    agents, a narrow panel), agents are numbered as their panes are and each cell is a shade of the peak."""
    names = list(view.agents)
    matrix = view.state.matrix
    peak = max((n for row in matrix.values() for n in row.values()), default=0)
    cell = max(4, len(str(peak)))
    full = 6 + len(names) * (cell + 1) <= width
    title = "messages from ↓ to →" if full else f"messages ↓→ ({SHADES[-1]} = {peak})"
    table = Table(box=None, padding=(0, 1) if full else (0, 0), show_edge=False, title=title, title_style="dim",
                  title_justify="left")
    table.add_column("", style="bold", no_wrap=True)
    for i, n in enumerate(names, 1):
        # numbered columns are two cells wide: from ten agents on, a column's number is written down, tens on top
        label = shown(n[:4]) if full else f"{i // 10 or ' '}\n{i % 10}" if len(names) >= 10 else str(i)
        table.add_column(label, justify="right", no_wrap=True)
    for i, src in enumerate(names, 1):
        cells = []
        for dst in names:
            count = matrix.get(src, {}).get(dst, 0)
            style = pal.shade(count / peak) if peak and count else "dim"
            if full:
                cells.append(Text(str(count) if count else "·", style))
            else:
                level = SHADES[min(len(SHADES) - 1, (count * len(SHADES) - 1) // peak)] if count else "·"
                cells.append(Text(f"{level:>2}", pal.primary if count else "dim"))
        table.add_row(shown(src[:6]) if full else f"{i:>2} {shown(src[:4]):<4}", *cells)
    return table


def throughput(view: LiveView, width: int, pal: Palette = DEFAULT) -> Text:
    done = view.state.throughput
    bins = done[-max(8, width - 12):]
    offset = max(0, len(done) - len(bins))
    peak = max(bins, default=0)
    out = Text("done/5s ", "dim")
    for i, n in enumerate(bins):
        ch = SPARK[min(len(SPARK) - 1, int(n / peak * (len(SPARK) - 1)))] if peak else SPARK[0]
        out.append(ch, f"bold {pal.error}" if (i + offset) in view.state.fault_bins else pal.success)
    if view.state.fault_bins:
        out.append("  ", "dim")
        out.append("▇ = fault", pal.error)
    return out


def event_line(e: ev.Event, mark: bool = False, pal: Palette = DEFAULT) -> Text:
    """One line of the event log: time, position, agent, kind, then what the event says (`words.event_words`)."""
    out = Text(f"{e.t:8.2f} {e.seq:>6} ", "dim")
    out.append(f"{shown(e.agent) or '·':<6} ", "bold")
    out.append(f"{e.kind:<20} ", _kind_style(e, pal))
    out.append(shown(event_words(e))[:140])
    if mark:
        out.stylize("reverse")
    return out


def _kind_style(e: ev.Event, pal: Palette) -> str:
    if isinstance(e, ev.FaultInjected | ev.AgentKilled | ev.NetworkPartitioned | ev.WorkStranded):
        return f"bold {pal.error}"
    if isinstance(e, ev.ClaimConflicted | ev.WriteConflicted | ev.LockDenied | ev.StragglerDetected):
        return pal.warning
    if isinstance(e, ev.TaskCompleted | ev.AgentRecovered | ev.NetworkHealed | ev.AgentRestarted):
        return pal.success
    if isinstance(e, ev.LLMCallStarted | ev.LLMCallCompleted):
        return pal.primary
    return ""
